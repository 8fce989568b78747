// Behaviour 12: lists — label and field selectors, pagination with stable
// resourceVersion and expiring continue tokens, all-namespaces lists.
import { describe, expect, it } from 'vitest';
import {
  apiError,
  createNamespace,
  rawRequest,
  setupTestCluster,
  startTestCluster,
} from './support.js';

const cluster = setupTestCluster();

const cm = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data: {},
});

async function seed(ns: string) {
  const api = cluster.sim.api;
  await api.create('configmaps', ns, cm('a', { tier: 'web', env: 'prod' }));
  await api.create('configmaps', ns, cm('b', { tier: 'web', env: 'dev' }));
  await api.create('configmaps', ns, cm('c', { tier: 'db' }));
  await api.create('configmaps', ns, cm('d', {}));
}

const names = (list: { items: Array<{ metadata?: { name?: string } }> }) =>
  list.items.map((i) => i.metadata?.name);

describe('label selectors', () => {
  it('supports =, ==, !=, in, notin, exists and !exists', async () => {
    const ns = await createNamespace(cluster);
    await seed(ns);
    const list = (labelSelector: string) =>
      cluster.core.listNamespacedConfigMap({ namespace: ns, labelSelector }).then(names);
    expect(await list('tier=web')).toEqual(['a', 'b']);
    expect(await list('tier==db')).toEqual(['c']);
    // The namespace also holds kube-root-ca.crt (published by a controller, as on clusters).
    expect(await list('tier!=web')).toEqual(['c', 'd', 'kube-root-ca.crt']);
    expect(await list('env in (prod,staging)')).toEqual(['a']);
    expect(await list('env notin (prod)')).toEqual(['b', 'c', 'd', 'kube-root-ca.crt']);
    expect(await list('env')).toEqual(['a', 'b']);
    expect(await list('!env,tier')).toEqual(['c']);
    expect(await list('tier=web,env=dev')).toEqual(['b']);
  });
});

describe('field selectors', () => {
  it('filters by metadata.name and metadata.namespace', async () => {
    const ns = await createNamespace(cluster);
    await seed(ns);
    const byName = await cluster.core.listNamespacedConfigMap({
      namespace: ns,
      fieldSelector: 'metadata.name=c',
    });
    expect(names(byName)).toEqual(['c']);
    const all = await cluster.core.listConfigMapForAllNamespaces({
      fieldSelector: `metadata.namespace=${ns},metadata.name!=a`,
      labelSelector: 'tier',
    });
    expect(names(all)).toEqual(['b', 'c']);
  });

  it('filters pods by status.phase and spec.nodeName', async () => {
    const ns = await createNamespace(cluster);
    const pod = (name: string, nodeName?: string) => ({
      metadata: { name },
      spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox:1' }] },
    });
    // Pause the simulated kubelet/scheduler so phases stay as created.
    cluster.sim.simulation.pause();
    try {
      await cluster.core.createNamespacedPod({ namespace: ns, body: pod('p1') });
      await cluster.core.createNamespacedPod({ namespace: ns, body: pod('p2', 'kubesim-node-2') });
      const pending = await cluster.core.listNamespacedPod({
        namespace: ns,
        fieldSelector: 'status.phase=Pending',
      });
      expect(names(pending)).toEqual(['p1', 'p2']);
      const onNode = await cluster.core.listNamespacedPod({
        namespace: ns,
        fieldSelector: 'spec.nodeName=kubesim-node-2',
      });
      expect(names(onNode)).toEqual(['p2']);
      const unscheduled = await cluster.core.listNamespacedPod({
        namespace: ns,
        fieldSelector: 'spec.nodeName=',
      });
      expect(names(unscheduled)).toEqual(['p1']);
    } finally {
      cluster.sim.simulation.resume();
    }
  });

  it('filters events by involvedObject, reason and type', async () => {
    const ns = await createNamespace(cluster);
    const target = await cluster.sim.api.create('configmaps', ns, cm('target', {}));
    const other = await cluster.sim.api.create('configmaps', ns, cm('other', {}));
    await cluster.sim.api.recordEvent(target, 'Warning', 'Broken', 'it broke');
    await cluster.sim.api.recordEvent(target, 'Normal', 'Fixed', 'it works');
    await cluster.sim.api.recordEvent(other, 'Warning', 'Broken', 'also broke');
    const list = (fieldSelector: string) =>
      cluster.core
        .listNamespacedEvent({ namespace: ns, fieldSelector })
        .then((l) => l.items.map((e) => `${e.involvedObject.name}:${e.reason}`));
    expect(await list(`involvedObject.name=target,involvedObject.kind=ConfigMap`)).toEqual([
      'target:Broken',
      'target:Fixed',
    ]);
    expect(await list(`involvedObject.uid=${other.metadata.uid}`)).toEqual(['other:Broken']);
    expect((await list('reason=Broken,type=Warning')).sort()).toEqual([
      'other:Broken',
      'target:Broken',
    ]);
  });

  it('answers 400 for a field the server does not index', async () => {
    const err = await apiError(
      cluster.core.listNamespacedPod({
        namespace: 'default',
        fieldSelector: 'spec.containers.image=x',
      }),
    );
    expect(err.code).toBe(400);
    expect(err.status.reason).toBe('BadRequest');
    expect(err.status.message).toBe('field label not supported: spec.containers.image');
  });
});

