// The reaper's run (every minute): walks the running environments least
// recently active first (GSI1, never a Scan), then those started long enough
// ago to reach the shortest maximum lifetime (GSI4: found however busy they
// are, even when the first walk stops at its bound), warns before a cull
// (cullAt), and culls what is idle or over its lifetime by writing
// desiredState=stopped — conditional on no newer activity and no admin
// keep-alive, so a racing heartbeat wins — then enqueues the intent. The
// policy is the stricter of the owner's tier and the template's. It never
// touches a volume: stopping keeps it.

import { newId } from '../auth/secrets.js';
import type { Environment, Settings, TierLimits } from '../environment/model.js';
import {
  type CullLimits,
  cullLimits,
  cullWarningOf,
  longestCullWarning,
  tierLimits,
} from '../environment/policies.js';
import {
  activitySignal,
  culledStatus,
  type ReapAction,
  reapAction,
  strictestLimits,
} from '../environment/reaper.js';
import type { IntentQueue } from '../queue/publisher.js';
import type { AuditStore } from '../store/audit.js';
import type { CatalogStore } from '../store/catalog.js';
import { EnvironmentChanged, type EnvironmentStore } from '../store/environments.js';
import type { UserStore } from '../store/users.js';

export interface ReaperOptions {
  /** Bounded work: at most this many running environments read per run. */
  maxEnvironments: number;
  pageSize: number;
  /** See activitySignal(): how long a fleet may be silent, and how big it must be to count. */
  silenceMinutes: number;
  minFleet: number;
}

export const defaultReaperOptions: ReaperOptions = {
  maxEnvironments: 20_000,
  pageSize: 500,
  silenceMinutes: 30,
  minFleet: 10,
};

export interface ReaperDeps {
  environments: Pick<
    EnvironmentStore,
    'runningPage' | 'startedBeforePage' | 'changeDesired' | 'setCullAt'
  >;
  catalog: Pick<CatalogStore, 'settings' | 'list'>;
  users: Pick<UserStore, 'get'>;
  queue: Pick<IntentQueue, 'publish'>;
  /** Each cull is recorded in the audit log, beside the Culled condition on the environment. */
  audit?: Pick<AuditStore, 'record'>;
  now: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
  options?: Partial<ReaperOptions>;
}

export interface ReaperReport {
  read: number;
  /** Of those, read by the second walk (over-age candidates the first did not reach). */
  readByStart: number;
  /** A walk stopped at maxEnvironments. */
  truncated: boolean;
  warned: number;
  culled: Array<{ envId: string; reason: string }>;
  /** Culls lost to a racing heartbeat or change (the other writer won). */
  raced: number;
  /** Idle culls held because the activity signal looks broken. */
  holdingIdleCulls: boolean;
}

const defaultLog = (message: string, fields: Record<string, unknown>) =>
  console.log(JSON.stringify({ message, ...fields }));

export async function reapEnvironments(deps: ReaperDeps): Promise<ReaperReport> {
  const options = { ...defaultReaperOptions, ...deps.options };
  const log = deps.log ?? defaultLog;
  const now = deps.now();
  const [settings, templateList] = await Promise.all([
    deps.catalog.settings(),
    deps.catalog.list(),
  ]);
  const templates = new Map(templateList.map((t) => [t.id, t]));
  const strictest = strictestLimits(settings, templateList);
  // Tiers may warn earlier than the installation: the first look uses the longest lead.
  const longest = longestCullWarning(settings);

  const { envs, truncated } = await readRunning(deps, options);
  const byStart = strictest
    ? await readStartedBefore(deps, options, lifetimeHorizon(strictest, longest, now), envs)
    : { envs: [], truncated: false };
  // The signal judges the activity walk alone: the second one adds only old starts.
  const signal = activitySignal(envs, now, options);
  if (!signal.healthy)
    log('ALARM reaper: no activity recorded for any running environment; idle culls held', {
      level: 'error',
      alarm: 'ActivitySignalSilent',
      established: signal.established,
      newestActivity: signal.newestActivity ?? null,
      silenceMinutes: options.silenceMinutes,
    });

  const report: ReaperReport = {
    read: envs.length + byStart.envs.length,
    readByStart: byStart.envs.length,
    truncated: truncated || byStart.truncated,
    warned: 0,
    culled: [],
    raced: 0,
    holdingIdleCulls: !signal.healthy,
  };
  const tiers = new Map<string, string>();
  const holdIdle = !signal.healthy;
  for (const env of [...envs, ...byStart.envs]) {
    // Most environments are nowhere near a cull even under the strictest policy: skip the owner's read.
    if (!env.status.cullAt && strictest && !reapAction(env, strictest, longest, now, { holdIdle }))
      continue;
    const tier = await limitsOf(deps, settings, tiers, env.ownerId);
    if (!tier) continue;
    const limits = cullLimits(tier, templates.get(env.spec.templateId));
    const warning = cullWarningOf(settings, tier);
    const action = reapAction(env, limits, warning, now, { holdIdle });
    if (action) await carryOut(deps, env, action, tier, limits, warning, now, report, log);
  }
  if (truncated)
    log('reaper: more running environments than one run reads; the most active wait', {
      level: 'warn',
      read: envs.length,
    });
  return report;
}

