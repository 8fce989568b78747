// The reaper's pure decisions: when to warn, when to cull, and when the
// activity signal is too quiet to trust.
import { describe, expect, it } from 'vitest';
import type { Environment, Status } from '../../../core/environment/model.js';
import { defaultSettings } from '../../../core/environment/model.js';
import { cullDecision } from '../../../core/environment/policies.js';
import {
  activitySignal,
  culledStatus,
  reapAction,
  strictestLimits,
  uncull,
} from '../../../core/environment/reaper.js';
import { anEnvironment, proLimits } from './fixtures.js';

const limits = { ...proLimits, idleTimeoutMinutes: 60, maxLifetimeHours: 12 };
const settings = { cullWarningMinutes: 10 };
const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();

function running(status: Partial<Status> = {}, patch: Partial<Environment> = {}) {
  return anEnvironment({
    desiredState: 'running',
    status: {
      phase: 'Running',
      conditions: [],
      observedGeneration: 1,
      events: [],
      startedAt: iso(0),
      ...status,
    },
    ...patch,
  });
}

describe('reapAction', () => {
  it('leaves an active environment alone', () => {
    expect(
      reapAction(running({ lastActivityAt: iso(30) }), limits, settings, at(45), {
        holdIdle: false,
      }),
    ).toBeUndefined();
  });

  it('warns inside the warning window with the time of the cull', () => {
    const action = reapAction(running({ lastActivityAt: iso(10) }), limits, settings, at(61), {
      holdIdle: false,
    });
    expect(action).toEqual({ type: 'warn', cullAt: iso(70) });
  });

  it('does not rewrite a warning already shown', () => {
    const env = running({ lastActivityAt: iso(10), cullAt: iso(70) });
    expect(reapAction(env, limits, settings, at(62), { holdIdle: false })).toBeUndefined();
  });

  it('culls an idle environment once due, counting from its start when it never reported activity', () => {
    expect(reapAction(running(), limits, settings, at(60), { holdIdle: false })).toMatchObject({
      type: 'cull',
      decision: { reason: 'Idle', cull: true },
    });
  });

  it('culls at the maximum lifetime however active it is', () => {
    const env = running({ lastActivityAt: iso(12 * 60 - 1) });
    expect(reapAction(env, limits, settings, at(12 * 60), { holdIdle: false })).toMatchObject({
      type: 'cull',
      decision: { reason: 'MaxLifetime' },
    });
  });

  it('holds idle culls and their warnings while the activity signal is broken, but not the lifetime', () => {
    expect(reapAction(running(), limits, settings, at(90), { holdIdle: true })).toBeUndefined();
    const old = running({ lastActivityAt: iso(12 * 60 - 5) });
    expect(reapAction(old, limits, settings, at(12 * 60), { holdIdle: true })).toMatchObject({
      type: 'cull',
      decision: { reason: 'MaxLifetime' },
    });
  });

  it('clears a warning that no longer applies', () => {
    const env = running({ lastActivityAt: iso(50), cullAt: iso(70) });
    expect(reapAction(env, limits, settings, at(55), { holdIdle: false })).toEqual({
      type: 'clearWarning',
    });
  });

  it('never culls what is not Running, even with an old startedAt from an earlier run', () => {
    const restarting = running({ phase: 'Starting' });
    expect(
      reapAction(restarting, limits, settings, at(24 * 60), { holdIdle: false }),
    ).toBeUndefined();
    const stopped = running({}, { desiredState: 'stopped' });
    expect(reapAction(stopped, limits, settings, at(24 * 60), { holdIdle: false })).toBeUndefined();
  });
});

describe('strictestLimits', () => {
  it('takes the shortest idle timeout and lifetime of all tiers', () => {
    const s = defaultSettings();
    s.tiers.gpu = { ...s.tiers.pro!, idleTimeoutMinutes: 15, maxLifetimeHours: 100 };
    expect(strictestLimits(s)).toMatchObject({ idleTimeoutMinutes: 15, maxLifetimeHours: 12 });
  });

  it("and of the templates' own policies", () => {
    const s = defaultSettings();
    expect(strictestLimits(s, [{}, { idleTimeoutMinutes: 10 }, { maxLifetimeHours: 2 }])).toEqual({
      idleTimeoutMinutes: 10,
      maxLifetimeHours: 2,
    });
  });
});

