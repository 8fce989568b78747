// Behaviour 8, the API server's side: propagation policies as finalizers,
// finalizers blocking removal, pod grace periods, terminating names,
// preconditions, namespace termination. (Garbage collection and the kubelet
// finishing pods are controllers: this cluster runs none, to observe the API
// server's part alone.)
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../stacks/local/kubesim/types.js';
import { apiError, rawRequest, setupTestCluster, uniqueName } from './support.js';

const cluster = setupTestCluster({ controllers: [] });

/** A namespace with its default ServiceAccount (no controller here creates it). */
async function namespace(): Promise<string> {
  const ns = uniqueName('del');
  await cluster.sim.api.create('namespaces', undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  await cluster.sim.api.create('serviceaccounts', ns, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'default' },
  });
  return ns;
}

const cm = (name: string, finalizers?: string[]) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(finalizers ? { finalizers } : {}) },
});

const pod = (name: string, nodeName?: string) => ({
  metadata: { name },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'app', image: 'busybox:1' }] },
});

function events(resource: string, ns: string) {
  const seen: string[] = [];
  const off = cluster.sim.api.subscribe(resource, (e) => {
    if (e.object.metadata.namespace === ns) seen.push(`${e.type} ${e.object.metadata.name}`);
  });
  return { seen, off };
}

