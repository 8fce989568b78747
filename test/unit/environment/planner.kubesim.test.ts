// The pure parts together against kubesim (in process, no network client):
// manifests from the builders, admitted by kubesim's real admission chain
// (Pod Security, LimitRanger, ResourceQuota), observed with observe(), and
// driven by plan() until it settles. The applier here is a few lines for the
// test only — the real converger (server-side apply through client-node) is
// the I/O layer's. This proves the builders and the planner agree with the
// cluster's own behaviour and messages.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  environmentObjects,
  scaffoldObjects,
  toWire,
  userNamespace,
} from '../../../core/cluster/manifests.js';
import type { Environment, Template } from '../../../core/environment/model.js';
import { namespaceFor, newEnvironmentId, volumeNameFor } from '../../../core/environment/naming.js';
import { observe } from '../../../core/environment/observed.js';
import { type Action, type Plan, plan } from '../../../core/environment/planner.js';
import { type Kubesim, startKubesim } from '../../../stacks/local/kubesim/index.js';
import type { KubeObject } from '../../../stacks/local/kubesim/types.js';
import { anEnvironment, aTemplate, proLimits } from './fixtures.js';

const plural: Record<string, string> = {
  Namespace: 'namespaces',
  ServiceAccount: 'serviceaccounts',
  ResourceQuota: 'resourcequotas',
  LimitRange: 'limitranges',
  NetworkPolicy: 'networkpolicies',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  Service: 'services',
  Deployment: 'deployments',
};

let k: Kubesim;
beforeAll(async () => {
  k = await startKubesim();
});
afterAll(async () => {
  await k?.stop();
});
beforeEach(() => k.simulation.clearScripts());

const USER_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
let user = 0;
/** A fresh user per test: namespaces never interfere. */
const nextUser = () => (user++).toString(16).padStart(32, USER_A);

async function apply(object: unknown) {
  const obj = toWire(object) as KubeObject;
  const resource = plural[obj.kind]!;
  const ns = obj.kind === 'Namespace' ? undefined : obj.metadata.namespace;
  const existing = k.api.get(resource, ns, obj.metadata.name!);
  if (!existing) return k.api.create(resource, ns, obj);
  return k.api.update(resource, ns, {
    ...existing,
    ...obj,
    metadata: { ...existing.metadata, ...obj.metadata },
  });
}

async function remove(resource: string, ns: string, name: string) {
  try {
    await k.api.delete(resource, ns, name);
  } catch (err) {
    // 404 on delete means already gone.
    if ((err as { code?: number }).code !== 404) throw err;
  }
}

async function execute(env: Environment, template: Template, action: Action) {
  const objects = environmentObjects(env, template, 1);
  const ns = namespaceFor(env.ownerId);
  switch (action.type) {
    case 'ensureNamespaceScaffold':
      for (const o of scaffoldObjects(userNamespace(env.ownerId, proLimits))) await apply(o);
      return;
    case 'applyVolume':
      return void (await apply(objects.volume));
    case 'applyNetworkPolicy':
      return void (await apply(objects.networkPolicy));
    case 'applyService':
      return void (await apply(objects.service));
    case 'applyDeployment':
      return void (await apply(environmentObjects(env, template, action.replicas).deployment));
    case 'scaleDeployment': {
      const d = k.api.get('deployments', ns, objects.deployment.metadata!.name!)!;
      await k.api.update('deployments', ns, { ...d, spec: { ...d.spec, replicas: 0 } });
      return;
    }
    case 'deleteCompute':
      await remove('deployments', ns, env.id);
      await remove('services', ns, env.id);
      await remove('networkpolicies', ns, env.id);
      return;
    case 'deleteVolume':
      return void (await remove('persistentvolumeclaims', ns, action.name));
  }
}

function read(env: Environment) {
  const ns = namespaceFor(env.ownerId);
  const selector = `lablease.dev/env=${env.id}`;
  const events = k.api
    .list('events', { namespace: ns })
    .items.filter((e) => e.involvedObject?.name?.startsWith(env.id));
  return observe({
    namespace: k.api.get('namespaces', undefined, ns),
    volume: k.api.get('persistentvolumeclaims', ns, env.spec.volume.name),
    deployment: k.api.get('deployments', ns, env.id),
    service: k.api.get('services', ns, env.id),
    networkPolicy: k.api.get('networkpolicies', ns, env.id),
    pods: k.api.list('pods', { namespace: ns, labelSelector: selector }).items,
    events: events as never,
  });
}

const settled = new Set(['Running', 'Stopped', 'Deleted', 'Failed']);

