// The per-instance activity throttle: one attempt a minute per environment,
// bounded memory.
import { describe, expect, it } from 'vitest';
import { ActivityThrottle } from '../../../core/access/activity.js';

const t0 = new Date('2026-11-22T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('ActivityThrottle', () => {
  it('lets one attempt a minute through per environment', () => {
    const throttle = new ActivityThrottle();
    expect(throttle.due('e1', at(0))).toBe(true);
    expect(throttle.due('e1', at(59_999))).toBe(false);
    expect(throttle.due('e2', at(1))).toBe(true);
    expect(throttle.due('e1', at(60_000))).toBe(true);
    expect(throttle.due('e1', at(60_001))).toBe(false);
  });

  it('lets an attempt through when the clock went backwards', () => {
    const throttle = new ActivityThrottle();
    throttle.due('e1', at(60_000));
    expect(throttle.due('e1', at(0))).toBe(true);
  });

  it('forgets the oldest environments beyond its bound', () => {
    const throttle = new ActivityThrottle({ maxEntries: 3 });
    for (const id of ['e1', 'e2', 'e3', 'e4']) throttle.due(id, at(0));
    expect(throttle.size).toBe(3);
    expect(throttle.due('e1', at(1))).toBe(true);
    expect(throttle.due('e4', at(1))).toBe(false);
  });
});
