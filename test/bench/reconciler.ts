// Benchmark: one reconcile cycle over N stopped environments in kubesim
// (namespace, PVC, Deployment at 0 replicas, Service, NetworkPolicy and the
// configured router's route objects each),
// and one reaper run over N running environments of which 1% are idle.
// Measured: wall time, Kubernetes requests per kind (they must grow with
// pages — ≤ ⌈N/500⌉ per kind — not with environments), DynamoDB requests by
// command and items read, writes (0 when nothing changed).
//
// Seeding writes the cluster through kubesim's in-process API and the store
// directly (no provisioner): the bench measures the jobs, not the seeding.
//
// Run: npx tsx test/bench/reconciler.ts [N]   (or import { benchReconciler })
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KubeObject as SimObject } from '../../stacks/local/kubesim/types.js';
import { startLocalPlatform } from '../../stacks/local/platform.js';

export interface ReconcilerBenchResult {
  environments: number;
  seedSeconds: number;
  cycles: Array<{
    wallMs: number;
    kubeRequests: Record<string, number>;
    dynamo: Record<string, number>;
    itemsRead: number;
    writes: number;
    enqueued: number;
  }>;
  reaper: {
    running: number;
    idle: number;
    wallMs: number;
    dynamo: Record<string, number>;
    itemsRead: number;
    culled: number;
    ownerReads: number;
  };
}

const WRITES = new Set([
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
  'TransactWriteCommand',
  'BatchWriteCommand',
]);

