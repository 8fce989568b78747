// A tier's own warning lead time before a cull: the reaper warns that tier's
// environments that much ahead (others keep the installation's), and the cull
// says when the warning began.
import { describe, expect, it } from 'vitest';
import { defaultSettings, type Environment } from '../../../core/environment/model.js';
import { cullWarningOf, longestCullWarning } from '../../../core/environment/policies.js';
import { type ReaperDeps, reapEnvironments } from '../../../core/jobs/reaper.js';
import { anEnvironment, aTemplate } from '../environment/fixtures.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const OWNERS = { free: 'f'.repeat(32), pro: 'a'.repeat(32) };

/** Running, started 5 h ago, last active `idle` minutes ago. */
function running(i: number, owner: keyof typeof OWNERS, idle: number): Environment {
  return anEnvironment({
    id: `e${'a'.repeat(15)}${'abcdefghijklmnopqrstuvwxyz'[i]}`,
    ownerId: OWNERS[owner],
    status: {
      phase: 'Running',
      conditions: [],
      observedGeneration: 1,
      events: [],
      startedAt: ago(300),
      lastActivityAt: ago(idle),
    },
  });
}

function run(envs: Environment[]) {
  // Both idle out after 60 min. Free is warned 10 min ahead (the installation's), pro 60.
  const settings = defaultSettings();
  settings.tiers.pro!.idleTimeoutMinutes = 60;
  settings.tiers.pro!.cullWarningMinutes = 60;
  const writes: string[] = [];
  const deps: ReaperDeps = {
    environments: {
      runningPage: async () => ({ items: envs }),
      startedBeforePage: async () => ({ items: [] }),
      setCullAt: async (env, cullAt) => {
        writes.push(`warn ${env.id} ${cullAt}`);
        return true;
      },
      changeDesired: async (env, next) => {
        writes.push(`stop ${env.id}`);
        return { ...env, ...next, generation: env.generation + 1 };
      },
    },
    catalog: { settings: async () => settings, list: async () => [aTemplate()] },
    users: {
      get: async (id) => ({ tier: id === OWNERS.pro ? 'pro' : 'free' }) as never,
    },
    queue: { publish: async () => true },
    now: () => NOW,
    log: () => {},
    options: { minFleet: 100 },
  };
  return { deps, writes, settings };
}

describe('a tier’s warning lead time', () => {
  it('falls back to the installation’s, and the longest one is what the first look uses', () => {
    const settings = defaultSettings();
    expect(cullWarningOf(settings, settings.tiers.free!)).toEqual({ cullWarningMinutes: 10 });
    expect(longestCullWarning(settings)).toEqual({ cullWarningMinutes: 10 });
    settings.tiers.pro!.cullWarningMinutes = 60;
    expect(cullWarningOf(settings, settings.tiers.pro!)).toEqual({ cullWarningMinutes: 60 });
    expect(longestCullWarning(settings)).toEqual({ cullWarningMinutes: 60 });
    settings.tiers.free!.cullWarningMinutes = 0;
    expect(cullWarningOf(settings, settings.tiers.free!)).toEqual({ cullWarningMinutes: 0 });
  });

  it('warns a pro environment 60 minutes ahead, a free one only 10', async () => {
    // Pro idle 20 of 60 min: 40 min left, inside pro's 60 (a first look with the installation's
    // 10 would have passed it by). Free idle 45: 15 left, outside 10; idle 55: 5 left, inside.
    const pro = running(0, 'pro', 20);
    const free = running(1, 'free', 45);
    const freeSoon = running(2, 'free', 55);
    const { deps, writes } = run([pro, free, freeSoon]);
    const report = await reapEnvironments(deps);
    expect(report.warned).toBe(2);
    expect(writes).toEqual([
      `warn ${pro.id} ${new Date(NOW.getTime() + 40 * 60_000).toISOString()}`,
      `warn ${freeSoon.id} ${new Date(NOW.getTime() + 5 * 60_000).toISOString()}`,
    ]);
  });

  it('a cull says the warning began the tier’s lead time before it', async () => {
    const due = new Date(NOW.getTime() - 60_000).toISOString();
    const pro = {
      ...running(0, 'pro', 61),
      status: { ...running(0, 'pro', 61).status, cullAt: due },
    };
    const stops: Environment[] = [];
    const { deps } = run([pro]);
    deps.environments.changeDesired = async (env, next) => {
      const culled = { ...env, ...next, generation: env.generation + 1 };
      stops.push(culled);
      return culled;
    };
    await reapEnvironments(deps);
    const culled = stops[0]!.status.conditions.find((c) => c.type === 'Culled');
    expect(culled?.message).toContain(
      `warned from ${new Date(Date.parse(due) - 60 * 60_000).toISOString()}`,
    );
  });
});
