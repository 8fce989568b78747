// The reaper and the reconciler on the local stack, driven by a test: the
// same core verbs the scheduled handlers call, with a clock the test moves.
//
// Core modules are imported once the platform runs (as createUser does): the
// API's zod schemas must be built after @hono/zod-openapi has extended zod.
import type { ClusterClient } from '../../core/cluster/client.js';
import type { Environment } from '../../core/environment/model.js';
import type { reapEnvironments } from '../../core/jobs/reaper.js';
import type { ReconcilerDeps, reconcileCluster } from '../../core/jobs/reconciler.js';
import type { Services } from '../../core/services.js';
import type { OrphanVolumeStore } from '../../core/store/orphans.js';
import type { LocalPlatform } from '../../stacks/local/platform.js';
import { createUser, eventually, type Session } from './platform.js';

export interface Jobs {
  services: Services;
  cluster: ClusterClient;
  orphanVolumes: OrphanVolumeStore;
  /** The reaper at `now`, looking only at `envIds` (other tests' environments are not its business). */
  reap(
    now: Date,
    envIds: string[],
    hooks?: { beforeCull?: (env: Environment) => Promise<void> },
  ): ReturnType<typeof reapEnvironments>;
  reconcile(now: Date, patch?: Partial<ReconcilerDeps>): ReturnType<typeof reconcileCluster>;
  get(env: Pick<Environment, 'ownerId' | 'id'>): Promise<Environment>;
}

/** Call after the platform started (it sets the configuration in process.env). */
export async function jobsFor(_platform: LocalPlatform): Promise<Jobs> {
  const { ClusterClient } = await import('../../core/cluster/client.js');
  const { environmentUrl, loadKubeConfig } = await import('../../core/cluster/kubeconfig.js');
  const { routerOptionsFrom } = await import('../../core/cluster/routes/index.js');
  const { loadConfig } = await import('../../core/config.js');
  const { reapEnvironments } = await import('../../core/jobs/reaper.js');
  const { reconcileCluster } = await import('../../core/jobs/reconciler.js');
  const { createServices } = await import('../../core/services.js');
  const { OrphanVolumeStore } = await import('../../core/store/orphans.js');
  const config = loadConfig();
  const services = await createServices(config);
  const cluster = new ClusterClient(loadKubeConfig(config));
  const orphanVolumes = new OrphanVolumeStore(services.doc, config.tableName);
  const quiet = () => {};
  return {
    services,
    cluster,
    orphanVolumes,
    reap: (now, envIds, hooks = {}) =>
      reapEnvironments({
        catalog: services.catalog,
        queue: services.queue,
        audit: services.audit,
        users: services.auth.users,
        environments: {
          runningPage: async (opts) => {
            const page = await services.environments.runningPage(opts);
            return { ...page, items: page.items.filter((e) => envIds.includes(e.id)) };
          },
          startedBeforePage: async (before, opts) => {
            const page = await services.environments.startedBeforePage(before, opts);
            return { ...page, items: page.items.filter((e) => envIds.includes(e.id)) };
          },
          setCullAt: (env, cullAt) => services.environments.setCullAt(env, cullAt),
          changeDesired: async (current, next, limits, at, opts) => {
            await hooks.beforeCull?.(current);
            return services.environments.changeDesired(current, next, limits, at, opts);
          },
        },
        now: () => now,
        log: quiet,
      }),
    reconcile: (now, patch = {}) =>
      reconcileCluster({
        ...services,
        environments: services.environments,
        orphanVolumes,
        cluster,
        planOptions: {
          url: (envId) => environmentUrl(config, envId),
          deadlines: { pollSeconds: config.provisionerPollSeconds },
        },
        routes: routerOptionsFrom(config),
        now: () => now,
        log: quiet,
        ...patch,
      }),
    get: async (env) => (await services.environments.get(env.ownerId, env.id))!,
  };
}

/** A new free-tier user with one environment, once it runs. */
export async function runningEnvironment(
  platform: LocalPlatform,
  jobs: Jobs,
): Promise<{ user: Session & { userId: string }; env: Environment }> {
  const user = await createUser(platform, { tier: 'free' });
  const created = await user.json<{ id: string }>('/api/v1/environments', {
    method: 'POST',
    body: { name: 'Analysis', templateId: 'jupyterlab' },
  });
  if (created.status !== 202) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  const env = await eventually(
    `${created.body.id} to run`,
    () => jobs.get({ ownerId: user.userId, id: created.body.id }),
    (e) => e.status.phase === 'Running',
  );
  return { user, env };
}