describe('pagination', () => {
  it('pages with limit and continue under one list resourceVersion', async () => {
    const ns = await createNamespace(cluster);
    for (let i = 0; i < 25; i++) {
      await cluster.sim.api.create(
        'configmaps',
        ns,
        cm(`cm-${String(i).padStart(2, '0')}`, { paged: 'yes' }),
      );
    }
    const seen: string[] = [];
    let token: string | undefined;
    let listRv: string | undefined;
    let pages = 0;
    do {
      const page = await cluster.core.listNamespacedConfigMap({
        namespace: ns,
        labelSelector: 'paged=yes',
        limit: 10,
        _continue: token,
      });
      pages++;
      seen.push(...(names(page) as string[]));
      listRv ??= page.metadata?.resourceVersion;
      expect(page.metadata?.resourceVersion).toBe(listRv);
      // Writes between pages do not change the list's resourceVersion.
      await cluster.sim.api.create('configmaps', ns, cm(`zz-${pages}`, {}));
      token = page.metadata?._continue;
    } while (token);
    expect(pages).toBe(3);
    const first = await cluster.core.listNamespacedConfigMap({ namespace: ns, limit: 10 });
    // Unfiltered pages say how many remain (the namespace also holds zz-* and kube-root-ca.crt).
    expect(first.metadata?.remainingItemCount).toBe(
      cluster.sim.api.list('configmaps', { namespace: ns }).items.length - 10,
    );
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
  });

  it('continued pages read the snapshot at the list resourceVersion', async () => {
    const ns = await createNamespace(cluster);
    const api = cluster.sim.api;
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f'])
      await api.create('configmaps', ns, cm(n, { snap: 'yes', v: '1' }));
    const first = await cluster.core.listNamespacedConfigMap({
      namespace: ns,
      labelSelector: 'snap=yes',
      limit: 2,
    });
    expect(names(first)).toEqual(['a', 'b']);
    // Meanwhile: one deleted, one created in the middle, one changed.
    await api.delete('configmaps', ns, 'd');
    await api.create('configmaps', ns, cm('c2', { snap: 'yes', v: '1' }));
    const e = api.get('configmaps', ns, 'e') as NonNullable<ReturnType<typeof api.get>>;
    await api.update('configmaps', ns, {
      ...e,
      metadata: { ...e.metadata, labels: { snap: 'yes', v: '2' } },
    });
    const rest = await cluster.core.listNamespacedConfigMap({
      namespace: ns,
      labelSelector: 'snap=yes',
      limit: 10,
      _continue: first.metadata?._continue,
    });
    expect(names(rest)).toEqual(['c', 'd', 'e', 'f']);
    expect(rest.items.find((i) => i.metadata?.name === 'e')?.metadata?.labels?.v).toBe('1');
    expect(rest.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  });

  it('answers 410 Expired when the token resourceVersion was compacted', async () => {
    const small = await startTestCluster({ eventLogSize: 5 });
    try {
      const ns = await createNamespace(small);
      for (let i = 0; i < 4; i++) await small.sim.api.create('configmaps', ns, cm(`c${i}`, {}));
      const page = await small.core.listNamespacedConfigMap({ namespace: ns, limit: 2 });
      expect(page.metadata?._continue).toBeTruthy();
      for (let i = 0; i < 20; i++)
        await small.sim.api.create('configmaps', ns, cm(`later-${i}`, {}));
      const err = await apiError(
        small.core.listNamespacedConfigMap({
          namespace: ns,
          limit: 2,
          _continue: page.metadata?._continue,
        }),
      );
      expect(err.code).toBe(410);
      expect(err.status.reason).toBe('Expired');
      expect(err.status.message).toMatch(/^The provided continue parameter is too old/);
    } finally {
      await small.stop();
    }
  });
});

describe('all-namespaces lists', () => {
  it('lists across namespaces in namespace/name order', async () => {
    const ns1 = await createNamespace(cluster, 'all-a');
    const ns2 = await createNamespace(cluster, 'all-b');
    await cluster.sim.api.create('configmaps', ns2, cm('x', { across: 'yes' }));
    await cluster.sim.api.create('configmaps', ns1, cm('y', { across: 'yes' }));
    const list = await cluster.core.listConfigMapForAllNamespaces({ labelSelector: 'across=yes' });
    expect(list.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`)).toEqual([
      'all-a/y',
      'all-b/x',
    ]);
  });
});

describe('list item TypeMeta', () => {
  it('omits apiVersion/kind on built-in list items and keeps them for custom resources', async () => {
    const ns = await createNamespace(cluster);
    await cluster.sim.api.create('configmaps', ns, cm('typed', {}));
    await cluster.sim.api.create('httproutes', ns, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: {},
    });
    const builtin = (
      await rawRequest(
        cluster.sim,
        'GET',
        `/api/v1/namespaces/${ns}/configmaps?fieldSelector=metadata.name%3Dtyped`,
      )
    ).json;
    expect(builtin).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1' });
    expect(builtin.items[0].kind).toBeUndefined();
    expect(builtin.items[0].apiVersion).toBeUndefined();
    const custom = (
      await rawRequest(
        cluster.sim,
        'GET',
        `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes`,
      )
    ).json;
    expect(custom.items[0]).toMatchObject({
      kind: 'HTTPRoute',
      apiVersion: 'gateway.networking.k8s.io/v1',
    });
    // A single GET has them, as on a cluster.
    const one = (await rawRequest(cluster.sim, 'GET', `/api/v1/namespaces/${ns}/configmaps/typed`))
      .json;
    expect(one).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
  });
});
