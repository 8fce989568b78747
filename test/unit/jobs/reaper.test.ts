// The reaper's run with in-memory ports: what it reads, what it holds, and
// what it writes. (Its DynamoDB conditions are proved on the local stack in
// test/e2e/reaper.test.ts.)
import { describe, expect, it } from 'vitest';
import { defaultSettings, type Environment } from '../../../core/environment/model.js';
import { type ReaperDeps, reapEnvironments } from '../../../core/jobs/reaper.js';
import { anEnvironment, aTemplate } from '../environment/fixtures.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

function running(
  i: number,
  lastActivityMinutesAgo: number | undefined,
  patch: Partial<Environment> = {},
): Environment {
  const env = anEnvironment({
    id: `e${'a'.repeat(15)}${'abcdefghijklmnopqrstuvwxyz'[i]}`,
    status: {
      phase: 'Running',
      conditions: [],
      observedGeneration: 1,
      events: [],
      startedAt: ago(180),
      ...(lastActivityMinutesAgo === undefined
        ? {}
        : { lastActivityAt: ago(lastActivityMinutesAgo) }),
    },
    ...patch,
  });
  return { ...env, spec: { ...env.spec, templateId: patch.spec?.templateId ?? 'jupyterlab' } };
}

// A GPU template idles out after 20 minutes, sooner than the free tier's 60.
const templates = [aTemplate(), aTemplate({ id: 'gpu', idleTimeoutMinutes: 20 })];
const onGpu = (env: Environment): Partial<Environment> => ({
  spec: { ...env.spec, templateId: 'gpu' },
});

function fakes(envs: Environment[], options: ReaperDeps['options'] = {}) {
  const writes: string[] = [];
  const logs: Array<{ message: string; fields: Record<string, unknown> }> = [];
  let userReads = 0;
  const deps: ReaperDeps = {
    environments: {
      runningPage: async ({ limit, startKey } = {}) => {
        const from = Number(startKey?.at ?? 0);
        const to = Math.min(envs.length, from + (limit ?? envs.length));
        return { items: envs.slice(from, to), nextKey: to < envs.length ? { at: to } : undefined };
      },
      startedBeforePage: async (before) => ({
        items: envs.filter((e) => e.status.startedAt! < before.toISOString()),
      }),
      setCullAt: async (env, cullAt) => {
        writes.push(`cullAt ${env.id} ${cullAt}`);
        return true;
      },
      changeDesired: async (env, next) => {
        writes.push(`stop ${env.id}`);
        return { ...env, ...next, generation: env.generation + 1 };
      },
    },
    catalog: { settings: async () => defaultSettings(), list: async () => templates },
    users: {
      get: async () => {
        userReads++;
        return { tier: 'free' } as never;
      },
    },
    queue: { publish: async () => true },
    now: () => NOW,
    log: (message, fields) => logs.push({ message, fields }),
    options: { minFleet: 3, silenceMinutes: 30, ...options },
  };
  return { deps, writes, logs, userReads: () => userReads };
}

describe('reapEnvironments', () => {
  it('culls the idle, reads only their owners, and writes nothing for the active', async () => {
    // Free tier: idle 60 min. Two idle (90 and 70 min), three active.
    const envs = [running(0, 90), running(1, 70), running(2, 5), running(3, 3), running(4, 1)];
    const f = fakes(envs);
    const report = await reapEnvironments(f.deps);
    expect(report.culled.map((c) => c.envId)).toEqual([envs[0]!.id, envs[1]!.id]);
    expect(f.writes).toEqual([`stop ${envs[0]!.id}`, `stop ${envs[1]!.id}`]);
    expect(f.userReads()).toBe(1); // one owner, read once
  });

  it('holds idle culls and logs an alarm when a big fleet records no activity', async () => {
    const envs = [running(0, 90), running(1, 70), running(2, 45), running(3, undefined)];
    const f = fakes(envs);
    const report = await reapEnvironments(f.deps);
    expect(report).toMatchObject({ holdingIdleCulls: true, culled: [] });
    expect(f.writes).toEqual([]);
    expect(f.logs.find((l) => l.fields.alarm === 'ActivitySignalSilent')).toBeDefined();
  });

  it('reads at most maxEnvironments, page by page, and says so', async () => {
    const envs = [0, 1, 2, 3, 4].map((i) => running(i, 1));
    const f = fakes(envs, { maxEnvironments: 3, pageSize: 2 });
    const report = await reapEnvironments(f.deps);
    expect(report).toMatchObject({ read: 3, readByStart: 0, truncated: true });
  });

  it("applies the template's policy when it is stricter than the tier's", async () => {
    const base = running(0, 30);
    const envs = [running(0, 30, onGpu(base)), running(1, 30), running(2, 1)];
    const f = fakes(envs);
    const report = await reapEnvironments(f.deps);
    expect(report.culled).toEqual([{ envId: envs[0]!.id, reason: 'Idle' }]);
  });

  it('finds a busy environment over its lifetime even when the activity walk stops before it', async () => {
    // Free tier: 12 h. The busiest comes last in activity order, beyond the bound.
    const old = running(4, 1, {
      status: {
        phase: 'Running',
        conditions: [],
        observedGeneration: 1,
        events: [],
        startedAt: ago(13 * 60),
        lastActivityAt: ago(1),
      },
    });
    const envs = [running(0, 5), running(1, 4), running(2, 3), running(3, 2), old];
    const f = fakes(envs, { maxEnvironments: 3, pageSize: 2 });
    const report = await reapEnvironments(f.deps);
    expect(report).toMatchObject({ read: 4, readByStart: 1 });
    expect(report.culled).toEqual([{ envId: old.id, reason: 'MaxLifetime' }]);
  });

  it("neither warns nor culls before an admin's keep-alive ends, then warns first", async () => {
    const kept = (until: number) =>
      running(0, 90, { keepAliveUntil: new Date(NOW.getTime() + until * 60_000).toISOString() });
    const during = fakes([kept(30), running(1, 1), running(2, 1)]);
    expect(await reapEnvironments(during.deps)).toMatchObject({ warned: 0, culled: [] });
    expect(during.writes).toEqual([]);
    // Ended 5 minutes ago: the warning shows for the window (10 min) before the cull.
    const after = fakes([kept(-5), running(1, 1), running(2, 1)]);
    expect(await reapEnvironments(after.deps)).toMatchObject({ warned: 1, culled: [] });
    expect(after.writes).toEqual([`cullAt ${kept(-5).id} ${ago(-5)}`]);
  });
});
