// Verified traffic is activity. Writing it on every request would put a
// DynamoDB write on the hot path of every environment; the store's write is
// conditional on a minute already (EnvironmentStore.recordActivity), and this
// throttle in front of it keeps each API instance to at most one attempt per
// environment per minute, so a busy environment costs one write a minute per
// instance, not one per request — and the write never needs a read first: the
// cookie names the owner, which is the item's key.
import type { EnvironmentStore } from '../store/environments.js';

export const ACTIVITY_INTERVAL_MS = 60_000;

/** Per-instance memory of the last attempt per environment, bounded (oldest forgotten first). */
export class ActivityThrottle {
  private readonly last = new Map<string, number>();

  constructor(private readonly opts: { intervalMs?: number; maxEntries?: number } = {}) {}

  /** True when `envId` is due a write at `now` (and remembers that it is being written). */
  due(envId: string, now: Date): boolean {
    const interval = this.opts.intervalMs ?? ACTIVITY_INTERVAL_MS;
    const at = now.getTime();
    const previous = this.last.get(envId);
    if (previous !== undefined && at - previous < interval && at >= previous) return false;
    // Re-insert so the Map's order is the order of attempts: the first key is the oldest.
    this.last.delete(envId);
    this.last.set(envId, at);
    const max = this.opts.maxEntries ?? 10_000;
    while (this.last.size > max) this.last.delete(this.last.keys().next().value!);
    return true;
  }

  get size() {
    return this.last.size;
  }
}

export interface ActivityRecorder {
  /** Counts one verified request; writes at most once a minute per environment. Never throws. */
  touch(env: { id: string; ownerId: string }): Promise<void>;
}

export function activityRecorder(deps: {
  environments: Pick<EnvironmentStore, 'recordActivity'>;
  throttle: ActivityThrottle;
  now: () => Date;
  log: (message: string, fields: Record<string, unknown>) => void;
}): ActivityRecorder {
  return {
    async touch(env) {
      const now = deps.now();
      if (!deps.throttle.due(env.id, now)) return;
      try {
        // false: not running, or written by another instance within the minute — both fine.
        await deps.environments.recordActivity(env, now);
      } catch (err) {
        // Activity is best effort: a lost minute never denies the request. The next attempt is a minute away.
        deps.log('activity write failed', { envId: env.id, err: String(err) });
      }
    },
  };
}