async function readRunning(deps: ReaperDeps, options: ReaperOptions) {
  const envs: Environment[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.environments.runningPage({
      limit: Math.min(options.pageSize, options.maxEnvironments - envs.length),
      startKey,
    });
    envs.push(...page.items);
    startKey = page.nextKey;
  } while (startKey && envs.length < options.maxEnvironments);
  return { envs, truncated: startKey !== undefined };
}

/** Environments started before this may reach the strictest lifetime within the warning window. */
function lifetimeHorizon(
  strictest: CullLimits,
  settings: Pick<Settings, 'cullWarningMinutes'>,
  now: Date,
): Date {
  return new Date(
    now.getTime() - strictest.maxLifetimeHours * 3_600_000 + settings.cullWarningMinutes * 60_000,
  );
}

/** The second walk: Running environments started before `before` that the first did not read. */
async function readStartedBefore(
  deps: ReaperDeps,
  options: ReaperOptions,
  before: Date,
  seen: Environment[],
) {
  const ids = new Set(seen.map((e) => e.id));
  const envs: Environment[] = [];
  let read = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.environments.startedBeforePage(before, {
      limit: Math.min(options.pageSize, options.maxEnvironments - read),
      startKey,
    });
    read += page.items.length;
    // The index is eventually consistent: keep only what still runs.
    envs.push(...page.items.filter((e) => !ids.has(e.id) && e.desiredState === 'running'));
    startKey = page.nextKey;
  } while (startKey && read < options.maxEnvironments);
  return { envs, truncated: startKey !== undefined };
}

async function limitsOf(
  deps: ReaperDeps,
  settings: Settings,
  tiers: Map<string, string>,
  ownerId: string,
): Promise<TierLimits | undefined> {
  let tier = tiers.get(ownerId);
  if (tier === undefined) {
    tier = (await deps.users.get(ownerId))?.tier ?? '';
    tiers.set(ownerId, tier);
  }
  // An unknown tier has no policy: never cull on a guess.
  return Object.hasOwn(settings.tiers, tier) ? tierLimits(settings, tier) : undefined;
}

async function carryOut(
  deps: ReaperDeps,
  env: Environment,
  action: ReapAction,
  tier: TierLimits,
  limits: CullLimits,
  settings: Pick<Settings, 'cullWarningMinutes'>,
  now: Date,
  report: ReaperReport,
  log: (message: string, fields: Record<string, unknown>) => void,
) {
  if (action.type === 'warn' || action.type === 'clearWarning') {
    const cullAt = action.type === 'warn' ? action.cullAt : undefined;
    if (await deps.environments.setCullAt(env, cullAt)) report.warned += cullAt ? 1 : 0;
    return;
  }
  const { decision } = action;
  try {
    const culled = await deps.environments.changeDesired(
      env,
      {
        desiredState: 'stopped',
        dataDeletion: env.dataDeletion,
        status: culledStatus(env.status, decision, limits, settings, now),
      },
      // A stop only lowers counters: no limit applies.
      { maxRunning: tier.maxRunning, maxTotal: tier.maxTotal, maxRunningGlobal: 0 },
      now,
      { unlessActiveSince: true },
    );
    report.culled.push({ envId: env.id, reason: decision.reason });
    const record = culled.status.conditions.find((c) => c.type === 'Culled');
    await deps.audit?.record({
      id: newId(),
      at: now.toISOString(),
      actorId: 'system',
      action: 'environment.cull',
      target: `environment:${env.id}`,
      result: 'success',
      detail: `${decision.reason}: ${record?.message ?? ''}`,
    });
    log('environment culled', {
      envId: env.id,
      ownerId: env.ownerId,
      reason: decision.reason,
      lastActivityAt: env.status.lastActivityAt ?? null,
      startedAt: env.status.startedAt ?? null,
      cullAt: decision.cullAt.toISOString(),
      warnedFrom: env.status.cullAt ?? null,
    });
    await deps.queue.publish({
      envId: culled.id,
      ownerId: culled.ownerId,
      generation: culled.generation,
    });
  } catch (err) {
    if (!(err instanceof EnvironmentChanged)) throw err;
    report.raced++;
  }
}
