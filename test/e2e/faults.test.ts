// With the cluster failing 30% of requests (500 and 429), every lifecycle
// still converges by itself, nothing is lost, and no volume is deleted.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { defaultSettings } from '../../core/environment/model.js';
import { createServices } from '../../core/services.js';
import { createUser, eventually, setupPlatform } from '../support/platform.js';

// The reconciler runs, as in production: it is the safety net for an intent the
// provisioner gave up on (dead-lettered after maxReceiveCount failed converges).
const ctx = setupPlatform({ scheduleEveryMs: 3_000 });

// 12 lifecycles in the suite; FAULT_RUN_LIFECYCLES=100 runs the figure by hand.
const LIFECYCLES = Number(process.env.FAULT_RUN_LIFECYCLES ?? 12);

interface Env {
  id: string;
  ownerId: string;
  volume: { name: string };
  status: { phase: string; failure: { reason: string; message: string } | null };
}

/** A small seeded generator: the same faults on every run. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('a flaky cluster', () => {
  it(
    'converges every lifecycle without losing anything or deleting a volume',
    async () => {
      const sim = ctx.platform.cluster.kubesim!;
      // One user whose tier allows them all (sign-ins are rate-limited per address).
      const services = await createServices(loadConfig());
      const settings = defaultSettings();
      settings.tiers.pro = { ...settings.tiers.pro!, maxRunning: LIFECYCLES, maxTotal: LIFECYCLES };
      await services.catalog.saveSettings(settings, undefined);
      const user = await createUser(ctx.platform, { tier: 'pro' });
      // Room on the 3 simulated nodes for every environment at once (0.5 CPU, 512 MiB each).
      await sim.simulation.setNodeCapacity({
        cpu: String(Math.ceil(LIFECYCLES / 6) + 2),
        memory: `${LIFECYCLES}Gi`,
      });
      sim.faults.random = mulberry32(42);
      sim.faults.add({ verb: '*', resource: '*', status: 500, probability: 0.15 });
      sim.faults.add({
        verb: '*',
        resource: '*',
        status: 429,
        retryAfterSeconds: 1,
        probability: 0.18,
      });
      try {
        // Every environment run to Running, stopped, deleted.
        const envs = await Promise.all(
          Array.from({ length: LIFECYCLES }, async (_, i) => {
            const res = await user.json<Env>('/api/v1/environments', {
              method: 'POST',
              body: { name: `Flaky ${i}`, templateId: 'agent-api' },
            });
            expect(res.status).toBe(202);
            return { user, env: res.body };
          }),
        );
        // The phase, and for a failure its reason and message, so a timeout says why.
        const phaseOf = async (e: (typeof envs)[number]) => {
          const { status } = (await e.user.json<Env>(`/api/v1/environments/${e.env.id}`)).body;
          return status.failure
            ? `${status.phase}: ${status.failure.reason} ${status.failure.message}`
            : status.phase;
        };
        const all = (phase: string) =>
          eventually(
            `all ${phase}`,
            () => Promise.all(envs.map(phaseOf)),
            (phases) => phases.every((p) => p === phase),
            180_000 + LIFECYCLES * 5_000,
          );
        await all('Running');
        for (const e of envs)
          expect(
            (await e.user.json(`/api/v1/environments/${e.env.id}/stop`, { method: 'POST' })).status,
          ).toBe(202);
        await all('Stopped');
        for (const e of envs)
          expect(
            (await e.user.json(`/api/v1/environments/${e.env.id}`, { method: 'DELETE' })).status,
          ).toBe(202);
        await all('Deleted');
        expect(sim.faults.list().reduce((n, f) => n + f.hits, 0)).toBeGreaterThan(20);
      } finally {
        sim.faults.clear();
      }
      // Every workspace volume is still there.
      const pvcs = sim.api.list('persistentvolumeclaims', {
        labelSelector: 'app.kubernetes.io/managed-by=lablease',
      }).items;
      expect(pvcs.filter((p) => !p.metadata.deletionTimestamp)).toHaveLength(LIFECYCLES);
    },
    600_000 + LIFECYCLES * 20_000,
  );
});
