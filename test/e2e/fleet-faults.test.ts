// The fault run of the reaper/reconciler issue, small enough for the suite
// (FLEET_FAULT_ENVS=200 runs the figure by hand): a fleet under random
// heartbeats, culls, stops, starts, deletes and duplicated intents while the
// cluster fails 20% of requests; then, faults cleared, the reconciler brings
// everything to its desired state, no volume is gone, the counters are exact.
import { describe, expect, it } from 'vitest';
import type { Environment } from '../../core/environment/model.js';
import { type Jobs, jobsFor } from '../support/jobs.js';
import { createUser, eventually, setupPlatform } from '../support/platform.js';

const ctx = setupPlatform();
const N = Number(process.env.FLEET_FAULT_ENVS ?? 10);

/** A small seeded generator: the same run every time. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const settledPhase = { running: 'Running', stopped: 'Stopped', deleted: 'Deleted' } as const;
const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000);

describe('a fleet on a failing cluster', () => {
  it(
    'ends with every environment as desired, every volume kept and exact counters',
    async () => {
      const jobs: Jobs = await jobsFor(ctx.platform);
      const { services } = jobs;
      const sim = ctx.platform.cluster.kubesim!;
      const settings = await services.catalog.settings();
      settings.tiers.pro = { ...settings.tiers.pro!, maxRunning: N, maxTotal: N };
      settings.maxRunningGlobal = Math.max(settings.maxRunningGlobal, N);
      await services.catalog.saveSettings(settings, undefined);
      const user = await createUser(ctx.platform, { tier: 'pro' });
      const random = mulberry32(7);
      sim.faults.random = mulberry32(42);
      sim.faults.add({ verb: '*', resource: '*', status: 500, probability: 0.1 });
      sim.faults.add({
        verb: '*',
        resource: '*',
        status: 429,
        retryAfterSeconds: 1,
        probability: 0.1,
      });

      const ids: string[] = [];
      // Every workspace volume seen during the run (one stopped or deleted before its first start never had one).
      const volumes = () =>
        sim.api
          .list('persistentvolumeclaims', {
            labelSelector: 'app.kubernetes.io/managed-by=lablease',
          })
          .items.filter((p) => !p.metadata.deletionTimestamp)
          .map((p) => p.metadata.name as string);
      const seen = new Set<string>();
      try {
        for (let i = 0; i < N; i++) {
          const res = await user.json<{ id: string }>('/api/v1/environments', {
            method: 'POST',
            // Small, so that the 200 of the by-hand run fit kubesim's nodes.
            body: {
              name: `Fleet ${i}`,
              templateId: 'agent-api',
              resources: { cpu: '100m', memory: '256Mi' },
            },
          });
          expect(res.status).toBe(202);
          ids.push(res.body.id);
        }
        const get = (id: string) => jobs.get({ ownerId: user.userId, id });
        for (let round = 0; round < 4; round++) {
          await new Promise((r) => setTimeout(r, 1500));
          for (const id of ids) {
            const env = await get(id);
            const roll = random();
            const path = `/api/v1/environments/${id}`;
            if (roll < 0.3) await user.request(`${path}/heartbeat`, { method: 'POST' });
            else if (roll < 0.45) await user.request(`${path}/stop`, { method: 'POST' });
            else if (roll < 0.6) await user.request(`${path}/start`, { method: 'POST' });
            else if (roll < 0.65) await user.request(path, { method: 'DELETE' });
            else if (roll < 0.8)
              await jobs.reap(minutesFromNow(5 * 60), [id]); // over the idle timeout
            else {
              // SQS redelivers: the same intent twice more.
              const intent = { envId: id, ownerId: env.ownerId, generation: env.generation };
              await services.queue.publish(intent);
              await services.queue.publish(intent);
            }
          }
          // The reconciler runs through the faults too; a cycle that fails is retried next time.
          await jobs.reconcile(minutesFromNow(3)).catch(() => undefined);
          for (const name of volumes()) seen.add(name);
        }
        expect(sim.faults.list().reduce((n, f) => n + f.hits, 0)).toBeGreaterThan(10);
      } finally {
        sim.faults.clear();
      }

      // Faults gone: the reconciler and the provisioner finish the job by themselves.
      const settled = (env: Environment) =>
        env.status.phase === settledPhase[env.desiredState] &&
        env.status.observedGeneration === env.generation;
      await eventually(
        'every environment as desired',
        async () => {
          await jobs.reconcile(minutesFromNow(3));
          return Promise.all(ids.map((id) => jobs.get({ ownerId: user.userId, id })));
        },
        (envs) => envs.every(settled),
        45_000 + N * 500,
      );
      for (const name of volumes()) seen.add(name);

      // No volume that ever existed is gone (nobody deleted data); every running one has its own.
      const pvcs = volumes();
      for (const name of seen) expect(pvcs).toContain(name);
      const envs = await Promise.all(ids.map((id) => jobs.get({ ownerId: user.userId, id })));
      for (const env of envs.filter((e) => e.desiredState === 'running'))
        expect(pvcs).toContain(env.spec.volume.name);

      // Counters exact: the owner's and the installation's.
      const running = envs.filter((e) => e.desiredState === 'running').length;
      const total = envs.filter((e) => e.desiredState !== 'deleted').length;
      expect(await services.environments.usage(user.userId)).toEqual({
        running,
        total,
        globalRunning: running,
      });
    },
    90_000 + N * 2_000,
  );
});
