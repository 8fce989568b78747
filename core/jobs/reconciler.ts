// The reconciler's cycle (every minute): the safety net between DynamoDB and
// the cluster. It reads the cluster with one paginated list per kind across
// all namespaces (managed-by label; never a GET per environment) and the live
// environments shard by shard (GSI2), then per environment:
//   plan on what the lists show → enqueue an intent (the provisioner stays
//   the only writer of environment objects) or store a refreshed status;
// and for the fleet: deletes the compute of orphans (never a PVC: orphaned
// volumes are listed for admins), and recounts the quota counters.
//
// Attention: every live environment is looked at every cycle. The cost of a
// cycle is the lists (pages, not environments) and the GSI2 walk; planning
// one environment is microseconds and writes happen only on change, so
// checking stable environments less often would save almost nothing while
// delaying repairs. Transitional ones are polled by the provisioner itself
// (every few seconds); the reconciler only steps in when they are stuck.

import { newId } from '../auth/secrets.js';
import type { ClusterClient, KubeObject } from '../cluster/client.js';
import { MANAGED_BY } from '../cluster/manifests.js';
import { ROUTE_KINDS, type RouterOptions } from '../cluster/routes/index.js';
import {
  ClusterSnapshot,
  findOrphans,
  LISTED_KINDS,
  type Listed,
  type OrphanObject,
  observedFor,
} from '../cluster/snapshot.js';
import type { Environment } from '../environment/model.js';
import type { PlanOptions } from '../environment/planner.js';
import { reconcileDecision, recount } from '../environment/reconcile.js';
import type { Intent } from '../queue/intent.js';
import type { IntentQueue } from '../queue/publisher.js';
import type { AuditStore } from '../store/audit.js';
import type { EnvironmentStore } from '../store/environments.js';
import type { OrphanVolumeStore } from '../store/orphans.js';
import { SHARD_COUNT } from '../store/table.js';

export interface ReconcilerOptions {
  /** Objects per list page (the Kubernetes default limit is 500). */
  pageSize: number;
  /** See reconcileDecision: how long a change of intent may wait for its own message. */
  stuckAfterSeconds: number;
  /** Managed objects without an environment are left alone this long (a create in flight, index lag). */
  orphanGraceSeconds: number;
  /** Counters of an owner with a change this recent are not recounted (index lag). */
  recountQuietSeconds: number;
  shards: number;
}

export const defaultReconcilerOptions: ReconcilerOptions = {
  pageSize: 500,
  stuckAfterSeconds: 120,
  orphanGraceSeconds: 600,
  recountQuietSeconds: 60,
  shards: SHARD_COUNT,
};

export interface ReconcilerDeps {
  environments: Pick<
    EnvironmentStore,
    | 'livePage'
    | 'writeStatus'
    | 'getMany'
    | 'counters'
    | 'globalRunning'
    | 'correctCounters'
    | 'correctGlobalRunning'
    | 'allOfOwner'
  >;
  orphanVolumes: Pick<OrphanVolumeStore, 'replace'>;
  cluster: Pick<ClusterClient, 'list' | 'delete'>;
  queue: Pick<IntentQueue, 'publishMany'>;
  /** Orphans deleted and counters corrected are recorded in the audit log. */
  audit?: Pick<AuditStore, 'record'>;
  now: () => Date;
  /** The provisioner's: the same options plan the same status. */
  planOptions?: PlanOptions;
  /** The provisioner's router: its route kinds are listed too, and orphaned routes deleted. */
  routes?: RouterOptions;
  log?: (message: string, fields: Record<string, unknown>) => void;
  options?: Partial<ReconcilerOptions>;
}

export interface ReconcileReport {
  environments: number;
  enqueued: Array<{ envId: string; why: string; actions: string[] }>;
  statusWritten: number;
  orphanComputeDeleted: OrphanObject[];
  orphanVolumes: OrphanObject[];
  countersCorrected: Array<{ ownerId: string | 'GLOBAL'; from: unknown; to: unknown }>;
}

const defaultLog = (message: string, fields: Record<string, unknown>) =>
  console.log(JSON.stringify({ message, ...fields }));

