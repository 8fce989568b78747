// The provisioner's converge with the activity Secret, through the real
// client against kubesim: a running environment's pod mounts a Secret whose
// token is good for that environment's activity report only; delete removes
// the Secret with the compute.
import { describe, expect, it } from 'vitest';
import { activitySource } from '../../core/access/index.js';
import { activityKeySet, EnvironmentTokens } from '../../core/access/tokens.js';
import { generateSigningKey } from '../../core/auth/access-token.js';
import type { KubeObject } from '../../core/cluster/client.js';
import { namespaceFor } from '../../core/environment/naming.js';
import { setupTestCluster } from '../kubesim/support.js';
import { convergeHarness } from '../support/converge.js';
import { anEnvironment } from '../unit/environment/fixtures.js';

const cluster = setupTestCluster();

describe('the activity Secret', () => {
  it('is applied before the pod that mounts it, holds a token for this environment, and goes with delete', async () => {
    // As deployed: the provisioner has the activity key only; the API both sets.
    const apiUrl = 'https://api.example.org';
    const auth = {
      signingKeys: [await generateSigningKey('k')],
      activitySigningKeys: [await generateSigningKey('a')],
    };
    const provisioner = await activitySource({
      apiUrl,
      auth: { signingKeys: undefined, activitySigningKeys: auth.activitySigningKeys },
    });
    const tokenOptions = { issuer: apiUrl, now: () => new Date() };
    const tokens = await EnvironmentTokens.fromKeys(auth.signingKeys, {
      ...tokenOptions,
      activityKeys: await activityKeySet({ auth }),
    });
    const env = anEnvironment();
    const { cl, until, set } = convergeHarness(cluster.kc, env, { activity: provisioner });
    const ns = namespaceFor(env.ownerId);
    const secretRef = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${env.id}-activity`, namespace: ns },
    };

    await until('Running');
    const secret = await cl.read<KubeObject & { data: Record<string, string> }>(secretRef);
    const decoded = (k: string) => Buffer.from(secret!.data[k]!, 'base64').toString();
    expect(await tokens.verifyActivityToken(decoded('activity-token'), env.id)).toBe(env.ownerId);
    // Signed with the activity key: the platform key set alone does not know it.
    const platformOnly = await EnvironmentTokens.fromKeys(auth.signingKeys, tokenOptions);
    expect(
      await platformOnly.verifyActivityToken(decoded('activity-token'), env.id),
    ).toBeUndefined();
    expect(decoded('activity-url')).toBe(
      `https://api.example.org/api/v1/environments/${env.id}/activity`,
    );
    const deployment = await cl.read<KubeObject & { spec: Record<string, never> }>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: env.id, namespace: ns },
    });
    expect(JSON.stringify(deployment)).toContain(`"secretName":"${env.id}-activity"`);

    set({ desiredState: 'deleted' });
    await until('Deleted');
    expect(await cl.read(secretRef)).toBeUndefined();
  });
});
