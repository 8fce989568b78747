// kubesim's etcd: objects per resource under sorted `namespace/name` keys (so
// a namespace is one contiguous range and a page is a slice after the last
// key), one global resourceVersion counter, and per resource a bounded log
// of recent events (its watch cache) from which watches resume and continue
// tokens stay valid. Once an RV falls out of a resource's log it is
// "compacted": watches and continue tokens from before it answer 410
// Expired. Per resource, as the real watch cache: a busy pods stream does not
// expire a quiet informer's configmaps watch.
//
// The store never validates: apiserver.ts decides what is written. Stored
// objects are never mutated in place (writers store a fresh object), so
// readers inside kubesim may share them; the in-process ClusterApi clones
// before handing them out.

import type { KubeObject, WatchEvent, WatchEventType } from './types.js';

export interface LoggedEvent {
  rv: number;
  resource: string;
  type: Exclude<WatchEventType, 'BOOKMARK' | 'ERROR'>;
  object: KubeObject;
  /** The stored version this event replaced (MODIFIED/DELETED), for selector-filtered watches. */
  prev?: KubeObject;
}

export type Subscriber = (event: WatchEvent, rv: number, prev?: KubeObject) => void;

class ResourceBucket {
  readonly objects = new Map<string, KubeObject>();
  /** Keys in ascending order; kept sorted on insert (a splice of a few thousand is cheap). */
  readonly keys: string[] = [];
  readonly subscribers = new Set<Subscriber>();
  /** Recent events of this resource, oldest first: its watch cache. */
  log: LoggedEvent[] = [];
  /** Events with rv <= compactedRv are gone from `log`. */
  compactedRv: number;

  constructor(compactedRv: number) {
    this.compactedRv = compactedRv;
  }

  insertKey(key: string) {
    const i = lowerBound(this.keys, key);
    if (this.keys[i] !== key) this.keys.splice(i, 0, key);
  }

  removeKey(key: string) {
    const i = lowerBound(this.keys, key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }
}

/** First index whose key is >= `key`. */
export function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const objectKey = (namespace: string | undefined, name: string) =>
  `${namespace ?? ''}/${name}`;

export interface StoreOptions {
  /** How many events each resource's log keeps (its "watch cache"); older RVs are compacted. */
  eventLogSize?: number;
}

export class Store {
  private readonly buckets = new Map<string, ResourceBucket>();
  private rv = 0;
  /** Where history starts for resources first written later (0, or the RV of a restore/compact). */
  private baseRv = 0;
  private readonly logSize: number;
  private readonly changeListeners = new Set<() => void>();
  private readonly pending: Array<[ResourceBucket, LoggedEvent]> = [];
  private delivering = false;

  constructor(opts: StoreOptions = {}) {
    this.logSize = opts.eventLogSize ?? 10_000;
  }

  private bucket(resource: string): ResourceBucket {
    let b = this.buckets.get(resource);
    if (!b) {
      b = new ResourceBucket(this.baseRv);
      this.buckets.set(resource, b);
    }
    return b;
  }

  get currentRv(): number {
    return this.rv;
  }

  /** The oldest RV a watch or continue token of `resource` may still start from. */
  oldestRv(resource: string): number {
    return this.buckets.get(resource)?.compactedRv ?? this.baseRv;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.buckets.get(resource)?.objects.get(objectKey(namespace, name));
  }

  count(resource: string): number {
    return this.buckets.get(resource)?.objects.size ?? 0;
  }

  /**
   * Objects of one resource in key order, optionally one namespace only,
   * starting strictly after `afterKey`. Yields [key, object].
   */
  *scan(resource: string, namespace?: string, afterKey?: string): Generator<[string, KubeObject]> {
    const b = this.buckets.get(resource);
    if (!b) return;
    const prefix = namespace === undefined ? '' : `${namespace}/`;
    let i = lowerBound(b.keys, afterKey !== undefined && afterKey >= prefix ? afterKey : prefix);
    if (b.keys[i] === afterKey) i++;
    for (; i < b.keys.length; i++) {
      const key = b.keys[i] as string;
      if (prefix && !key.startsWith(prefix)) return;
      const obj = b.objects.get(key);
      if (obj) yield [key, obj];
    }
  }

  /**
   * Like scan, but as the objects were at `atRv` (which must still be in the
   * log): objects changed since are served in their version at `atRv`,
   * objects created since are skipped and objects deleted since come back —
   * what etcd's read at a revision gives the pages of a continued list.
   */
  *scanAt(
    resource: string,
    atRv: number,
    namespace?: string,
    afterKey?: string,
  ): Generator<[string, KubeObject]> {
    const since = this.eventsSince(resource, atRv) ?? [];
    if (since.length === 0) {
      yield* this.scan(resource, namespace, afterKey);
      return;
    }
    // The first event after atRv of each key tells its state at atRv: its `prev` (absent: created since).
    const then = new Map<string, KubeObject | undefined>();
    for (const e of since) {
      const key = objectKey(e.object.metadata.namespace, e.object.metadata.name as string);
      if (!then.has(key)) then.set(key, e.type === 'ADDED' ? undefined : e.prev);
    }
    const prefix = namespace === undefined ? '' : `${namespace}/`;
    const gone = [...then.keys()]
      .filter(
        (k) =>
          k.startsWith(prefix) &&
          (afterKey === undefined || k > afterKey) &&
          !this.buckets.get(resource)?.objects.has(k),
      )
      .sort();
    const current = this.scan(resource, namespace, afterKey);
    let next = current.next();
    let g = 0;
    while (!next.done || g < gone.length) {
      const useGone = next.done || (g < gone.length && (gone[g] as string) < next.value[0]);
      const key = useGone ? (gone[g++] as string) : next.value[0];
      const obj = then.has(key) ? then.get(key) : (next.value as [string, KubeObject])[1];
      if (!useGone) next = current.next();
      if (obj) yield [key, obj];
    }
  }