export async function reconcileCluster(deps: ReconcilerDeps): Promise<ReconcileReport> {
  const options = { ...defaultReconcilerOptions, ...deps.options };
  const log = deps.log ?? defaultLog;
  const globalBefore = await deps.environments.globalRunning();
  // The cluster first: an environment created after its list cannot look orphaned (grace aside).
  const listed = await listManaged(deps.cluster, options.pageSize, deps.routes);
  const envs = await readLive(deps, options.shards);
  const now = deps.now();
  const snapshot = new ClusterSnapshot(listed);
  const report: ReconcileReport = {
    environments: envs.length,
    enqueued: [],
    statusWritten: 0,
    orphanComputeDeleted: [],
    orphanVolumes: [],
    countersCorrected: [],
  };

  const intents: Intent[] = [];
  for (const env of envs) {
    const observed = observedFor(env, snapshot.objectsOf(env));
    const repair = reconcileDecision(env, observed, now, {
      stuckAfterSeconds: options.stuckAfterSeconds,
      planOptions: deps.planOptions,
    });
    if (repair?.type === 'enqueue') {
      intents.push({ envId: env.id, ownerId: env.ownerId, generation: env.generation });
      report.enqueued.push({ envId: env.id, why: repair.why, actions: repair.actions });
      log('reconciler: environment enqueued', {
        envId: env.id,
        why: repair.why,
        actions: repair.actions,
      });
    } else if (repair?.type === 'writeStatus') {
      // Conditional on the generation read: a change of intent since then wins.
      if (await deps.environments.writeStatus(env, repair.status)) report.statusWritten++;
    }
  }

  // Ten per SendMessageBatch: a wiped cluster means one intent per environment.
  if (intents.length) await deps.queue.publishMany(intents);
  await cleanOrphans(deps, listed, envs, now, options, report, log);
  await recountCounters(deps, envs, globalBefore, now, options, report, log);
  return report;
}

async function listManaged(
  cluster: ReconcilerDeps['cluster'],
  pageSize: number,
  routes: RouterOptions | undefined,
): Promise<Listed> {
  const labelSelector = `${MANAGED_BY}=lablease`;
  const [entries, routeLists] = await Promise.all([
    Promise.all(
      Object.entries(LISTED_KINDS).map(
        async ([name, { apiVersion, kind }]) =>
          [name, await cluster.list(apiVersion, kind, { labelSelector, pageSize })] as const,
      ),
    ),
    routes
      ? Promise.all(
          ROUTE_KINDS[routes.kind].map(async (k) => ({
            ...k,
            items: await cluster.list(k.apiVersion, k.kind, { labelSelector, pageSize }),
          })),
        )
      : undefined,
  ]);
  return {
    ...(Object.fromEntries(entries) as unknown as Listed),
    ...(routeLists ? { routes: routeLists } : {}),
  };
}

async function readLive(deps: ReconcilerDeps, shards: number): Promise<Environment[]> {
  const envs: Environment[] = [];
  for (let shard = 0; shard < shards; shard++) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await deps.environments.livePage(shard, { startKey });
      envs.push(...page.items);
      startKey = page.nextKey;
    } while (startKey);
  }
  return envs;
}

/**
 * Objects labelled for an environment that is not live. The index is only
 * eventually consistent, so each candidate is checked with a consistent read
 * first: an environment that exists and is not finished keeps its objects;
 * a deleted one's kept volume is not an orphan either (its owner may still
 * delete or restore the data).
 */
