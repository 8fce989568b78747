import type { ScheduledEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scheduledEvent, startSchedule } from '../../stacks/local/schedule.js';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00.000Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('scheduledEvent', () => {
  it('has the shape EventBridge sends for a rule', () => {
    const event = scheduledEvent('reaper', 'eu-west-1', new Date('2026-01-01T00:01:00.250Z'));
    expect(event).toEqual({
      version: '0',
      id: expect.any(String),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: '2026-01-01T00:01:00Z',
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:000000000000:rule/reaper'],
      detail: {},
    });
  });
});

describe('startSchedule', () => {
  it('runs every period, never two at once, and logs failures instead of stopping', async () => {
    const events: ScheduledEvent[] = [];
    let active = 0;
    let maxActive = 0;
    const logs: string[] = [];
    const schedule = startSchedule({
      name: 'reaper',
      everyMs: 1_000,
      log: (m) => logs.push(m),
      handler: async (event, context) => {
        events.push(event);
        expect(context.functionName).toBe('reaper');
        active++;
        maxActive = Math.max(maxActive, active);
        // The second run takes 2.5 periods: the ticks it overlaps are skipped.
        await new Promise((r) => setTimeout(r, events.length === 2 ? 2_500 : 10));
        active--;
        if (events.length === 1) throw new Error('cluster unreachable');
      },
    });

    await vi.advanceTimersByTimeAsync(999);
    expect(events).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1); // t=1s: run 1 (fails)
    await vi.advanceTimersByTimeAsync(1_000); // t=2s: run 2, busy until 4.5s
    await vi.advanceTimersByTimeAsync(2_500); // t=4.5s: ticks at 3s and 4s skipped
    expect(events).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(500); // t=5s: run 3, back on the grid
    expect(events).toHaveLength(3);
    expect(events.map((e) => e.time)).toEqual([
      '2026-01-01T00:00:01Z',
      '2026-01-01T00:00:02Z',
      '2026-01-01T00:00:05Z',
    ]);
    expect(maxActive).toBe(1);
    expect(logs).toEqual([expect.stringContaining('cluster unreachable')]);

    const stopping = schedule.stop(); // run 3 is still in flight for 10 ms
    await vi.advanceTimersByTimeAsync(10);
    await stopping;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(events).toHaveLength(3);
  });

  it('stop() waits for a run in flight', async () => {
    let finished = false;
    const schedule = startSchedule({
      name: 'reconciler',
      everyMs: 100,
      handler: async () => {
        await new Promise((r) => setTimeout(r, 1_000));
        finished = true;
      },
    });
    await vi.advanceTimersByTimeAsync(100);
    const stopping = schedule.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopping;
    expect(finished).toBe(true);
  });
});
