import { describe, expect, it } from 'vitest';
import {
  delayPresets,
  Runtime,
  WorkQueue,
} from '../../stacks/local/kubesim/controllers/runtime.js';
import type { ClusterApi } from '../../stacks/local/kubesim/types.js';

const fakeApi = { now: () => new Date('2026-01-01T00:00:00Z') } as unknown as ClusterApi;

function runtime(paused = false) {
  const rt = new Runtime({ ...delayPresets.zero }, paused);
  rt.attach(fakeApi);
  return rt;
}

describe('simulation runtime', () => {
  it('paused: steps wait for advance, run in due order, and move the simulated clock', async () => {
    const rt = runtime(true);
    const seen: string[] = [];
    rt.after(300, () => {
      seen.push(`b@${rt.now().toISOString().slice(17, 23)}`);
    });
    rt.after(100, () => {
      seen.push('a');
      rt.after(100, () => {
        seen.push('a2');
      });
    });
    await rt.settle();
    expect(seen).toEqual([]);
    await rt.advance(250);
    expect(seen).toEqual(['a', 'a2']);
    await rt.advance(50);
    expect(seen).toEqual(['a', 'a2', 'b@00.300']);
    rt.stop();
  });

  it('a work queue never runs one key twice at once and re-runs a key added while it ran', async () => {
    const rt = runtime();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const queue = new WorkQueue(rt, async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      runs++;
      await new Promise((r) => setTimeout(r, 5));
      if (runs === 1) queue.add('k'); // added while running: one more run after
      running--;
    });
    queue.add('k');
    queue.add('k'); // deduplicated while queued
    await new Promise((r) => setTimeout(r, 50));
    await rt.settle();
    expect(maxRunning).toBe(1);
    expect(runs).toBe(2);
    rt.stop();
  });

  it('keeps one pending delayed look per key: the earliest', async () => {
    const rt = runtime(true);
    let runs = 0;
    const queue = new WorkQueue(rt, async () => {
      runs++;
    });
    queue.add('k', 1000);
    queue.add('k', 500);
    queue.add('k', 2000);
    await rt.advance(3000);
    expect(runs).toBe(1);
    rt.stop();
  });
});