/** Plans and applies until a plan has nothing to do and the phase is a resting one. */
async function converge(
  env: Environment,
  template: Template,
  options: Parameters<typeof plan>[3] = {},
): Promise<{ env: Environment; last: Plan; applied: Action[] }> {
  const applied: Action[] = [];
  for (let i = 0; i < 200; i++) {
    await k.simulation.settle();
    const result = plan(env, read(env), new Date(), {
      url: (id) => `https://${id}.env.test`,
      ...options,
    });
    env = { ...env, status: result.status };
    if (!result.actions.length && settled.has(result.status.phase))
      return { env, last: result, applied };
    for (const action of result.actions) {
      applied.push(action);
      await execute(env, template, action);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`did not settle: ${JSON.stringify(env.status)}`);
}

function newEnv(patch: Partial<Environment> = {}): Environment {
  const id = newEnvironmentId();
  const base = anEnvironment({ id, ownerId: nextUser() });
  return {
    ...base,
    spec: { ...base.spec, volume: { name: volumeNameFor(id), sizeGi: 10 } },
    ...patch,
  };
}

describe('plan + manifests against kubesim', () => {
  it('create → Running → stop (PVC kept) → start on the same PVC → delete (PVC kept) → purge', async () => {
    const template = aTemplate();
    let { env, last } = await converge(newEnv(), template);
    expect(last.status.phase).toBe('Running');
    expect(last.status.url).toBe(`https://${env.id}.env.test`);
    expect(last.status.observedGeneration).toBe(1);
    const ns = namespaceFor(env.ownerId);
    const pvcUid = k.api.get('persistentvolumeclaims', ns, env.spec.volume.name)?.metadata.uid;

    ({ env, last } = await converge({ ...env, desiredState: 'stopped', generation: 2 }, template));
    expect(last.status.phase).toBe('Stopped');
    expect(k.api.list('pods', { namespace: ns }).items).toEqual([]);

    ({ env, last } = await converge({ ...env, desiredState: 'running', generation: 3 }, template));
    expect(last.status.phase).toBe('Running');
    expect(k.api.get('persistentvolumeclaims', ns, env.spec.volume.name)?.metadata.uid).toBe(
      pvcUid,
    );

    ({ env, last } = await converge({ ...env, desiredState: 'deleted', generation: 4 }, template));
    expect(last.status.phase).toBe('Deleted');
    expect(k.api.get('deployments', ns, env.id)).toBeUndefined();
    expect(k.api.get('persistentvolumeclaims', ns, env.spec.volume.name)?.metadata.uid).toBe(
      pvcUid,
    );

    const now = new Date().toISOString();
    const { applied } = await converge(
      { ...env, generation: 5, dataDeletion: { requestedAt: now, purgeAfter: now } },
      template,
    );
    expect(applied).toContainEqual({ type: 'deleteVolume', name: env.spec.volume.name });
    await k.simulation.settle();
    expect(k.api.get('persistentvolumeclaims', ns, env.spec.volume.name)).toBeUndefined();
  });

  it.each([
    ['an image that cannot be pulled', 'ErrImagePull', /ErrImagePull|ImagePullBackOff/, /pull/],
    [
      'an image that runs as root',
      'CreateContainerConfigError',
      /^CreateContainerConfigError$/,
      /runAsNonRoot and image will run as root/,
    ],
    ['an app that crashes', 'CrashLoopBackOff', /^CrashLoopBackOff$/, /crashing/],
  ] as const)(
    '%s ends Failed with the cluster reason, compute released',
    async (_what, behaviour, reason, message) => {
      const template = aTemplate({
        image: `registry.example.com/broken/${behaviour.toLowerCase()}:1`,
      });
      k.simulation.scriptImage(template.image, behaviour);
      const { env, last } = await converge(newEnv(), template);
      expect(last.status.phase).toBe('Failed');
      expect(last.status.failure?.reason).toMatch(reason);
      expect(last.status.failure?.message).toMatch(message);
      const d = k.api.get('deployments', namespaceFor(env.ownerId), env.id);
      expect(d?.spec.replicas).toBe(0);
    },
  );

  it('pods the cluster refuses (quota) end Failed with the FailedCreate message', async () => {
    const template = aTemplate();
    const env = newEnv();
    const ns = namespaceFor(env.ownerId);
    for (const o of scaffoldObjects(userNamespace(env.ownerId, proLimits))) await apply(o);
    await k.api.create('resourcequotas', ns, {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'no-pods', namespace: ns },
      spec: { hard: { pods: '0' } },
    });
    await k.simulation.settle();
    const { last } = await converge(env, template, { deadlines: { quotaGraceSeconds: 0 } });
    expect(last.status.phase).toBe('Failed');
    expect(last.status.failure?.reason).toBe('FailedCreate');
    expect(last.status.failure?.message).toMatch(/exceeded quota: no-pods/);
  });

  it('an Unschedulable pod shows the scheduler message while pending, then fails at its deadline', async () => {
    await k.simulation.setNodeCapacity({ cpu: '100m' });
    const { last } = await converge(newEnv(), aTemplate(), {
      deadlines: { steps: { Scheduling: 1 } },
    }).finally(() => k.simulation.setNodeCapacity({ cpu: '4' }));
    expect(last.status.phase).toBe('Failed');
    expect(last.status.failure?.reason).toBe('Unschedulable');
    expect(last.status.failure?.message).toMatch(/nodes are available/);
    expect(last.status.events.some((e) => e.reason === 'Unschedulable')).toBe(true);
  });
});
