// One environment converged against kubesim through the real client, the
// store kept in memory as the real one behaves (a status is written only when
// its generation is still current). Shared by the integration tests of the
// converge path (routes, the activity Secret, duplicate intents, RBAC).
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterClient, defaultRetryPolicy } from '../../core/cluster/client.js';
import { type ConvergeDeps, convergeEnvironment } from '../../core/cluster/converge.js';
import type { RouterKind, RouterOptions } from '../../core/cluster/routes/index.js';
import { defaultSettings, type Environment } from '../../core/environment/model.js';
import { aTemplate } from '../unit/environment/fixtures.js';

/** Router options on example hosts, valid for both builders. */
export const exampleRouterOptions = (kind: RouterKind): RouterOptions => ({
  kind,
  domain: 'env.example.org',
  apiUrl: 'https://api.example.org',
  gateway: { namespace: 'lablease-system', name: 'lablease' },
  authBackend: { kind: 'Service', namespace: 'lablease-system', name: 'lablease-api', port: 80 },
  ingressClass: 'nginx',
});

export function convergeHarness(
  kc: KubeConfig,
  env: Environment,
  overrides: Partial<ConvergeDeps> = {},
) {
  let current = env;
  const cl = new ClusterClient(kc, { ...defaultRetryPolicy, sleep: async () => {} });
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
    ...overrides,
  };
  const converge = () =>
    convergeEnvironment(deps, {
      envId: env.id,
      ownerId: env.ownerId,
      generation: current.generation,
    });
  /** Converges until the phase is reached (the simulated kubelet runs in the background). */
  const until = async (phase: string) => {
    for (let i = 0; i < 400; i++) {
      const r = await converge();
      if (r.phase === phase) return r;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`never ${phase}: ${JSON.stringify(current.status)}`);
  };
  /** A new intent: the patch with the next generation. */
  const set = (patch: Partial<Environment>) => {
    current = { ...current, ...patch, generation: current.generation + 1 };
  };
  return { deps, cl, converge, until, set, get: () => current };
}