describe('propagation policies', () => {
  it('Background (default) removes an object without finalizers at once', async () => {
    const ns = await namespace();
    await cluster.sim.api.create('configmaps', ns, cm('gone'));
    const w = events('configmaps', ns);
    await cluster.core.deleteNamespacedConfigMap({ namespace: ns, name: 'gone' });
    w.off();
    expect(cluster.sim.api.get('configmaps', ns, 'gone')).toBeUndefined();
    expect(w.seen).toEqual(['DELETED gone']);
  });

  it('Foreground adds the foregroundDeletion finalizer and sets deletionTimestamp', async () => {
    const ns = await namespace();
    await cluster.sim.api.create('configmaps', ns, cm('owner'));
    const res = await rawRequest(
      cluster.sim,
      'DELETE',
      `/api/v1/namespaces/${ns}/configmaps/owner`,
      { propagationPolicy: 'Foreground' },
    );
    expect(res.status).toBe(202);
    const stored = cluster.sim.api.get('configmaps', ns, 'owner');
    expect(stored?.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(stored?.metadata.deletionTimestamp).toBeTruthy();
  });

  it('Orphan adds the orphan finalizer', async () => {
    const ns = await namespace();
    await cluster.sim.api.create('configmaps', ns, cm('owner'));
    await cluster.core.deleteNamespacedConfigMap({
      namespace: ns,
      name: 'owner',
      propagationPolicy: 'Orphan',
    });
    expect(cluster.sim.api.get('configmaps', ns, 'owner')?.metadata.finalizers).toEqual(['orphan']);
  });
});

describe('finalizers', () => {
  it('block removal until an update empties them', async () => {
    const ns = await namespace();
    await cluster.sim.api.create('configmaps', ns, cm('held', ['example.com/hold']));
    const w = events('configmaps', ns);
    await cluster.core.deleteNamespacedConfigMap({ namespace: ns, name: 'held' });
    const terminating = await cluster.core.readNamespacedConfigMap({ namespace: ns, name: 'held' });
    expect(terminating.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    const err = await apiError(
      cluster.core.createNamespacedConfigMap({ namespace: ns, body: cm('held') }),
    );
    expect(err.code).toBe(409);
    expect(err.status.reason).toBe('AlreadyExists');
    expect(err.status.message).toBe('object is being deleted: configmaps "held" already exists');
    await cluster.core.replaceNamespacedConfigMap({
      namespace: ns,
      name: 'held',
      body: { ...terminating, metadata: { ...terminating.metadata, finalizers: [] } },
    });
    w.off();
    expect(cluster.sim.api.get('configmaps', ns, 'held')).toBeUndefined();
    expect(w.seen).toEqual(['MODIFIED held', 'DELETED held']);
  });

  it('no new finalizers can be added to a deleting object', async () => {
    const ns = await namespace();
    await cluster.sim.api.create('configmaps', ns, cm('held', ['a/b']));
    await cluster.core.deleteNamespacedConfigMap({ namespace: ns, name: 'held' });
    const cur = await cluster.core.readNamespacedConfigMap({ namespace: ns, name: 'held' });
    const err = await apiError(
      cluster.core.replaceNamespacedConfigMap({
        namespace: ns,
        name: 'held',
        body: { ...cur, metadata: { ...cur.metadata, finalizers: ['a/b', 'c/d'] } },
      }),
    );
    expect(err.code).toBe(422);
    expect(err.status.details.causes[0]).toMatchObject({
      field: 'metadata.finalizers',
      message: 'Forbidden: no new finalizers can be added if the object is being deleted',
    });
  });
});

describe('pods', () => {
  it('a pod on a node gets deletionTimestamp and a grace period (MODIFIED), and goes on grace 0', async () => {
    const ns = await namespace();
    await cluster.core.createNamespacedPod({ namespace: ns, body: pod('bound', 'kubesim-node-1') });
    const w = events('pods', ns);
    const res = await cluster.core.deleteNamespacedPod({ namespace: ns, name: 'bound' });
    expect(res.metadata?.deletionGracePeriodSeconds).toBe(30);
    const ts = res.metadata?.deletionTimestamp as Date;
    expect(Math.abs(ts.getTime() - (Date.now() + 30_000))).toBeLessThan(2_000);
    expect(cluster.sim.api.get('pods', ns, 'bound')).toBeDefined();
    const again = await apiError(
      cluster.core.createNamespacedPod({ namespace: ns, body: pod('bound') }),
    );
    expect(again.status.message).toBe('object is being deleted: pods "bound" already exists');
    // What the kubelet does once the containers stopped:
    await cluster.core.deleteNamespacedPod({ namespace: ns, name: 'bound', gracePeriodSeconds: 0 });
    w.off();
    expect(cluster.sim.api.get('pods', ns, 'bound')).toBeUndefined();
    expect(w.seen).toEqual(['MODIFIED bound', 'DELETED bound']);
  });

  it('uses gracePeriodSeconds from DeleteOptions, else the pod spec', async () => {
    const ns = await namespace();
    await cluster.core.createNamespacedPod({
      namespace: ns,
      body: {
        ...pod('short', 'kubesim-node-1'),
        spec: { ...pod('x', 'kubesim-node-1').spec, terminationGracePeriodSeconds: 5 },
      },
    });
    expect(
      (await cluster.core.deleteNamespacedPod({ namespace: ns, name: 'short' })).metadata
        ?.deletionGracePeriodSeconds,
    ).toBe(5);
    await cluster.core.createNamespacedPod({ namespace: ns, body: pod('opt', 'kubesim-node-1') });
    expect(
      (
        await cluster.core.deleteNamespacedPod({
          namespace: ns,
          name: 'opt',
          body: { gracePeriodSeconds: 7 },
        })
      ).metadata?.deletionGracePeriodSeconds,
    ).toBe(7);
  });

  it('an unscheduled pod is removed at once', async () => {
    const ns = await namespace();
    await cluster.core.createNamespacedPod({ namespace: ns, body: pod('pending') });
    await cluster.core.deleteNamespacedPod({ namespace: ns, name: 'pending' });
    expect(cluster.sim.api.get('pods', ns, 'pending')).toBeUndefined();
  });
});

describe('preconditions and misses', () => {
  it('answers 409 when the uid or resourceVersion precondition fails', async () => {
    const ns = await namespace();
    const obj = await cluster.sim.api.create('configmaps', ns, cm('pre'));
    const byUid = await apiError(
      cluster.core.deleteNamespacedConfigMap({
        namespace: ns,
        name: 'pre',
        body: { preconditions: { uid: 'not-it' } },
      }),
    );
    expect(byUid.code).toBe(409);
    expect(byUid.status.message).toBe(
      `Operation cannot be fulfilled on configmaps "pre": Precondition failed: UID in precondition: not-it, UID in object meta: ${obj.metadata.uid}`,
    );
    const byRv = await apiError(
      cluster.core.deleteNamespacedConfigMap({
        namespace: ns,
        name: 'pre',
        body: { preconditions: { resourceVersion: '1' } },
      }),
    );
    expect(byRv.code).toBe(409);
    await cluster.core.deleteNamespacedConfigMap({
      namespace: ns,
      name: 'pre',
      body: {
        preconditions: { uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
      },
    });
    const gone = await apiError(
      cluster.core.deleteNamespacedConfigMap({ namespace: ns, name: 'pre' }),
    );
    expect(gone.code).toBe(404);
    expect(gone.status.message).toBe('configmaps "pre" not found');
  });

  it('deletes a collection by label selector', async () => {
    const ns = await namespace();
    await cluster.sim.api.create('configmaps', ns, {
      ...cm('a'),
      metadata: { name: 'a', labels: { batch: '1' } },
    });
    await cluster.sim.api.create('configmaps', ns, {
      ...cm('b'),
      metadata: { name: 'b', labels: { batch: '1' } },
    });
    await cluster.sim.api.create('configmaps', ns, cm('c'));
    await cluster.core.deleteCollectionNamespacedConfigMap({
      namespace: ns,
      labelSelector: 'batch=1',
    });
    expect(
      cluster.sim.api.list('configmaps', { namespace: ns }).items.map((o) => o.metadata.name),
    ).toEqual(['c']);
  });
});

describe('namespaces', () => {
  it('go Terminating, refuse new content, and disappear once finalized', async () => {
    const ns = await namespace();
    // Typed as V1Status by client-node; the server answers with the Namespace, as real ones do.
    const res = (await cluster.core.deleteNamespace({ name: ns })) as unknown as KubeObject;
    expect(res.status?.phase).toBe('Terminating');
    const err = await apiError(
      cluster.core.createNamespacedConfigMap({ namespace: ns, body: cm('late') }),
    );
    expect(err.code).toBe(403);
    expect(err.status.message).toBe(
      `configmaps "late" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
    );
    // What the namespace controller does once the namespace is empty:
    const cur = await cluster.core.readNamespace({ name: ns });
    await cluster.core.replaceNamespaceFinalize({
      name: ns,
      body: { ...cur, spec: { finalizers: [] } },
    });
    expect(cluster.sim.api.get('namespaces', undefined, ns)).toBeUndefined();
  });
});
