// The cluster client against kubesim through the real client: idempotent
// server-side apply, deletes that tolerate absence, paging, and the
// transient/permanent split the provisioner relies on.
import { describe, expect, it } from 'vitest';
import { ClusterClient } from '../../core/cluster/client.js';
import { PermanentClusterError, TransientClusterError } from '../../core/cluster/errors.js';
import { setupTestCluster } from '../kubesim/support.js';

const cluster = setupTestCluster();
const client = () => new ClusterClient(cluster.kc);

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

  it('reports throttling and server errors as transient, with Retry-After', async () => {
    const fault = cluster.sim.faults.add({
      verb: 'patch',
      resource: 'configmaps',
      status: 429,
      retryAfterSeconds: 7,
      times: 1,
    });
    const err = await client()
      .apply(configMap('cc-429'))
      .catch((e) => e);
    expect(err).toBeInstanceOf(TransientClusterError);
    expect(err.retryAfterSeconds).toBe(7);
    cluster.sim.faults.remove(fault);
    cluster.sim.faults.add({ verb: 'get', resource: 'configmaps', status: 503, times: 1 });
    expect(
      await client()
        .read(configMap('cc-429'))
        .catch((e) => e),
    ).toBeInstanceOf(TransientClusterError);
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
