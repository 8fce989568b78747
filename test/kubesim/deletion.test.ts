// Behaviour 8, controller side: garbage collection by ownerReference uid
// (Background, Foreground, Orphan), PVC protection and namespace deletion.
import { describe, expect, it } from 'vitest';
import { deployment } from './fixtures.js';
import { apiError, createNamespace, setupTestCluster } from './support.js';

const cluster = setupTestCluster();
const sim = () => cluster.sim.simulation;

async function deployed(name: string) {
  const ns = await createNamespace(cluster);
  await cluster.apps.createNamespacedDeployment({ namespace: ns, body: deployment(name) });
  await sim().settle();
  return ns;
}

const counts = async (ns: string) => ({
  deployments: (await cluster.apps.listNamespacedDeployment({ namespace: ns })).items.length,
  replicasets: (await cluster.apps.listNamespacedReplicaSet({ namespace: ns })).items.length,
  pods: (await cluster.core.listNamespacedPod({ namespace: ns })).items.length,
});

describe('garbage collection', () => {
  it('Background (default): dependents are deleted after the owner is gone', async () => {
    const ns = await deployed('bg');
    expect(await counts(ns)).toEqual({ deployments: 1, replicasets: 1, pods: 1 });
    await cluster.apps.deleteNamespacedDeployment({ namespace: ns, name: 'bg' });
    await sim().settle();
    expect(await counts(ns)).toEqual({ deployments: 0, replicasets: 0, pods: 0 });
  });

  it('Foreground: the owner keeps foregroundDeletion until its blocking dependents are gone', async () => {
    const ns = await deployed('fg');
    sim().pause();
    await cluster.apps.deleteNamespacedDeployment({
      namespace: ns,
      name: 'fg',
      propagationPolicy: 'Foreground',
    });
    const owner = await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'fg' });
    expect(owner.metadata?.deletionTimestamp).toBeDefined();
    expect(owner.metadata?.finalizers).toEqual(['foregroundDeletion']);
    sim().resume();
    await sim().settle();
    expect(await counts(ns)).toEqual({ deployments: 0, replicasets: 0, pods: 0 });
  });

  it('Orphan: dependents lose their ownerReferences and stay', async () => {
    const ns = await deployed('or');
    await cluster.apps.deleteNamespacedDeployment({
      namespace: ns,
      name: 'or',
      propagationPolicy: 'Orphan',
    });
    await sim().settle();
    expect(await counts(ns)).toEqual({ deployments: 0, replicasets: 1, pods: 1 });
    const [rs] = (await cluster.apps.listNamespacedReplicaSet({ namespace: ns })).items;
    expect(rs?.metadata?.ownerReferences).toBeUndefined();
    const [pod] = (await cluster.core.listNamespacedPod({ namespace: ns })).items;
    expect(pod?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'ReplicaSet',
      name: rs?.metadata?.name,
    });
  });
});

describe('PVC protection', () => {
  it('a claim in use stays Terminating until its pod is gone', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: {
        metadata: { name: 'work' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    await cluster.core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'user' },
        spec: {
          containers: [{ name: 'c', image: 'nginx' }],
          volumes: [{ name: 'w', persistentVolumeClaim: { claimName: 'work' } }],
        },
      },
    });
    await sim().settle();
    await cluster.core.deleteNamespacedPersistentVolumeClaim({ namespace: ns, name: 'work' });
    await sim().settle();
    const held = await cluster.core.readNamespacedPersistentVolumeClaim({
      namespace: ns,
      name: 'work',
    });
    expect(held.metadata?.deletionTimestamp).toBeDefined();
    expect(held.metadata?.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    expect(held.status?.phase).toBe('Bound');

    await cluster.core.deleteNamespacedPod({ namespace: ns, name: 'user' });
    await sim().settle();
    const gone = await apiError(
      cluster.core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'work' }),
    );
    expect(gone.code).toBe(404);
  });
});

describe('namespace deletion', () => {
  it('goes Terminating, deletes its content (workloads, claims), then disappears', async () => {
    const ns = await deployed('web');
    await cluster.core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: {
        metadata: { name: 'work' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    await sim().settle();
    await cluster.core.deleteNamespace({ name: ns });
    await sim().settle();
    const err = await apiError(cluster.core.readNamespace({ name: ns }));
    expect(err.code).toBe(404);
    expect(await counts(ns)).toEqual({ deployments: 0, replicasets: 0, pods: 0 });
    expect(
      (await cluster.core.listNamespacedPersistentVolumeClaim({ namespace: ns })).items,
    ).toHaveLength(0);
  });
});
