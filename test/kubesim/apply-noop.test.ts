// A server-side apply that changes nothing is not a write, even a second
// later: the real server keeps managedFields times when nothing else moved
// (since 1.27), so the resourceVersion stays and no watch event is sent.
// kubesim used to write whenever the clock had moved to the next second.
import { type KubernetesObject, PatchStrategy } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { setupTestCluster } from './support.js';

let now = new Date('2030-01-01T00:00:00.000Z');
const cluster = setupTestCluster({ clock: () => now });

const apply = (body: KubernetesObject) =>
  cluster.objects.patch(
    body,
    undefined,
    undefined,
    'lablease',
    true,
    PatchStrategy.ServerSideApply,
  );

describe('server-side apply no-op', () => {
  it('keeps the resourceVersion and managedFields time when re-applied later, for core and custom kinds', async () => {
    const objects = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'noop', namespace: 'default' },
        data: { a: '1' },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'noop', namespace: 'default' },
        spec: { hostnames: ['noop.example.org'] },
      },
    ];
    for (const o of objects) {
      const first = await apply(o);
      now = new Date(now.getTime() + 5_000);
      const again = await apply(o);
      expect(again.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
      expect(again.metadata?.managedFields?.[0]?.time).toEqual(
        first.metadata?.managedFields?.[0]?.time,
      );
      // A real change still writes, with the new time.
      now = new Date(now.getTime() + 5_000);
      const changed = await apply({ ...o, metadata: { ...o.metadata, labels: { x: 'y' } } });
      expect(changed.metadata?.resourceVersion).not.toBe(first.metadata?.resourceVersion);
      expect(changed.metadata?.managedFields?.[0]?.time).not.toEqual(
        first.metadata?.managedFields?.[0]?.time,
      );
    }
  });
});