export async function benchReconciler(n = 10_000): Promise<ReconcilerBenchResult> {
  const stateDir = mkdtempSync(join(tmpdir(), 'lablease-bench-reconciler-'));
  const platform = await startLocalPlatform({
    stateDir,
    apiPort: 0,
    webPort: false,
    persist: false,
    cluster: 'kubesim',
    kubeletDelays: 'zero',
    scheduleEveryMs: 3_600_000,
  });
  try {
    // Imported after the platform set the configuration (see test/support/jobs.ts).
    const { loadConfig } = await import('../../core/config.js');
    const { createServices } = await import('../../core/services.js');
    const { ClusterClient } = await import('../../core/cluster/client.js');
    const { loadKubeConfig, environmentUrl } = await import('../../core/cluster/kubeconfig.js');
    const manifests = await import('../../core/cluster/manifests.js');
    const { ClusterSnapshot, LISTED_KINDS, observedFor } = await import(
      '../../core/cluster/snapshot.js'
    );
    const { routeObjects, routerOptionsFrom, ROUTE_KINDS } = await import(
      '../../core/cluster/routes/index.js'
    );
    const { plan } = await import('../../core/environment/planner.js');
    const { newEnvironmentId, volumeNameFor } = await import('../../core/environment/naming.js');
    const { defaultSettings, initialStatus } = await import('../../core/environment/model.js');
    const { newId } = await import('../../core/auth/secrets.js');
    const { reconcileCluster } = await import('../../core/jobs/reconciler.js');
    const { reapEnvironments } = await import('../../core/jobs/reaper.js');
    const { OrphanVolumeStore } = await import('../../core/store/orphans.js');
    type Env = import('../../core/environment/model.js').Environment;

    const config = loadConfig();
    const services = await createServices(config);
    const sim = platform.cluster.kubesim!;
    const cluster = new ClusterClient(loadKubeConfig(config));
    const template = (await services.catalog.get('jupyterlab'))!;
    const limits = { maxRunning: 1_000_000, maxTotal: 1_000_000, maxRunningGlobal: 1_000_000 };
    const planOptions = {
      url: (envId: string) => environmentUrl(config, envId),
      deadlines: { pollSeconds: config.provisionerPollSeconds },
    };
    // The configured router's objects are seeded and listed too, as deployed.
    const routes = routerOptionsFrom(config);

    // ---- seed: N stopped environments, 10 per owner ----
    const seedStart = performance.now();
    const now = new Date();
    const at = now.toISOString();
    const envs: Env[] = [];
    const owners = Array.from({ length: Math.ceil(n / 10) }, () => newId());
    for (let i = 0; i < n; i++) {
      const id = newEnvironmentId();
      envs.push({
        id,
        ownerId: owners[Math.floor(i / 10)]!,
        spec: {
          name: `Bench ${i}`,
          templateId: template.id,
          resources: template.defaultResources,
          volume: { name: volumeNameFor(id), sizeGi: 5 },
        },
        desiredState: 'stopped',
        generation: 1,
        status: initialStatus(),
        createdAt: at,
        updatedAt: at,
      });
    }
    const create = (o: unknown) => {
      const obj = o as SimObject & { kind: string; metadata: { namespace?: string } };
      return sim.api.create(resourceOf(obj.kind), obj.metadata.namespace, obj);
    };
    const tier = defaultSettings().tiers.free!;
    await pool(owners, 8, async (owner) => {
      const ns = manifests.userNamespace(owner, tier).namespace;
      await create(ns);
    });
    await pool(envs, 8, async (env) => {
      await create(manifests.workspaceVolume(env));
      await create(manifests.workspaceDeployment(env, template, 0));
      await create(manifests.workspaceService(env));
      await create(manifests.workspaceNetworkPolicy(env, template));
      // The user's ReferenceGrant (gateway) is shared: created with the owner's first environment.
      for (const route of routeObjects(env, routes))
        if (route.kind !== 'ReferenceGrant' || envs.indexOf(env) % 10 === 0) await create(route);
    });
    // The stored status is what the planner sees now: a settled fleet.
    const labelSelector = `${manifests.MANAGED_BY}=lablease`;
    const list = async () =>
      new ClusterSnapshot({
        ...(Object.fromEntries(
          await Promise.all(
            Object.entries(LISTED_KINDS).map(async ([k, { apiVersion, kind }]) => [
              k,
              await cluster.list(apiVersion, kind, { labelSelector }),
            ]),
          ),
        ) as Record<keyof typeof LISTED_KINDS, never[]>),
        routes: await Promise.all(
          ROUTE_KINDS[routes.kind].map(async (k) => ({
            ...k,
            items: await cluster.list(k.apiVersion, k.kind, { labelSelector }),
          })),
        ),
      });
    const snapshot = await list();
    await pool(envs, 16, async (env) => {
      const seeded = plan(env, observedFor(env, snapshot.objectsOf(env)), now, planOptions);
      env.status = { ...seeded.status, observedGeneration: env.generation };
      await services.environments.create(env, limits);
    });
    const seedSeconds = (performance.now() - seedStart) / 1000;

    // ---- count DynamoDB commands ----
    const dynamo: Record<string, number> = {};
    let itemsRead = 0;
    services.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName);
        dynamo[name] = (dynamo[name] ?? 0) + 1;
        const result = await next(args);
        const out = result.output as {
          Items?: unknown[];
          Item?: unknown;
          Responses?: Record<string, unknown[]>;
        };
        itemsRead +=
          (out.Items?.length ?? 0) +
          (out.Item ? 1 : 0) +
          Object.values(out.Responses ?? {}).reduce((s, r) => s + r.length, 0);
        return result;
      },
      { step: 'initialize', name: 'benchCounter' },
    );
    const take = () => {
      const snapshotOf = { ...dynamo };
      const items = itemsRead;
      for (const k of Object.keys(dynamo)) delete dynamo[k];
      itemsRead = 0;
      return { dynamo: snapshotOf, itemsRead: items };
    };

    // Intents are counted from the reports; nothing is sent (no provisioner runs during the bench).
    const queue = { publish: async () => true, publishMany: async (i: unknown[]) => i.length };
    const reconcilerDeps = {
      environments: services.environments,
      orphanVolumes: new OrphanVolumeStore(services.doc, config.tableName),
      cluster,
      queue,
      now: () => new Date(),
      planOptions,
      routes,
      log: () => {},
    };

    const cycles: ReconcilerBenchResult['cycles'] = [];
    take();
    for (let c = 0; c < 2; c++) {
      const before = sim.requests.snapshot();
      const t0 = performance.now();
      const report = await reconcileCluster(reconcilerDeps);
      const wallMs = performance.now() - t0;
      const after = sim.requests.snapshot();
      const kubeRequests: Record<string, number> = {};
      for (const [k, v] of Object.entries(after)) {
        const d = v - (before[k] ?? 0);
        if (d > 0) kubeRequests[k] = d;
      }
      const counted = take();
      cycles.push({
        wallMs,
        kubeRequests,
        ...counted,
        writes: Object.entries(counted.dynamo)
          .filter(([k]) => WRITES.has(k))
          .reduce((s, [, v]) => s + v, 0),
        enqueued: report.enqueued.length,
      });
    }

    // ---- reaper: N running environments (store only), 1% idle ----
    const idle = Math.max(1, Math.round(n / 100));
    const running: Env[] = envs.map((e, i) => {
      const startedAt = new Date(now.getTime() - 3 * 3_600_000).toISOString();
      const activity = i < idle ? 2 * 3_600_000 : 5 * 60_000;
      return {
        ...e,
        id: newEnvironmentId(),
        desiredState: 'running',
        status: {
          ...initialStatus(),
          phase: 'Running',
          observedGeneration: 1,
          startedAt,
          lastActivityAt: new Date(now.getTime() - activity).toISOString(),
        },
      };
    });
    await pool(running, 16, (env) => services.environments.create(env, limits).then(() => {}));
    let ownerReads = 0;
    take();
    const t0 = performance.now();
    const reaped = await reapEnvironments({
      environments: services.environments,
      catalog: services.catalog,
      users: {
        get: async () => {
          ownerReads++;
          return { tier: 'free' } as never;
        },
      },
      queue,
      now: () => now,
      log: () => {},
    });
    const reaperWall = performance.now() - t0;
    const counted = take();
    return {
      environments: n,
      seedSeconds,
      cycles,
      reaper: {
        running: running.length,
        idle,
        wallMs: reaperWall,
        dynamo: counted.dynamo,
        itemsRead: counted.itemsRead,
        culled: reaped.culled.length,
        ownerReads,
      },
    };
  } finally {
    await platform.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const RESOURCES: Record<string, string> = {
  Namespace: 'namespaces',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  Deployment: 'deployments',
  Service: 'services',
  NetworkPolicy: 'networkpolicies',
  HTTPRoute: 'httproutes.gateway.networking.k8s.io',
  ReferenceGrant: 'referencegrants.gateway.networking.k8s.io',
  SecurityPolicy: 'securitypolicies.gateway.envoyproxy.io',
  Ingress: 'ingresses.networking.k8s.io',
};
const resourceOf = (kind: string) => RESOURCES[kind]!;

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export function formatReconcilerBench(r: ReconcilerBenchResult): string {
  const kv = (o: Record<string, number>) =>
    Object.entries(o)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  const perKind = Math.ceil(r.environments / 500);
  return [
    `reconciler: ${r.environments} environments (seeded in ${r.seedSeconds.toFixed(1)} s); budget ⌈N/500⌉ = ${perKind} list requests per kind`,
    ...r.cycles.map(
      (c, i) =>
        `reconciler: cycle ${i + 1}: ${c.wallMs.toFixed(0)} ms | kube ${kv(c.kubeRequests)} | dynamodb ${kv(c.dynamo)} | items read ${c.itemsRead} | writes ${c.writes} | enqueued ${c.enqueued}`,
    ),
    `reaper: ${r.reaper.running} running (${r.reaper.idle} idle) beside ${r.environments} stopped: ${r.reaper.wallMs.toFixed(0)} ms | dynamodb ${kv(r.reaper.dynamo)} | items read ${r.reaper.itemsRead} | owner reads ${r.reaper.ownerReads} | culled ${r.reaper.culled}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatReconcilerBench(await benchReconciler(Number(process.argv[2] ?? 10_000))));
  process.exit(0);
}
