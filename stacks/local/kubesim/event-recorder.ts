// core/v1 Events as client-go's recorder writes them: one Event per object,
// reason and message, whose count and lastTimestamp grow on repeats; names
// suffixed with the time in hex so they list in the order they happened; and
// expiry after a TTL, as the API server's --event-ttl.

import type { ApiServer } from './apiserver.js';
import { rfc3339 } from './json.js';
import { resolveResource, resourceKey } from './resources.js';
import type { KubeObject } from './types.js';

/** Events are written as a cluster component. */
const RECORDER_USER = 'system:admin';

let lastEventNanos = 0n;
/** Hex nanoseconds, strictly increasing within the process. */
function eventSuffix(now: Date): string {
  let nanos = BigInt(now.getTime()) * 1_000_000n;
  if (nanos <= lastEventNanos) nanos = lastEventNanos + 1n;
  lastEventNanos = nanos;
  return nanos.toString(16);
}

export class EventRecorder {
  /** Aggregation key (namespace, uid, reason, message, source, type) → Event name. */
  private readonly names = new Map<string, string>();

  constructor(private readonly api: ApiServer) {}

  async record(
    involved: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    source: string,
  ) {
    const events = resolveResource('events');
    const namespace = involved.metadata.namespace ?? 'default';
    const aggKey = [namespace, involved.metadata.uid, reason, message, source, type].join('\u0000');
    const now = rfc3339(this.api.now());
    const existingName = this.names.get(aggKey);
    const existing =
      existingName && this.api.store.get(resourceKey(events), namespace, existingName);
    if (existing) {
      const next = structuredClone(existing);
      next.count = (next.count ?? 1) + 1;
      next.lastTimestamp = now;
      await this.api.updateObject(events, namespace, existingName as string, next, {
        user: RECORDER_USER,
      });
      return;
    }
    const name = `${involved.metadata.name}.${eventSuffix(this.api.now())}`;
    this.names.set(aggKey, name);
    await this.api.createObject(
      events,
      namespace,
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: involved.apiVersion,
          kind: involved.kind,
          name: involved.metadata.name,
          namespace: involved.metadata.namespace,
          uid: involved.metadata.uid,
          resourceVersion: involved.metadata.resourceVersion,
        },
        reason,
        message,
        type,
        source: { component: source },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        reportingComponent: source,
        reportingInstance: '',
      },
      { user: RECORDER_USER },
    );
  }

  /** Removes Events last seen more than `ttlMs` ago; returns how many. */
  expire(ttlMs: number): number {
    const key = resourceKey(resolveResource('events'));
    const store = this.api.store;
    const cutoff = this.api.now().getTime() - ttlMs;
    const old: KubeObject[] = [];
    for (const [, e] of store.scan(key)) {
      const seen = Date.parse(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '');
      if (seen < cutoff) old.push(e);
    }
    for (const e of old) store.remove(key, e);
    for (const [aggKey, name] of this.names) {
      if (!store.get(key, aggKey.split('\u0000')[0], name)) this.names.delete(aggKey);
    }
    return old.length;
  }
}
