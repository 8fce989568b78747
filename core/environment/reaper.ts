// The reaper's decisions, pure: for a running environment, whether to warn
// (set cullAt), cull (stop it; the volume is kept) or leave it; and whether
// the activity signal itself can be trusted. The I/O lives in core/jobs/reaper.ts.
import type { Environment, Settings, Status, Template } from './model.js';
import { pushEvent, setCondition } from './planner.js';
import { type CullDecision, type CullLimits, cullDecision } from './policies.js';

export type ReapEnvironment = Pick<
  Environment,
  'id' | 'desiredState' | 'status' | 'keepAliveUntil'
>;

export type ReapAction =
  | { type: 'cull'; decision: CullDecision }
  /** Show "will stop at cullAt" (store it when it differs). */
  | { type: 'warn'; cullAt: string }
  /** A warning shows that no longer applies (limits changed): clear it. */
  | { type: 'clearWarning' };

/**
 * What to do with one environment now. Only a Running one is culled: its
 * startedAt belongs to this run (a restarting one may carry an older one).
 * With `holdIdle` (the activity signal looks broken) idle culls and their
 * warnings wait; the maximum lifetime does not depend on activity and applies.
 * An admin's keep-alive holds both until it ends (see cullDecision).
 */
export function reapAction(
  env: ReapEnvironment,
  limits: CullLimits,
  settings: Pick<Settings, 'cullWarningMinutes'>,
  now: Date,
  opts: { holdIdle: boolean },
): ReapAction | undefined {
  if (env.desiredState !== 'running' || env.status.phase !== 'Running') return undefined;
  const decision = cullDecision(env.status, limits, settings, now, {
    keepAliveUntil: env.keepAliveUntil,
  });
  const held = decision?.reason === 'Idle' && opts.holdIdle;
  if (decision && !held && decision.cull) return { type: 'cull', decision };
  if (decision && !held && decision.warn) {
    const cullAt = decision.cullAt.toISOString();
    return env.status.cullAt === cullAt ? undefined : { type: 'warn', cullAt };
  }
  return env.status.cullAt ? { type: 'clearWarning' } : undefined;
}

/**
 * The most aggressive policy of all tiers and templates (shortest idle
 * timeout, shortest lifetime): an environment this would not even warn about
 * needs no closer look (and no read of its owner's tier).
 */
export function strictestLimits(
  settings: Settings,
  templates: Array<Partial<Pick<Template, 'idleTimeoutMinutes' | 'maxLifetimeHours'>>> = [],
): CullLimits | undefined {
  const tiers = Object.values(settings.tiers);
  if (!tiers.length) return undefined;
  const shortest = (values: Array<number | undefined>) =>
    Math.min(...values.filter((v): v is number => v !== undefined));
  return {
    idleTimeoutMinutes: shortest([
      ...tiers.map((t) => t.idleTimeoutMinutes),
      ...templates.map((t) => t.idleTimeoutMinutes),
    ]),
    maxLifetimeHours: shortest([
      ...tiers.map((t) => t.maxLifetimeHours),
      ...templates.map((t) => t.maxLifetimeHours),
    ]),
  };
}

/** The status a cull writes: a Culled condition that says which rule and which timestamps, and an event. */
export function culledStatus(
  status: Status,
  decision: CullDecision,
  limits: CullLimits,
  settings: Pick<Settings, 'cullWarningMinutes'>,
  now: Date,
): Status {
  const at = now.toISOString();
  const warnedAt = status.cullAt
    ? new Date(Date.parse(status.cullAt) - settings.cullWarningMinutes * 60_000).toISOString()
    : undefined;
  const why =
    decision.reason === 'Idle'
      ? `No activity since ${status.lastActivityAt ?? `its start at ${status.startedAt}`} (idle timeout ${limits.idleTimeoutMinutes} min)`
      : `Running since ${status.startedAt} (maximum lifetime ${limits.maxLifetimeHours} h)`;
  const message = `${why}; due at ${decision.cullAt.toISOString()}, stopped at ${at}${
    warnedAt ? `, warned from ${warnedAt}` : ', no warning was shown'
  }. The workspace volume is kept.`;
  const { cullAt: _shownUntilNow, ...rest } = status;
  return {
    ...rest,
    conditions: setCondition(
      status.conditions,
      { type: 'Culled', status: 'True', reason: decision.reason, message },
      at,
    ),
    events: pushEvent(status.events, { at, type: 'Normal', reason: 'Culled', message }),
  };
}

/**
 * The status a start writes: a Culled condition still True is set False (the
 * environment is no longer stopped by the reaper), keeping when and why it
 * was culled; the decision record stays in the events and the audit log.
 */
export function uncull(status: Status, now: Date): Status {
  const culled = status.conditions.find((c) => c.type === 'Culled');
  if (culled?.status !== 'True') return status;
  const at = now.toISOString();
  return {
    ...status,
    conditions: setCondition(
      status.conditions,
      {
        type: 'Culled',
        status: 'False',
        reason: 'Started',
        message: `Started again at ${at}; culled (${culled.reason}) at ${culled.lastTransitionTime}.`,
      },
      at,
    ),
  };
}

export interface ActivitySignal {
  healthy: boolean;
  /** Running long enough that someone using it would have sent a heartbeat. */
  established: number;
  /** The newest activity recorded among them. */
  newestActivity?: string;
}

/**
 * Whether activity is being recorded at all. Silence from a whole fleet is
 * not proof of a fault (everyone may have left), so it only counts as broken
 * when the fleet is big enough that someone would be expected to be active
 * (`minFleet` environments running for longer than `silenceMinutes`) and none
 * of them recorded activity in the last `silenceMinutes`.
 */
export function activitySignal(
  envs: ReapEnvironment[],
  now: Date,
  opts: { silenceMinutes: number; minFleet: number },
): ActivitySignal {
  const since = now.getTime() - opts.silenceMinutes * 60_000;
  let established = 0;
  let newest: string | undefined;
  for (const env of envs) {
    if (env.status.phase !== 'Running' || !env.status.startedAt) continue;
    if (Date.parse(env.status.startedAt) > since) continue;
    established++;
    const at = env.status.lastActivityAt;
    if (at && (!newest || at > newest)) newest = at;
  }
  const silent = !newest || Date.parse(newest) < since;
  return {
    healthy: !(established >= opts.minFleet && silent),
    established,
    newestActivity: newest,
  };
}
