// The clock and work queues every simulated component runs on. Each step
// (bind a pod, pull an image, create a ReplicaSet) is a task on one timer
// list, so tests can pause the whole simulation, advance it by simulated
// milliseconds, or wait until nothing is due (settle) instead of sleeping.
import { StatusError } from '../errors.js';
import type { ClusterApi, WatchEvent } from '../types.js';

export interface SimulationDelays {
  serviceAccount: number;
  schedule: number;
  pull: number;
  start: number;
  ready: number;
  crashBackOff: number;
  bind: number;
  terminate: number;
  /** First retry of a failed controller step; doubles up to 60x. */
  retry: number;
}

export const delayPresets: Record<'zero' | 'realistic', SimulationDelays> = {
  zero: {
    serviceAccount: 0,
    schedule: 0,
    pull: 0,
    start: 0,
    ready: 0,
    crashBackOff: 50,
    bind: 0,
    terminate: 0,
    retry: 50,
  },
  realistic: {
    serviceAccount: 300,
    schedule: 400,
    pull: 2500,
    start: 700,
    ready: 1500,
    crashBackOff: 5000,
    bind: 1500,
    terminate: 1500,
    retry: 1000,
  },
};

interface Task {
  fn: () => void | Promise<void>;
  /** Real time it fires at, while running. */
  due?: number;
  timer?: ReturnType<typeof setTimeout>;
  /** Simulated time it fires at, while paused. */
  vdue?: number;
}

export class Runtime {
  private apiRef?: ClusterApi;
  private readonly tasks = new Set<Task>();
  private inflight = 0;
  private paused = false;
  private cursor = 0;
  /** How far advance() has moved simulated time ahead of the API server's clock. */
  private skewMs = 0;
  private stopped = false;

  constructor(
    readonly delays: SimulationDelays,
    paused = false,
  ) {
    this.paused = paused;
  }

  attach(api: ClusterApi) {
    this.apiRef ??= api;
    this.stopped = false;
  }

  get api(): ClusterApi {
    if (!this.apiRef) throw new Error('kubesim simulation used before start()');
    return this.apiRef;
  }

  now(): Date {
    return new Date(this.api.now().getTime() + this.skewMs);
  }

  private readonly fanout = new Map<
    string,
    { handlers: Set<(ev: WatchEvent) => void>; off: () => void }
  >();

  /**
   * api.subscribe with one underlying subscription per resource, so every
   * controller watching pods shares one copy of each event. Handlers must
   * treat the object as read-only.
   */
  subscribe(resource: string, fn: (ev: WatchEvent) => void): () => void {
    let entry = this.fanout.get(resource);
    if (!entry) {
      const handlers = new Set<(ev: WatchEvent) => void>();
      const off = this.api.subscribe(resource, (ev) => {
        for (const h of handlers) h(ev);
      });
      entry = { handlers, off };
      this.fanout.set(resource, entry);
    }
    const e = entry;
    e.handlers.add(fn);
    return () => {
      e.handlers.delete(fn);
      if (!e.handlers.size) {
        e.off();
        this.fanout.delete(resource);
      }
    };
  }

  /** Runs fn after ms of (simulated) time. Returns a cancel function. */
  after(ms: number, fn: () => void | Promise<void>): () => void {
    if (this.stopped) return () => {};
    const task: Task = { fn };
    this.tasks.add(task);
    if (this.paused) task.vdue = this.cursor + Math.max(0, ms);
    else this.arm(task, ms);
    return () => {
      if (task.timer) clearTimeout(task.timer);
      this.tasks.delete(task);
    };
  }

  /**
   * Waits ms of simulated time inside running work. The wait does not count
   * as running, so settle() and advance() see the step as pending, not busy.
   */
  async sleep(ms: number) {
    this.inflight--;
    try {
      await new Promise<void>((resolve) => this.after(ms, resolve));
    } finally {
      this.inflight++;
    }
  }

  /** Runs async work now, counted by settle(). Errors are reported, never thrown. */
  run(fn: () => void | Promise<void>) {
    if (this.stopped) return;
    this.inflight++;
    Promise.resolve()
      .then(fn)
      .catch((err) => reportError(err))
      .finally(() => {
        this.inflight--;
      });
  }

  private arm(task: Task, ms: number) {
    task.due = Date.now() + Math.max(0, ms);
    task.vdue = undefined;
    task.timer = setTimeout(() => this.fire(task), Math.max(0, ms));
  }

