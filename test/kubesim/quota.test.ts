// Behaviours 5 and 7: ResourceQuota as the real API server enforces it —
// after LimitRange defaulting, before storage (403 before 409), charged at
// admission so parallel creates cannot overshoot, usage kept in status.
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { deployment } from './fixtures.js';
import { apiError, createNamespace, setupTestCluster } from './support.js';

const cluster = setupTestCluster();
const settle = () => cluster.sim.simulation.settle();

const pod = (name: string, resources?: object): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx', ...(resources ? { resources } : {}) }] },
});

async function withQuota(hard: Record<string, string>) {
  const ns = await createNamespace(cluster);
  await cluster.core.createNamespacedResourceQuota({
    namespace: ns,
    body: { metadata: { name: 'q' }, spec: { hard } },
  });
  await settle();
  return ns;
}

const used = async (ns: string) =>
  (await cluster.core.readNamespacedResourceQuota({ namespace: ns, name: 'q' })).status?.used;

describe('ResourceQuota admission', () => {
  it('requires containers to declare what the quota tracks', async () => {
    const ns = await withQuota({ 'limits.cpu': '2', 'limits.memory': '2Gi' });
    const err = await apiError(cluster.core.createNamespacedPod({ namespace: ns, body: pod('x') }));
    expect(err.code).toBe(403);
    expect(err.status.message).toBe(
      'pods "x" is forbidden: failed quota: q: must specify limits.cpu for: c; limits.memory for: c',
    );
  });

  it('refuses what exceeds the quota with requested/used/limited, and keeps usage in status', async () => {
    const ns = await withQuota({ 'limits.cpu': '2', pods: '10' });
    expect(await used(ns)).toEqual({ 'limits.cpu': '0', pods: '0' });
    await cluster.core.createNamespacedPod({
      namespace: ns,
      body: pod('a', { limits: { cpu: '1' } }),
    });
    await settle();
    expect(await used(ns)).toEqual({ 'limits.cpu': '1', pods: '1' });
    const err = await apiError(
      cluster.core.createNamespacedPod({ namespace: ns, body: pod('b', { limits: { cpu: '2' } }) }),
    );
    expect(err.code).toBe(403);
    expect(err.status.message).toBe(
      'pods "b" is forbidden: exceeded quota: q, requested: limits.cpu=2, used: limits.cpu=1, limited: limits.cpu=2',
    );
    // deleting frees the usage
    await cluster.core.deleteNamespacedPod({ namespace: ns, name: 'a', gracePeriodSeconds: 0 });
    await settle();
    expect(await used(ns)).toEqual({ 'limits.cpu': '0', pods: '0' });
  });

  it('answers 403 (quota), not 409, when re-creating an existing object under a full quota', async () => {
    const ns = await withQuota({ pods: '1' });
    await cluster.core.createNamespacedPod({ namespace: ns, body: pod('only') });
    const err = await apiError(
      cluster.core.createNamespacedPod({ namespace: ns, body: pod('only') }),
    );
    expect(err.code).toBe(403);
    expect(err.status.message).toBe(
      'pods "only" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1',
    );
  });

  it('never lets parallel creates exceed the quota', async () => {
    const ns = await withQuota({ pods: '3' });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        cluster.core.createNamespacedPod({ namespace: ns, body: pod(`p${i}`) }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    await settle();
    expect((await cluster.core.listNamespacedPod({ namespace: ns })).items).toHaveLength(3);
    expect(await used(ns)).toEqual({ pods: '3' });
  });

  it('applies LimitRange defaults before counting, so a pod without resources fits a limits quota', async () => {
    const ns = await withQuota({ 'limits.cpu': '1', 'requests.memory': '1Gi' });
    await cluster.core.createNamespacedLimitRange({
      namespace: ns,
      body: {
        metadata: { name: 'l' },
        spec: { limits: [{ type: 'Container', _default: { cpu: '500m', memory: '512Mi' } }] },
      },
    });
    await cluster.core.createNamespacedPod({ namespace: ns, body: pod('defaulted') });
    await settle();
    expect(await used(ns)).toEqual({ 'limits.cpu': '500m', 'requests.memory': '512Mi' });
  });

  it('counts PVC storage and object counts like count/deployments.apps', async () => {
    const ns = await withQuota({
      'requests.storage': '10Gi',
      persistentvolumeclaims: '5',
      'count/deployments.apps': '1',
    });
    const claim = (name: string, storage: string) => ({
      metadata: { name },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
    });
    await cluster.core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: claim('w1', '8Gi'),
    });
    const err = await apiError(
      cluster.core.createNamespacedPersistentVolumeClaim({
        namespace: ns,
        body: claim('w2', '5Gi'),
      }),
    );
    expect(err.status.message).toBe(
      'persistentvolumeclaims "w2" is forbidden: exceeded quota: q, requested: requests.storage=5Gi, used: requests.storage=8Gi, limited: requests.storage=10Gi',
    );
    await cluster.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('one', { replicas: 0 }),
    });
    const again = await apiError(
      cluster.apps.createNamespacedDeployment({
        namespace: ns,
        body: deployment('two', { replicas: 0 }),
      }),
    );
    expect(again.code).toBe(403);
    expect(again.status.message).toBe(
      'deployments.apps "two" is forbidden: exceeded quota: q, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
    );
    await settle();
    expect(await used(ns)).toEqual({
      'count/deployments.apps': '1',
      persistentvolumeclaims: '1',
      'requests.storage': '8Gi',
    });
  });

  it('a scoped quota (BestEffort) counts only the pods in its scope', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedResourceQuota({
      namespace: ns,
      body: { metadata: { name: 'q' }, spec: { hard: { pods: '1' }, scopes: ['BestEffort'] } },
    });
    await settle();
    await cluster.core.createNamespacedPod({
      namespace: ns,
      body: pod('sized', { requests: { cpu: '100m' } }),
    });
    await cluster.core.createNamespacedPod({ namespace: ns, body: pod('be1') });
    const err = await apiError(
      cluster.core.createNamespacedPod({ namespace: ns, body: pod('be2') }),
    );
    expect(err.status.message).toBe(
      'pods "be2" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1',
    );
    await settle();
    expect(await used(ns)).toEqual({ pods: '1' });
  });
});
