// The reaper on the local stack: warnings before a cull, idle and lifetime
// culls that keep the volume, heartbeats that keep an environment running,
// and a heartbeat that wins a race with the cull. The clock is the test's:
// time passes by calling the reaper with a later `now`.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../core/environment/model.js';
import { type Jobs, jobsFor, runningEnvironment } from '../support/jobs.js';
import { eventually, type Session, setupPlatform } from '../support/platform.js';

const ctx = setupPlatform();
let jobs: Jobs;
const envs: Array<{ user: Session & { userId: string }; env: Environment }> = [];

// Free tier: idle timeout 60 min, maximum lifetime 12 h, warning 10 min before.
const sinceStart = (env: Environment, minutes: number) =>
  new Date(Date.parse(env.status.startedAt!) + minutes * 60_000);

beforeAll(async () => {
  jobs = await jobsFor(ctx.platform);
  envs.push(...(await Promise.all([0, 1, 2, 3].map(() => runningEnvironment(ctx.platform, jobs)))));
}, 60_000);

describe('the reaper', () => {
  it('shows cullAt before culling an idle environment, then stops it as Culled/Idle and keeps its volume', async () => {
    const { user, env } = envs[0]!;
    expect((await jobs.reap(sinceStart(env, 45), [env.id])).warned).toBe(0);

    const warned = await jobs.reap(sinceStart(env, 51), [env.id]);
    expect(warned.warned).toBe(1);
    const shown = await user.json<{ status: { cullAt: string | null } }>(
      `/api/v1/environments/${env.id}`,
    );
    expect(shown.body.status.cullAt).toBe(sinceStart(env, 60).toISOString());

    const culled = await jobs.reap(sinceStart(env, 61), [env.id]);
    expect(culled.culled).toEqual([{ envId: env.id, reason: 'Idle' }]);
    const stopped = await eventually(
      'the culled environment to stop',
      () => jobs.get(env),
      (e) => e.status.phase === 'Stopped',
    );
    expect(stopped.desiredState).toBe('stopped');
    expect(stopped.generation).toBe(env.generation + 1);
    expect(stopped.status.cullAt).toBeUndefined();
    const condition = stopped.status.conditions.find((c) => c.type === 'Culled');
    expect(condition).toMatchObject({ status: 'True', reason: 'Idle' });
    expect(condition!.message).toContain(`warned from ${sinceStart(env, 50).toISOString()}`);
    const pvc = await jobs.cluster.read({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: env.spec.volume.name, namespace: `lab-${env.ownerId}` },
    });
    expect(pvc).toBeDefined();
    expect((await jobs.services.environments.usage(env.ownerId)).running).toBe(0);
    // The decision is in the audit log too (recorded at the reaper's clock).
    const trail = await jobs.services.audit.list(
      { limit: 10, filter: { target: `environment:${env.id}` } },
      sinceStart(env, 61),
    );
    expect(trail.items).toContainEqual(
      expect.objectContaining({ actorId: 'system', action: 'environment.cull', result: 'success' }),
    );
    expect(trail.items[0]!.detail).toContain('Idle: No activity since');

    // Started again by its owner: no longer culled, and why it was is kept.
    const start = await user.request(`/api/v1/environments/${env.id}/start`, { method: 'POST' });
    expect(start.status).toBe(202);
    const restarted = await jobs.get(env);
    expect(restarted.status.conditions.find((c) => c.type === 'Culled')).toMatchObject({
      status: 'False',
      reason: 'Started',
    });
    expect(restarted.status.events.map((e) => e.reason)).toContain('Culled');
  });

  it('keeps an environment whose heartbeats arrive; a heartbeat clears the warning', async () => {
    const { user, env } = envs[1]!;
    await jobs.reap(sinceStart(env, 55), [env.id]);
    expect((await jobs.get(env)).status.cullAt).toBeDefined();
    // "Keep it running": the dashboard's heartbeat.
    const beat = await user.request(`/api/v1/environments/${env.id}/heartbeat`, { method: 'POST' });
    expect(beat.status).toBe(204);
    const cleared = await jobs.get(env);
    expect(cleared.status.cullAt).toBeUndefined();
    expect(cleared.status.lastActivityAt).toBeDefined();
    // Someone else's environment does not exist for them.
    const stranger = envs[0]!.user;
    const theirs = await stranger.request(`/api/v1/environments/${env.id}/heartbeat`, {
      method: 'POST',
    });
    expect(theirs.status).toBe(404);
    // A second one within the minute writes nothing.
    expect(await jobs.services.environments.recordActivity(cleared, new Date())).toBe(false);

    // Heartbeats keep coming as the hours pass.
    for (const minutes of [50, 100, 150])
      expect(await jobs.services.environments.recordActivity(env, sinceStart(env, minutes))).toBe(
        true,
      );
    const report = await jobs.reap(sinceStart(env, 195), [env.id]); // 45 min after the last one
    expect(report).toMatchObject({ culled: [], warned: 0 });
    const kept = await jobs.get(env);
    expect(kept.desiredState).toBe('running');
    expect(kept.status.cullAt).toBeUndefined();
  });

  it('loses a race to a heartbeat that lands between its read and its cull', async () => {
    const { env } = envs[2]!;
    const report = await jobs.reap(sinceStart(env, 70), [env.id], {
      beforeCull: async (read) => {
        await jobs.services.environments.recordActivity(read, sinceStart(env, 69));
      },
    });
    expect(report.culled).toEqual([]);
    expect(report.raced).toBe(1);
    const kept = await jobs.get(env);
    expect(kept.desiredState).toBe('running');
    expect(kept.generation).toBe(env.generation);
    expect(kept.status.lastActivityAt).toBe(sinceStart(env, 69).toISOString());
  });

  it("waits for an admin's keep-alive to end, then warns, then culls", async () => {
    const { env } = envs[2]!;
    const read = await jobs.get(env);
    await jobs.services.environments.setKeepAlive(read, sinceStart(env, 300).toISOString());
    expect(await jobs.reap(sinceStart(env, 299), [env.id])).toMatchObject({
      warned: 0,
      culled: [],
    });
    expect((await jobs.reap(sinceStart(env, 301), [env.id])).warned).toBe(1);
    expect((await jobs.get(env)).status.cullAt).toBe(sinceStart(env, 310).toISOString());
    const report = await jobs.reap(sinceStart(env, 310), [env.id]);
    expect(report.culled).toEqual([{ envId: env.id, reason: 'Idle' }]);
  });

  it('culls at the maximum lifetime however active the environment is', async () => {
    const { env } = envs[3]!;
    // Found by its start (GSI4) as well as by its activity, so a busy one cannot hide at the end of a bounded walk.
    const byStart = await jobs.services.environments.startedBeforePage(sinceStart(env, 1));
    expect(byStart.items.map((e) => e.id)).toContain(env.id);
    await jobs.services.environments.recordActivity(env, sinceStart(env, 12 * 60 - 2));
    const report = await jobs.reap(sinceStart(env, 12 * 60), [env.id]);
    expect(report.culled).toEqual([{ envId: env.id, reason: 'MaxLifetime' }]);
    const culled = await jobs.get(env);
    expect(culled.desiredState).toBe('stopped');
    expect(culled.status.conditions.find((c) => c.type === 'Culled')).toMatchObject({
      reason: 'MaxLifetime',
    });
    const after = await jobs.services.environments.startedBeforePage(sinceStart(env, 1));
    expect(after.items.map((e) => e.id)).not.toContain(env.id);
  });
});