  private fire(task: Task) {
    if (!this.tasks.delete(task)) return;
    task.timer = undefined;
    this.run(task.fn);
  }

  isPaused() {
    return this.paused;
  }

  pause() {
    if (this.paused) return;
    this.paused = true;
    this.cursor = 0;
    const now = Date.now();
    for (const t of this.tasks) {
      if (t.timer) clearTimeout(t.timer);
      t.timer = undefined;
      t.vdue = Math.max(0, (t.due ?? now) - now);
    }
  }

  resume() {
    if (!this.paused) return;
    this.paused = false;
    for (const t of this.tasks) this.arm(t, (t.vdue ?? this.cursor) - this.cursor);
  }

  /** While paused: runs every step due within ms of simulated time, in order, settling after each. */
  async advance(ms: number) {
    if (!this.paused) throw new Error('advance() needs a paused simulation: call pause() first');
    const target = this.cursor + ms;
    for (;;) {
      await this.settle();
      let next: Task | undefined;
      for (const t of this.tasks)
        if (t.vdue !== undefined && t.vdue <= target && (!next || t.vdue < next.vdue!)) next = t;
      if (!next) break;
      this.skewMs += next.vdue! - this.cursor;
      this.cursor = next.vdue!;
      this.fire(next);
    }
    this.skewMs += target - this.cursor;
    this.cursor = target;
    await this.settle();
  }

  /** Resolves once no work is running and no step is due now. */
  async settle(timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    while (quiet < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, quiet ? 1 : 0));
      // while paused, due steps wait for advance(); only running work counts
      const dueNow = !this.paused && [...this.tasks].some((t) => (t.due ?? 0) <= Date.now());
      quiet = this.inflight === 0 && !dueNow ? quiet + 1 : 0;
    }
    if (quiet < 3 && process.env.KUBESIM_DEBUG)
      console.error('[kubesim] settle timed out', {
        inflight: this.inflight,
        paused: this.paused,
        tasks: [...this.tasks].map((t) => ({
          due: t.due ? t.due - Date.now() : undefined,
          vdue: t.vdue,
          armed: Boolean(t.timer),
          fn: String(t.fn).slice(0, 80),
        })),
      });
  }

  stop() {
    this.stopped = true;
    for (const t of this.tasks) if (t.timer) clearTimeout(t.timer);
    this.tasks.clear();
  }
}

/** Conflicts and already-gone objects are the normal weather of controllers; anything else is worth a line. */
export function reportError(err: unknown) {
  if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return;
  if (process.env.KUBESIM_DEBUG) console.error('[kubesim controller]', err);
}

/**
 * A keyed work queue with the controller-runtime promises: one key is never
 * processed twice at once, a key added while it runs is processed again
 * after, and a failing key is retried with exponential back-off.
 */
export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly later = new Map<string, { at: number; cancel: () => void }>();

  constructor(
    private readonly rt: Runtime,
    private readonly handler: (key: string) => Promise<void>,
  ) {}

  add(key: string, delayMs = 0) {
    if (delayMs > 0) {
      // one pending later look per key, the earliest asked for
      const at = Date.now() + delayMs;
      const pending = this.later.get(key);
      if (pending && pending.at <= at) return;
      pending?.cancel();
      const cancel = this.rt.after(delayMs, () => {
        this.later.delete(key);
        this.add(key);
      });
      this.later.set(key, { at, cancel });
      return;
    }
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.rt.after(0, () => this.process(key));
  }

  private async process(key: string) {
    this.queued.delete(key);
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.running.add(key);
    try {
      await this.handler(key);
      this.failures.delete(key);
    } catch (err) {
      reportError(err);
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.running.delete(key);
      this.add(key, Math.min(this.rt.delays.retry * 2 ** (n - 1), this.rt.delays.retry * 60));
      return;
    } finally {
      this.running.delete(key);
    }
    if (this.dirty.delete(key)) this.add(key);
  }
}

export const keyOf = (ns: string | undefined, name: string | undefined) =>
  `${ns ?? ''}/${name ?? ''}`;
export const splitKey = (key: string): [string, string] => {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
};

/** `2026-01-01T00:00:00Z`: metav1.Time, second precision. */
export const rfc3339 = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

export const isNotFound = (err: unknown) => err instanceof StatusError && err.code === 404;
