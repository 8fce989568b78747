// The activity Secret and its mount: valid objects a real API server would
// accept, a pod that stays `restricted`, and nothing of it unless asked for.
import { Deployment } from 'kubernetes-models/apps/v1';
import { Secret } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import {
  ACTIVITY_MOUNT_PATH,
  activitySecret,
  toWire,
  workspaceDeployment,
} from '../../../core/cluster/manifests.js';
import { evaluatePod } from '../../../stacks/local/kubesim/admission/pod-security-policy.js';
import { applyDefaults } from '../../../stacks/local/kubesim/defaults.js';
import { RESOURCES } from '../../../stacks/local/kubesim/resources.js';
import type { KubeObject } from '../../../stacks/local/kubesim/types.js';
import { validateCreate } from '../../../stacks/local/kubesim/validation.js';
import { anEnvironment, aTemplate, ENV_ID, USER } from './fixtures.js';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON
type Json = any;

function assertValid(object: unknown, Model: new (o: Json) => { validate(): void }) {
  const wire = toWire(object) as Json;
  new Model(wire).validate();
  const resource = RESOURCES.find((r) => r.kind === wire.kind)!;
  const obj = structuredClone(wire) as KubeObject;
  applyDefaults(wire.kind, obj, true);
  expect(validateCreate(resource, obj)).toEqual([]);
}

const env = anEnvironment();
const template = aTemplate();
const url = `https://api.example.com/api/v1/environments/${ENV_ID}/activity`;

describe('the activity Secret', () => {
  it("holds the token and the URL, in the owner's namespace, labelled as ours", () => {
    const secret = activitySecret(env, { token: 'a.b.c', url });
    expect(secret.metadata).toEqual({
      name: `${ENV_ID}-activity`,
      namespace: `lab-${USER}`,
      labels: {
        'app.kubernetes.io/managed-by': 'lablease',
        'lablease.dev/user': USER,
        'lablease.dev/env': ENV_ID,
      },
    });
    expect(Buffer.from(secret.data!['activity-token']!, 'base64').toString()).toBe('a.b.c');
    expect(Buffer.from(secret.data!['activity-url']!, 'base64').toString()).toBe(url);
    assertValid(secret, Secret);
  });

  it('is mounted read-only and optional when asked for; the pod stays restricted', () => {
    const d = workspaceDeployment(env, template, 1, { activity: true });
    assertValid(d, Deployment);
    const pod = toWire(d).spec!.template;
    expect(pod.spec!.volumes).toContainEqual({
      name: 'lablease',
      secret: { secretName: `${ENV_ID}-activity`, optional: true, defaultMode: 0o444 },
    });
    expect(pod.spec!.containers[0]!.volumeMounts).toContainEqual({
      name: 'lablease',
      mountPath: ACTIVITY_MOUNT_PATH,
      readOnly: true,
    });
    expect(
      evaluatePod({ level: 'restricted', version: 'latest' }, pod.metadata!, pod.spec!),
    ).toEqual([]);
  });

  it('is absent unless asked for', () => {
    const spec = toWire(workspaceDeployment(env, template, 1)).spec!.template.spec!;
    expect(spec.volumes!.map((v) => v.name)).toEqual(['workspace', 'tmp']);
    expect(spec.containers[0]!.volumeMounts!.map((m) => m.name)).toEqual(['workspace', 'tmp']);
  });
});