  /** How many objects of `resource` (in `namespace`, if given) sort after `afterKey`. */
  countAfter(resource: string, namespace: string | undefined, afterKey: string): number {
    const b = this.buckets.get(resource);
    if (!b) return 0;
    const start =
      lowerBound(b.keys, afterKey) + (b.keys[lowerBound(b.keys, afterKey)] === afterKey ? 1 : 0);
    const end = namespace === undefined ? b.keys.length : lowerBound(b.keys, `${namespace}/\uffff`);
    return Math.max(0, end - start);
  }

  /** Stores `obj` (a fresh object the caller no longer mutates) under a new RV and emits one event. */
  put(resource: string, obj: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
    const rv = ++this.rv;
    obj.metadata.resourceVersion = String(rv);
    const b = this.bucket(resource);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name as string);
    const prev = b.objects.get(key);
    if (!prev) b.insertKey(key);
    b.objects.set(key, obj);
    this.emit(b, { rv, resource, type, object: obj, ...(prev ? { prev } : {}) });
    return obj;
  }

  /** Removes the object; the DELETED event carries a new RV, as etcd's delete revision. */
  remove(resource: string, obj: KubeObject): KubeObject {
    const rv = ++this.rv;
    const b = this.bucket(resource);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name as string);
    const prev = b.objects.get(key);
    b.objects.delete(key);
    b.removeKey(key);
    const gone = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    this.emit(b, { rv, resource, type: 'DELETED', object: gone, ...(prev ? { prev } : {}) });
    return gone;
  }

  private emit(b: ResourceBucket, event: LoggedEvent) {
    b.log.push(event);
    if (b.log.length > this.logSize * 2) {
      // Amortised compaction: drop the older half in one slice.
      const drop = b.log.length - this.logSize;
      b.compactedRv = (b.log[drop - 1] as LoggedEvent).rv;
      b.log = b.log.slice(drop);
    }
    // Subscribers may write from their callback; queueing keeps every
    // subscriber seeing events in RV order even then.
    this.pending.push([b, event]);
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        const [bucket, e] = next;
        for (const fn of [...bucket.subscribers]) {
          try {
            fn({ type: e.type, object: e.object }, e.rv, e.prev);
          } catch {
            // A subscriber's bug must not break the write that notified it.
          }
        }
      }
    } finally {
      this.delivering = false;
    }
    for (const fn of this.changeListeners) fn();
  }

  /** Whether every event of `resource` after `rv` is still in its log. */
  isAvailable(resource: string, rv: number): boolean {
    return rv >= this.oldestRv(resource);
  }

  /** Logged events of one resource with rv > `afterRv`; undefined if compacted away. */
  eventsSince(resource: string, afterRv: number): LoggedEvent[] | undefined {
    if (!this.isAvailable(resource, afterRv)) return undefined;
    const log = this.buckets.get(resource)?.log ?? [];
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((log[mid] as LoggedEvent).rv <= afterRv) lo = mid + 1;
      else hi = mid;
    }
    return log.slice(lo);
  }

  subscribe(resource: string, fn: Subscriber): () => void {
    const b = this.bucket(resource);
    b.subscribers.add(fn);
    return () => b.subscribers.delete(fn);
  }

  /** Called after every committed write (persistence uses it). */
  onChange(fn: () => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  /** Forgets the event log, as if everything up to now were compacted (tests of 410). */
  compact() {
    this.baseRv = this.rv;
    for (const b of this.buckets.values()) {
      b.log = [];
      b.compactedRv = this.rv;
    }
  }

  snapshot(): { resourceVersion: number; objects: Record<string, KubeObject[]> } {
    const objects: Record<string, KubeObject[]> = {};
    for (const [resource, b] of this.buckets) {
      if (b.objects.size) objects[resource] = [...b.objects.values()];
    }
    return { resourceVersion: this.rv, objects };
  }

  /** Loads a snapshot into an empty store; the log starts empty at the snapshot's RV. */
  restore(snap: { resourceVersion: number; objects: Record<string, KubeObject[]> }) {
    for (const [resource, objs] of Object.entries(snap.objects)) {
      const b = this.bucket(resource);
      for (const obj of objs) {
        const key = objectKey(obj.metadata.namespace, obj.metadata.name as string);
        b.objects.set(key, obj);
      }
      b.keys.length = 0;
      b.keys.push(...[...b.objects.keys()].sort());
    }
    this.rv = Math.max(this.rv, snap.resourceVersion);
    this.compact();
  }
}
