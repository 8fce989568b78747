// The dashboard's reading of GET /me/limits: why Launch is disabled, in the
// API's words, before anyone clicks; and the minutes left before a cull.
import { describe, expect, it } from 'vitest';
import type { Limits } from '../../web/src/api/types.js';
import { launchBlockedReason, minutesUntil } from '../../web/src/limits.js';

const limits = (running: number, total: number, maxRunning = 1, maxTotal = 3): Limits => ({
  tier: 'free',
  limits: {
    maxRunning,
    maxTotal,
    maxCpu: '1',
    maxMemory: '2Gi',
    idleTimeoutMinutes: 60,
    maxLifetimeHours: 12,
    volumeSizeGi: 5,
  },
  usage: { running, total },
});

describe('launchBlockedReason', () => {
  it('allows a launch below both limits, and while the limits are unknown', () => {
    expect(launchBlockedReason(limits(0, 2))).toBeUndefined();
    expect(launchBlockedReason(undefined)).toBeUndefined();
  });

  it('names the running limit, singular or plural, and what to do', () => {
    expect(launchBlockedReason(limits(1, 1))).toBe(
      'You have reached your tier’s limit of 1 running environment: stop one to launch another.',
    );
    expect(launchBlockedReason(limits(3, 3, 3, 10))).toContain(
      'limit of 3 running environments: stop one',
    );
  });

  it('names the total limit first: stopping one would not help', () => {
    expect(launchBlockedReason(limits(1, 3))).toBe(
      'You have reached your tier’s limit of 3 environments: delete one to launch another.',
    );
  });

  it('blocks at a limit of zero', () => {
    expect(launchBlockedReason(limits(0, 0, 0, 0))).toContain('limit of 0 environments');
  });
});

describe('minutesUntil', () => {
  const now = Date.parse('2026-01-01T10:00:00Z');
  it('rounds up and never says less than a minute', () => {
    expect(minutesUntil('2026-01-01T10:09:01Z', now)).toBe(10);
    expect(minutesUntil('2026-01-01T10:10:00Z', now)).toBe(10);
    expect(minutesUntil('2026-01-01T10:00:10Z', now)).toBe(1);
    expect(minutesUntil('2026-01-01T09:59:00Z', now)).toBe(1);
  });
});
