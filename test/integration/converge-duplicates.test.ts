// The provisioner against kubesim with duplicated intents: while a start is
// polled, one delayed intent per environment stays on the queue, however many
// copies SQS delivers or the reconciler adds. Before, each extra message
// requeued itself for as long as the start lasted, so a backlog fed on itself.
import { describe, expect, it } from 'vitest';
import { convergeEnvironment, redundant } from '../../core/cluster/converge.js';
import type { Intent } from '../../core/queue/intent.js';
import { setupTestCluster } from '../kubesim/support.js';
import { convergeHarness } from '../support/converge.js';
import { anEnvironment, aTemplate } from '../unit/environment/fixtures.js';

const cluster = setupTestCluster();

describe('duplicated intents', () => {
  it('end at once while a poll of the same generation is queued; a new generation is never dropped', async () => {
    // Never ready: the start is polled for as long as the test needs.
    cluster.sim.simulation.scriptImage(aTemplate().image.split(':')[0]!, 'NeverReady');
    let clock = new Date('2026-03-01T10:00:00.000Z');
    const published: Array<{ intent: Intent; delaySeconds?: number }> = [];
    const h = convergeHarness(cluster.kc, anEnvironment(), {
      queue: {
        publish: async (intent, opts) => {
          published.push({ intent, delaySeconds: opts?.delaySeconds });
          return true;
        },
      },
      now: () => clock,
      planOptions: { deadlines: { pollSeconds: 5 } },
    });
    const { deps } = h;
    const intent = () => ({
      envId: h.get().id,
      ownerId: h.get().ownerId,
      generation: h.get().generation,
    });

    // The first converge starts the environment and queues its next poll.
    const first = await convergeEnvironment(deps, intent());
    expect(first.statusWritten).toBe(true);
    expect(first.requeueAfterSeconds).toBe(5);
    expect(published).toHaveLength(1);
    const firstAt = clock;
    expect(h.get().status.converged).toEqual({
      at: clock.toISOString(),
      generation: 1,
      nextPollAt: new Date(clock.getTime() + 5000).toISOString(),
    });

    // Two copies arrive a second later: nothing is read from the cluster, nothing queued.
    clock = new Date(clock.getTime() + 1000);
    const requests = cluster.sim.requests.count();
    const statusBefore = h.get().status;
    for (let i = 0; i < 2; i++) {
      const dup = await convergeEnvironment(deps, intent());
      expect(dup).toMatchObject({ statusWritten: false, actions: [] });
    }
    expect(cluster.sim.requests.count()).toBe(requests);
    expect(published).toHaveLength(1);
    expect(h.get().status).toBe(statusBefore);

    // The poll itself, when due, runs and queues the next one.
    clock = new Date(clock.getTime() + 4000);
    expect(redundant(h.get(), clock)).toBe(false);
    const poll = await convergeEnvironment(deps, intent(), {
      sentAt: new Date(clock.getTime() - 5),
    });
    expect(poll.statusWritten).toBe(true);
    expect(published).toHaveLength(2);

    // A copy sent before that poll started, held up in a backlog, arrives after the next
    // poll is due: the poll that ran since has seen everything it could be about.
    clock = new Date(clock.getTime() + 6000);
    const late = await convergeEnvironment(deps, intent(), { sentAt: firstAt });
    expect(late).toMatchObject({ statusWritten: false, actions: [] });
    expect(published).toHaveLength(2);

    // A change of intent (generation + 1) is converged at once, however old the last poll.
    h.set({ desiredState: 'stopped' });
    const stop = await convergeEnvironment(deps, intent());
    expect(stop.statusWritten).toBe(true);
    expect(stop.actions.length).toBeGreaterThan(0);
  });
});
