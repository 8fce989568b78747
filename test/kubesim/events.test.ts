// Events as controllers record them: aggregated like client-go's recorder,
// listed in the order they happened, and expired after the event TTL.
import { describe, expect, it } from 'vitest';
import { setupTestCluster } from './support.js';

let now = new Date('2030-01-01T00:00:00Z');
const cluster = setupTestCluster({ controllers: [], clock: () => now });

describe('events', () => {
  it('aggregates repeats into one Event with a count, and orders by time', async () => {
    const api = cluster.sim.api;
    const cm = await api.create('configmaps', 'default', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'subject' },
    });
    await api.recordEvent(
      cm,
      'Warning',
      'BackOff',
      'Back-off restarting failed container',
      'kubelet',
    );
    now = new Date(now.getTime() + 10_000);
    await api.recordEvent(cm, 'Normal', 'Pulled', 'pulled', 'kubelet');
    await api.recordEvent(
      cm,
      'Warning',
      'BackOff',
      'Back-off restarting failed container',
      'kubelet',
    );
    const list = await cluster.core.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'involvedObject.name=subject',
    });
    expect(list.items.map((e) => [e.reason, e.count])).toEqual([
      ['BackOff', 2],
      ['Pulled', 1],
    ]);
    const backoff = list.items[0];
    expect(backoff?.firstTimestamp?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(backoff?.lastTimestamp?.toISOString()).toBe('2030-01-01T00:00:10.000Z');
    expect(backoff?.source).toEqual({ component: 'kubelet' });
    expect(backoff?.involvedObject).toMatchObject({
      kind: 'ConfigMap',
      name: 'subject',
      namespace: 'default',
      uid: cm.metadata.uid,
    });
  });

  it('expires events after the TTL', async () => {
    const api = cluster.sim.api;
    const cm = await api.create('configmaps', 'default', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'old-news' },
    });
    await api.recordEvent(cm, 'Normal', 'Created', 'made');
    now = new Date(now.getTime() + 2 * 3600_000);
    expect(await api.expireEvents(3600_000)).toBeGreaterThanOrEqual(1);
    expect(
      api.list('events', { namespace: 'default', fieldSelector: 'involvedObject.name=old-news' })
        .items,
    ).toEqual([]);
    // A repeat after expiry starts a fresh Event.
    await api.recordEvent(cm, 'Normal', 'Created', 'made');
    expect(
      api
        .list('events', { namespace: 'default', fieldSelector: 'involvedObject.name=old-news' })
        .items.map((e) => e.count),
    ).toEqual([1]);
  });
});
