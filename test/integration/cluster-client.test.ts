// The cluster client against kubesim through the real client: idempotent
// server-side apply, deletes that tolerate absence, paging, and the
// transient/permanent split the provisioner relies on.
import { describe, expect, it } from 'vitest';
import { ClusterClient, defaultRetryPolicy } from '../../core/cluster/client.js';
import { PermanentClusterError, TransientClusterError } from '../../core/cluster/errors.js';
import { setupTestCluster } from '../kubesim/support.js';

const cluster = setupTestCluster();
// No waiting between retries in tests: the behaviour is the same.
const client = () =>
  new ClusterClient(cluster.kc, { ...defaultRetryPolicy, sleep: async () => {} });

interface ConfigMap {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    resourceVersion?: string;
  };
  data: Record<string, string>;
}

const configMap = (name: string, data: Record<string, string> = { a: '1' }): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'lablease' } },
  data,
});

describe('ClusterClient', () => {
  it('creates with apply, and re-applying the same object changes nothing', async () => {
    const first = await client().apply(configMap('cc-apply'));
    const again = await client().apply(configMap('cc-apply'));
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const changed = await client().apply(configMap('cc-apply', { a: '2' }));
    expect(changed.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
    expect((await client().read<ConfigMap>(configMap('cc-apply')))?.data).toEqual({ a: '2' });
  });

  it('treats a missing object as gone on delete and absent on read', async () => {
    expect(await client().delete(configMap('cc-never'))).toBe(false);
    expect(await client().read(configMap('cc-never'))).toBeUndefined();
    await client().apply(configMap('cc-delete'));
    expect(await client().delete(configMap('cc-delete'))).toBe(true);
    expect(await client().read(configMap('cc-delete'))).toBeUndefined();
  });

  it('lists across pages with a label selector', async () => {
    for (let i = 0; i < 7; i++)
      await client().apply({
        ...configMap(`cc-page-${i}`),
        metadata: { ...configMap(`cc-page-${i}`).metadata, labels: { page: 'yes' } },
      });
    const items = await client().list('v1', 'ConfigMap', {
      namespace: 'default',
      labelSelector: 'page=yes',
      pageSize: 3,
    });
    expect(items.map((i) => i.metadata.name).sort()).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((i) => `cc-page-${i}`),
    );
    expect(cluster.sim.requests.count('list', 'configmaps')).toBeGreaterThanOrEqual(3);
  });

  it('retries throttling and server errors a few times, honouring Retry-After', async () => {
    const waits: number[] = [];
    const patient = new ClusterClient(cluster.kc, {
      ...defaultRetryPolicy,
      sleep: async (ms) => void waits.push(ms),
    });
    const throttled = cluster.sim.faults.add({
      verb: 'patch',
      resource: 'configmaps',
      status: 429,
      retryAfterSeconds: 1,
      times: 2,
    });
    expect((await patient.apply(configMap('cc-retry'))).metadata.name).toBe('cc-retry');
    expect(throttled.hits).toBe(2);
    expect(waits).toEqual([1000, 1000]);
    cluster.sim.faults.add({ verb: 'get', resource: 'configmaps', status: 503, times: 1 });
    expect(await patient.read(configMap('cc-retry'))).toBeDefined();
    expect(waits).toEqual([1000, 1000, 100]);
  });

  it('reports what keeps failing as transient, with the Retry-After it was given', async () => {
    const fault = cluster.sim.faults.add({
      verb: 'patch',
      resource: 'configmaps',
      status: 429,
      retryAfterSeconds: 7,
    });
    const err = await client()
      .apply(configMap('cc-429'))
      .catch((e) => e);
    expect(err).toBeInstanceOf(TransientClusterError);
    expect(err.retryAfterSeconds).toBe(7);
    expect(fault.hits).toBe(defaultRetryPolicy.attempts);
    cluster.sim.faults.remove(fault);
    cluster.sim.faults.add({ verb: 'get', resource: 'configmaps', status: 503 });
    expect(
      await client()
        .read(configMap('cc-429'))
        .catch((e) => e),
    ).toBeInstanceOf(TransientClusterError);
    cluster.sim.faults.clear();
  });

  it('reports a refused object as permanent, in the cluster’s own words', async () => {
    const bad = configMap('cc-bad-label');
    bad.metadata.labels = { 'lablease.dev/user': 'not a valid label value!' };
    const err = await client()
      .apply(bad)
      .catch((e) => e);
    expect(err).toBeInstanceOf(PermanentClusterError);
    expect(err.message).toContain('metadata.labels: Invalid value: "not a valid label value!"');
    expect(err.httpStatus).toBe(422);
  });
});
