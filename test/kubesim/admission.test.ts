// Behaviours 5, 7 (LimitRange) and 8 (namespace lifecycle, ServiceAccount):
// the admission chain in the real order, through the real client.
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { apiError, createNamespace, setupTestCluster, uniqueName } from './support.js';

const cluster = setupTestCluster();
const sim = () => cluster.sim.simulation;

const pod = (name: string, resources?: object): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx', ...(resources ? { resources } : {}) }] },
});

describe('NamespaceLifecycle', () => {
  it('refuses new content in a terminating namespace with 403, then the namespace disappears', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'keep' } },
    });
    sim().pause();
    await cluster.core.deleteNamespace({ name: ns });
    const terminating = await cluster.core.readNamespace({ name: ns });
    expect(terminating.status?.phase).toBe('Terminating');
    expect(terminating.spec?.finalizers).toEqual(['kubernetes']);

    const err = await apiError(
      cluster.core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: 'new' } },
      }),
    );
    expect(err.code).toBe(403);
    expect(err.status).toMatchObject({
      reason: 'Forbidden',
      message: `configmaps "new" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      details: {
        name: 'new',
        kind: 'configmaps',
        causes: [{ reason: 'NamespaceTerminating', field: 'metadata.namespace' }],
      },
    });

    sim().resume();
    await sim().settle();
    const gone = await apiError(cluster.core.readNamespace({ name: ns }));
    expect(gone.code).toBe(404);
    expect(gone.status.message).toBe(`namespaces "${ns}" not found`);
  });
});

describe('ServiceAccount admission', () => {
  it('refuses a pod created before the namespace default ServiceAccount exists, and admits it after', async () => {
    const ns = uniqueName('ns');
    sim().pause(); // the ServiceAccount controller has not run yet
    await cluster.core.createNamespace({ body: { metadata: { name: ns } } });
    const err = await apiError(
      cluster.core.createNamespacedPod({ namespace: ns, body: pod('early') }),
    );
    expect(err.code).toBe(403);
    expect(err.status.message).toBe(
      `pods "early" is forbidden: error looking up service account ${ns}/default: serviceaccount "default" not found`,
    );
    sim().resume();
    await sim().settle();
    const created = await cluster.core.createNamespacedPod({ namespace: ns, body: pod('early') });
    expect(created.spec?.serviceAccountName).toBe('default');
    expect(created.spec?.volumes?.[0]?.name).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    expect(created.spec?.containers[0]?.volumeMounts).toContainEqual(
      expect.objectContaining({
        mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
        readOnly: true,
      }),
    );
  });
});

describe('LimitRanger', () => {
  const limitRange = {
    metadata: { name: 'limits' },
    spec: {
      limits: [
        {
          type: 'Container',
          max: { cpu: '1', memory: '1Gi' },
          // client-node's V1LimitRangeItem spells `default` as `_default`
          _default: { cpu: '500m', memory: '512Mi' },
          defaultRequest: { cpu: '250m', memory: '256Mi' },
        },
      ],
    },
  };

  it('injects default requests and limits into containers that set none', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedLimitRange({ namespace: ns, body: limitRange });
    const created = await cluster.core.createNamespacedPod({ namespace: ns, body: pod('d') });
    expect(created.spec?.containers[0]?.resources).toEqual({
      limits: { cpu: '500m', memory: '512Mi' },
      requests: { cpu: '250m', memory: '256Mi' },
    });
    expect(created.metadata?.annotations?.['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c',
    );
  });

  it('refuses a container above the maximum with 403 and the real text', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedLimitRange({ namespace: ns, body: limitRange });
    const err = await apiError(
      cluster.core.createNamespacedPod({
        namespace: ns,
        body: pod('big', { limits: { cpu: '2' } }),
      }),
    );
    expect(err.code).toBe(403);
    expect(err.status.message).toBe(
      'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2.',
    );
  });

  it('enforces PersistentVolumeClaim storage bounds against the request', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedLimitRange({
      namespace: ns,
      body: {
        metadata: { name: 'storage' },
        spec: {
          limits: [
            { type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } },
          ],
        },
      },
    });
    const claim = (name: string, storage: string) => ({
      metadata: { name },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
    });
    const big = await apiError(
      cluster.core.createNamespacedPersistentVolumeClaim({
        namespace: ns,
        body: claim('big', '20Gi'),
      }),
    );
    expect(big.code).toBe(403);
    expect(big.status.message).toBe(
      'persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi.',
    );
    const small = await apiError(
      cluster.core.createNamespacedPersistentVolumeClaim({
        namespace: ns,
        body: claim('small', '100Mi'),
      }),
    );
    expect(small.status.message).toBe(
      'persistentvolumeclaims "small" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 100Mi.',
    );
    await cluster.core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: claim('ok', '5Gi'),
    });
  });
});
