// The reconciler's decisions, pure: for one live environment and what the
// cluster listing shows of it, whether to leave it, wake the provisioner (an
// intent: the provisioner stays the one writer of the cluster), or store a
// refreshed status; and the quota counters recounted from the environments.
import type { DesiredState, Environment, Phase, Status } from './model.js';
import type { Observed } from './observed.js';
import { type Action, type PlanOptions, plan } from './planner.js';

export type Repair =
  /** Wake the provisioner: `why` says what the reconciler saw. */
  | { type: 'enqueue'; why: 'stuck' | 'drift' | 'phase'; actions: Action['type'][] }
  /** The cluster changed under a settled environment: store what is seen. */
  | { type: 'writeStatus'; status: Status };

export interface ReconcileOptions {
  /** A change of intent older than this with the cluster not there yet is stuck (its message lost, its worker dead). */
  stuckAfterSeconds: number;
  planOptions?: PlanOptions;
}

const SETTLED: Phase[] = ['Running', 'Stopped', 'Failed', 'Deleted'];

/**
 * Level-based, like the planner it runs:
 * - the intent is newer than the cluster (generation > observedGeneration):
 *   left to its own intent for `stuckAfterSeconds`, then re-enqueued;
 * - the cluster needs actions (an object deleted or edited by hand, a purge
 *   now due): enqueue;
 * - no actions, but the phase the cluster shows is not the stored one (a
 *   start finished or timed out with nobody looking): enqueue, so the
 *   provisioner, which also reads events, decides;
 * - a settled environment whose status changed in place (readiness lost, a
 *   reason changed): the status is written here;
 * - otherwise nothing, so an unchanged fleet costs no write.
 * The reconciler lists no Events, so transitional environments' details are
 * left to the provisioner, which reads them.
 */
export function reconcileDecision(
  env: Environment,
  observed: Observed,
  now: Date,
  options: ReconcileOptions,
): Repair | undefined {
  if (env.generation > env.status.observedGeneration) {
    const since = now.getTime() - Date.parse(env.updatedAt);
    return since >= options.stuckAfterSeconds * 1000
      ? { type: 'enqueue', why: 'stuck', actions: [] }
      : undefined;
  }
  const decided = plan(env, observed, now, options.planOptions);
  if (decided.actions.length)
    return { type: 'enqueue', why: 'drift', actions: decided.actions.map((a) => a.type) };
  if (sameStatus(decided.status, env.status)) return undefined;
  if (decided.status.phase !== env.status.phase)
    return { type: 'enqueue', why: 'phase', actions: [] };
  if (!SETTLED.includes(env.status.phase)) return undefined;
  return { type: 'writeStatus', status: decided.status };
}

/**
 * Status equality as stored: absent and undefined are the same, and the
 * fields heartbeats and the reaper own (lastActivityAt, cullAt) and the
 * provisioner's bookkeeping (converged) do not count.
 */
export function sameStatus(a: Status, b: Status): boolean {
  return canonical(a) === canonical(b);
}

function canonical(status: Status): string {
  const { lastActivityAt: _a, cullAt: _c, converged: _p, ...rest } = status;
  return JSON.stringify(rest, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .sort(([x], [y]) => x.localeCompare(y)),
        )
      : v,
  );
}

export interface Recount {
  byOwner: Map<string, { running: number; total: number }>;
  globalRunning: number;
}

/** The counters as the environments say they should be (the store's rule: running = desired running, total = not deleted). */
export function recount(envs: Array<Pick<Environment, 'ownerId' | 'desiredState'>>): Recount {
  const byOwner = new Map<string, { running: number; total: number }>();
  let globalRunning = 0;
  for (const env of envs) {
    const c = byOwner.get(env.ownerId) ?? { running: 0, total: 0 };
    const one = quotaCounts(env.desiredState);
    c.running += one.running;
    c.total += one.total;
    globalRunning += one.running;
    byOwner.set(env.ownerId, c);
  }
  return { byOwner, globalRunning };
}

/** What one environment counts for in its owner's quota counters, by its desired state. */
export const quotaCounts = (s: DesiredState) => ({
  running: s === 'running' ? 1 : 0,
  total: s === 'deleted' ? 0 : 1,
});