async function cleanOrphans(
  deps: ReconcilerDeps,
  listed: Listed,
  envs: Environment[],
  now: Date,
  options: ReconcilerOptions,
  report: ReconcileReport,
  log: (message: string, fields: Record<string, unknown>) => void,
) {
  const live = new Set(envs.map((e) => e.id));
  const candidates = findOrphans(listed, live, now, options.orphanGraceSeconds * 1000);
  const all = [...candidates.compute, ...candidates.volumes];
  if (!all.length) {
    await deps.orphanVolumes.replace([], now);
    return;
  }
  const existing = await deps.environments.getMany(
    all.filter((o) => o.ownerId).map((o) => ({ ownerId: o.ownerId!, envId: o.envId })),
  );
  const finished = (envId: string) => {
    const env = existing.get(envId);
    return !env || (env.desiredState === 'deleted' && env.status.phase === 'Deleted');
  };
  for (const orphan of candidates.compute) {
    if (!finished(orphan.envId)) continue;
    await deps.cluster.delete({
      apiVersion: orphan.apiVersion,
      kind: orphan.kind,
      metadata: { name: orphan.name, namespace: orphan.namespace },
    } as KubeObject);
    report.orphanComputeDeleted.push(orphan);
    log('reconciler: orphaned object deleted', { ...orphan });
    await audited(deps, now, 'environment.orphan-delete', `environment:${orphan.envId}`, {
      detail: `${orphan.kind} ${orphan.namespace}/${orphan.name} (created ${orphan.createdAt ?? '?'}) had no live environment`,
    });
  }
  report.orphanVolumes = candidates.volumes.filter((v) => !existing.has(v.envId));
  if (report.orphanVolumes.length)
    log('reconciler: orphaned workspace volumes (kept; for an admin to review)', {
      level: 'warn',
      count: report.orphanVolumes.length,
      volumes: report.orphanVolumes.slice(0, 20).map((v) => `${v.namespace}/${v.name}`),
    });
  await deps.orphanVolumes.replace(report.orphanVolumes, now);
}

/**
 * Counters drift only through a bug or a manual edit, since every change
 * moves them in the same transaction as the environment. An owner whose
 * counters differ from the recount is read again consistently and corrected
 * conditionally on the counters read (a change in between wins and the next
 * cycle recounts). The global counter is corrected only after a quiet cycle:
 * unchanged across the walk and no environment changed recently.
 */
async function recountCounters(
  deps: ReconcilerDeps,
  envs: Environment[],
  globalBefore: number,
  now: Date,
  options: ReconcilerOptions,
  report: ReconcileReport,
  log: (message: string, fields: Record<string, unknown>) => void,
) {
  const quietSince = now.getTime() - options.recountQuietSeconds * 1000;
  const expected = recount(envs);
  const stored = await deps.environments.counters([...expected.byOwner.keys()]);
  const recent = new Set(
    envs.filter((e) => Date.parse(e.updatedAt) > quietSince).map((e) => e.ownerId),
  );
  for (const [ownerId, want] of expected.byOwner) {
    const have = stored.get(ownerId)!;
    if (have.running === want.running && have.total === want.total) continue;
    if (recent.has(ownerId)) continue;
    // Counters first, then the environments: a change between the two moves the counters.
    const seen = (await deps.environments.counters([ownerId])).get(ownerId)!;
    const exact = recount(await deps.environments.allOfOwner(ownerId)).byOwner.get(ownerId) ?? {
      running: 0,
      total: 0,
    };
    if (seen.running === exact.running && seen.total === exact.total) continue;
    if (await deps.environments.correctCounters(ownerId, seen, exact)) {
      report.countersCorrected.push({ ownerId, from: seen, to: exact });
      await audited(deps, now, 'quota.recount', `user:${ownerId}`, {
        detail: `counters ${JSON.stringify(seen)} corrected to ${JSON.stringify(exact)}`,
      });
      log('reconciler: quota counters corrected', {
        level: 'warn',
        ownerId,
        from: seen,
        to: exact,
      });
    }
  }
  if (recent.size) return;
  const globalAfter = await deps.environments.globalRunning();
  if (globalAfter !== globalBefore || globalAfter === expected.globalRunning) return;
  if (await deps.environments.correctGlobalRunning(globalAfter, expected.globalRunning)) {
    report.countersCorrected.push({
      ownerId: 'GLOBAL',
      from: globalAfter,
      to: expected.globalRunning,
    });
    log('reconciler: global running counter corrected', {
      level: 'warn',
      from: globalAfter,
      to: expected.globalRunning,
    });
  }
}

function audited(
  deps: ReconcilerDeps,
  now: Date,
  action: string,
  target: string,
  extra: { detail: string },
) {
  return deps.audit?.record({
    id: newId(),
    at: now.toISOString(),
    actorId: 'system',
    action,
    target,
    result: 'success',
    ...extra,
  });
}
