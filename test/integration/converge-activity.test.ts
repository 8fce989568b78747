// The provisioner's converge with the activity Secret, through the real
// client against kubesim: a running environment's pod mounts a Secret whose
// token is good for that environment's activity report only; delete removes
// the Secret with the compute.
import { describe, expect, it } from 'vitest';
import { EnvironmentTokens } from '../../core/access/tokens.js';
import { generateSigningKey } from '../../core/auth/access-token.js';
import { ClusterClient, defaultRetryPolicy, type KubeObject } from '../../core/cluster/client.js';
import { type ConvergeDeps, convergeEnvironment } from '../../core/cluster/converge.js';
import { defaultSettings, type Environment } from '../../core/environment/model.js';
import { namespaceFor } from '../../core/environment/naming.js';
import { setupTestCluster } from '../kubesim/support.js';
import { anEnvironment, aTemplate } from '../unit/environment/fixtures.js';

const cluster = setupTestCluster();

describe('the activity Secret', () => {
  it('is applied before the pod that mounts it, holds a token for this environment, and goes with delete', async () => {
    const tokens = await EnvironmentTokens.fromKeys([await generateSigningKey('k')], {
      issuer: 'https://api.example.org',
      now: () => new Date(),
    });
    let current: Environment = anEnvironment();
    const env = current;
    const cl = new ClusterClient(cluster.kc, { ...defaultRetryPolicy, sleep: async () => {} });
    const deps: ConvergeDeps = {
      environments: {
        get: async () => current,
        writeStatus: async (e, status) => {
          if (e.generation !== current.generation) return false;
          current = { ...current, status };
          return true;
        },
      },
      catalog: { get: async () => aTemplate(), settings: async () => defaultSettings() },
      users: { get: async () => undefined },
      cluster: cl,
      queue: { publish: async () => true },
      now: () => new Date(),
      activity: {
        token: (envId, ownerId) => tokens.mintActivityToken(envId, ownerId),
        url: (envId) => `https://api.example.org/api/v1/environments/${envId}/activity`,
      },
    };
    const until = async (phase: string) => {
      for (let i = 0; i < 200; i++) {
        const r = await convergeEnvironment(deps, {
          envId: env.id,
          ownerId: env.ownerId,
          generation: current.generation,
        });
        if (r.phase === phase) return r;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`never ${phase}: ${JSON.stringify(current.status)}`);
    };
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
    expect(decoded('activity-url')).toBe(
      `https://api.example.org/api/v1/environments/${env.id}/activity`,
    );
    const deployment = await cl.read<KubeObject & { spec: Record<string, never> }>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: env.id, namespace: ns },
    });
    expect(JSON.stringify(deployment)).toContain(`"secretName":"${env.id}-activity"`);

    current = { ...current, desiredState: 'deleted', generation: current.generation + 1 };
    await until('Deleted');
    expect(await cl.read(secretRef)).toBeUndefined();
  });
});