describe('reapAction with an admin keep-alive', () => {
  const idle = (keepAliveUntil: string) => running({}, { keepAliveUntil });

  it('neither warns nor culls before it ends, however idle or old', () => {
    expect(
      reapAction(idle(iso(24 * 60)), limits, settings, at(20 * 60), { holdIdle: false }),
    ).toBeUndefined();
  });

  it('clears a warning that showed before it was set', () => {
    const env = running({ cullAt: iso(60) }, { keepAliveUntil: iso(120) });
    expect(reapAction(env, limits, settings, at(55), { holdIdle: false })).toEqual({
      type: 'clearWarning',
    });
  });

  it('warns when it ends and culls one warning window later', () => {
    expect(reapAction(idle(iso(120)), limits, settings, at(120), { holdIdle: false })).toEqual({
      type: 'warn',
      cullAt: iso(130),
    });
    expect(
      reapAction(idle(iso(120)), limits, settings, at(130), { holdIdle: false }),
    ).toMatchObject({ type: 'cull', decision: { reason: 'Idle' } });
  });
});

describe('culledStatus', () => {
  it('records which rule and which timestamps, drops the warning and keeps the rest', () => {
    const env = running({ lastActivityAt: iso(5), cullAt: iso(65), url: 'http://x' });
    const decision = cullDecision(env.status, limits, settings, at(66))!;
    const status = culledStatus(env.status, decision, limits, settings, at(66));
    expect(status.cullAt).toBeUndefined();
    expect(status.url).toBe('http://x');
    const culled = status.conditions.find((c) => c.type === 'Culled')!;
    expect(culled).toMatchObject({ status: 'True', reason: 'Idle', lastTransitionTime: iso(66) });
    expect(culled.message).toContain(`No activity since ${iso(5)}`);
    expect(culled.message).toContain(`due at ${iso(65)}`);
    expect(culled.message).toContain(`warned from ${iso(55)}`);
    expect(status.events.at(-1)).toMatchObject({ reason: 'Culled', message: culled.message });
  });
});

describe('uncull', () => {
  it('sets a Culled condition False on the next start, keeping when and why', () => {
    const env = running({ lastActivityAt: iso(5) });
    const decision = cullDecision(env.status, limits, settings, at(66))!;
    const culled = culledStatus(env.status, decision, limits, settings, at(66));
    const started = uncull(culled, at(200));
    expect(started.conditions.find((c) => c.type === 'Culled')).toEqual({
      type: 'Culled',
      status: 'False',
      reason: 'Started',
      message: `Started again at ${iso(200)}; culled (Idle) at ${iso(66)}.`,
      lastTransitionTime: iso(200),
    });
    expect(started.events).toEqual(culled.events);
    // Nothing to end: the same status.
    expect(uncull(started, at(300))).toBe(started);
    expect(uncull(env.status, at(300))).toBe(env.status);
  });
});

describe('activitySignal', () => {
  const opts = { silenceMinutes: 30, minFleet: 3 };
  const fleet = (activity: Array<number | undefined>, startedAt = -120) =>
    activity.map((a) =>
      running({ startedAt: iso(startedAt), lastActivityAt: a === undefined ? undefined : iso(a) }),
    );

  it('is broken when a big enough fleet recorded nothing for the silence window', () => {
    expect(activitySignal(fleet([-100, -90, undefined]), at(0), opts)).toMatchObject({
      healthy: false,
      established: 3,
      newestActivity: iso(-90),
    });
  });

  it('is healthy when any of them recorded activity recently', () => {
    expect(activitySignal(fleet([-100, -10, undefined]), at(0), opts).healthy).toBe(true);
  });

  it('does not judge a small fleet, or environments too new to have reported', () => {
    expect(activitySignal(fleet([undefined, undefined]), at(0), opts).healthy).toBe(true);
    expect(activitySignal(fleet([undefined, undefined, undefined], -5), at(0), opts)).toMatchObject(
      {
        healthy: true,
        established: 0,
      },
    );
  });
});
