// Behaviour 13: watches as the real server streams them, through client-node's
// Watch and informers.
import {
  type KubernetesObject,
  makeInformer,
  type V1ConfigMap,
  Watch,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createNamespace, setupTestCluster, startTestCluster } from './support.js';

const cluster = setupTestCluster({ bookmarkIntervalMs: 50 });

const cm = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data: { v: '1' },
});

interface Seen {
  type: string;
  name?: string;
  rv?: string;
  // biome-ignore lint/suspicious/noExplicitAny: the raw watch object
  object: any;
}

/** Opens a watch through client-node and records what arrives until stopped or closed by the server. */
async function openWatch(
  path: string,
  query: Record<string, string | number | boolean | undefined>,
) {
  const seen: Seen[] = [];
  let closed: ((err: unknown) => void) | undefined;
  const done = new Promise<unknown>((resolve) => {
    closed = resolve;
  });
  const ctl = await new Watch(cluster.kc).watch(
    path,
    query,
    (type, object) =>
      seen.push({
        type,
        name: object?.metadata?.name,
        rv: object?.metadata?.resourceVersion,
        object,
      }),
    (err) => closed?.(err),
  );
  return { seen, done, stop: () => ctl.abort() };
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('watch', () => {
  it('from resourceVersion N delivers only later events, in order', async () => {
    const ns = await createNamespace(cluster);
    await cluster.sim.api.create('configmaps', ns, cm('before'));
    const list = await cluster.core.listNamespacedConfigMap({ namespace: ns });
    const w = await openWatch(`/api/v1/namespaces/${ns}/configmaps`, {
      resourceVersion: list.metadata?.resourceVersion,
    });
    await cluster.sim.api.create('configmaps', ns, cm('after'));
    await cluster.sim.api.delete('configmaps', ns, 'before');
    await until(() => w.seen.length >= 2);
    w.stop();
    expect(w.seen.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED after', 'DELETED before']);
    expect(Number(w.seen[1]?.rv)).toBeGreaterThan(Number(w.seen[0]?.rv));
  });

  it('without a resourceVersion starts with synthetic ADDED events, then live ones', async () => {
    const ns = await createNamespace(cluster);
    await cluster.sim.api.create('configmaps', ns, cm('one', { w: 'x' }));
    await cluster.sim.api.create('configmaps', ns, cm('two', { w: 'x' }));
    const w = await openWatch(`/api/v1/namespaces/${ns}/configmaps`, { labelSelector: 'w=x' });
    await until(() => w.seen.length >= 2);
    await cluster.sim.api.create('configmaps', ns, cm('three', { w: 'x' }));
    await until(() => w.seen.length >= 3);
    w.stop();
    expect(w.seen.map((e) => `${e.type} ${e.name}`)).toEqual([
      'ADDED one',
      'ADDED two',
      'ADDED three',
    ]);
  });

  it('resourceVersion "0" also starts with the current objects', async () => {
    const ns = await createNamespace(cluster);
    await cluster.sim.api.create('configmaps', ns, cm('zero', { z: '1' }));
    const w = await openWatch(`/api/v1/namespaces/${ns}/configmaps`, {
      resourceVersion: '0',
      labelSelector: 'z',
    });
    await until(() => w.seen.length >= 1);
    w.stop();
    expect(w.seen[0]).toMatchObject({ type: 'ADDED', name: 'zero' });
  });

  it('an object leaving a label selection is DELETED for that watch, and ADDED when it enters', async () => {
    const ns = await createNamespace(cluster);
    const obj = await cluster.sim.api.create('configmaps', ns, cm('mover', { sel: 'in' }));
    const w = await openWatch(`/api/v1/namespaces/${ns}/configmaps`, {
      resourceVersion: obj.metadata.resourceVersion,
      labelSelector: 'sel=in',
    });
    const out = await cluster.sim.api.update('configmaps', ns, {
      ...obj,
      metadata: { ...obj.metadata, labels: { sel: 'out' } },
    });
    await cluster.sim.api.update('configmaps', ns, {
      ...out,
      metadata: { ...out.metadata, labels: { sel: 'in' } },
    });
    await until(() => w.seen.length >= 2);
    w.stop();
    expect(w.seen.map((e) => e.type)).toEqual(['DELETED', 'ADDED']);
  });

  it('sends BOOKMARK events only when allowWatchBookmarks=true', async () => {
    const ns = await createNamespace(cluster);
    const rv = (await cluster.core.listNamespacedConfigMap({ namespace: ns })).metadata
      ?.resourceVersion;
    const plain = await openWatch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: rv });
    const withBookmarks = await openWatch(`/api/v1/namespaces/${ns}/configmaps`, {
      resourceVersion: rv,
      allowWatchBookmarks: true,
    });
    await until(() => withBookmarks.seen.some((e) => e.type === 'BOOKMARK'));
    await new Promise((r) => setTimeout(r, 120));
    plain.stop();
    withBookmarks.stop();
    expect(plain.seen.filter((e) => e.type === 'BOOKMARK')).toEqual([]);
    const bookmark = withBookmarks.seen.find((e) => e.type === 'BOOKMARK');
    expect(bookmark?.object).toMatchObject({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { resourceVersion: expect.any(String) },
    });
  });

  it('a too-old resourceVersion gets one ERROR event with a 410 Expired Status, then the stream closes', async () => {
    const ns = await createNamespace(cluster);
    await cluster.sim.api.create('configmaps', ns, cm('old'));
    cluster.sim.store.compact();
    const w = await openWatch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: '1' });
    await w.done;
    expect(w.seen).toHaveLength(1);
    expect(w.seen[0]?.type).toBe('ERROR');
    expect(w.seen[0]?.object).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
    });
    expect(w.seen[0]?.object.message).toMatch(/^too old resource version: 1 \(\d+\)$/);
  });

  it('compacts per resource: a busy resource does not expire a quiet one', async () => {
    const small = await startTestCluster({ eventLogSize: 5, controllers: [] });
    try {
      const rv = (await small.core.listNamespacedConfigMap({ namespace: 'default' })).metadata
        ?.resourceVersion;
      for (let i = 0; i < 30; i++)
        await small.sim.api.create('secrets', 'default', {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: `s${i}` },
        });
      const seen: string[] = [];
      const ctl = await new Watch(small.kc).watch(
        '/api/v1/namespaces/default/configmaps',
        { resourceVersion: rv },
        (type, o) => seen.push(`${type} ${o?.metadata?.name}`),
        () => {},
      );
      await small.sim.api.create('configmaps', 'default', cm('quiet'));
      await until(() => seen.length >= 1);
      ctl.abort();
      expect(seen).toEqual(['ADDED quiet']);
      // The busy resource's own old RV is gone.
      const secrets = await new Promise<string[]>((resolve) => {
        const got: string[] = [];
        void new Watch(small.kc).watch(
          '/api/v1/namespaces/default/secrets',
          { resourceVersion: rv },
          (type) => got.push(type),
          () => resolve(got),
        );
      });
      expect(secrets).toEqual(['ERROR']);
    } finally {
      await small.stop();
    }
  });

  it('honours timeoutSeconds by closing the stream', async () => {
    const ns = await createNamespace(cluster);
    const started = Date.now();
    const w = await openWatch(`/api/v1/namespaces/${ns}/configmaps`, { timeoutSeconds: 1 });
    await w.done;
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('drives a client-node informer: add, update, delete', async () => {
    const ns = await createNamespace(cluster);
    const informer = makeInformer<V1ConfigMap>(
      cluster.kc,
      `/api/v1/namespaces/${ns}/configmaps`,
      () => cluster.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'inf=yes' }),
      'inf=yes',
    );
    const log: string[] = [];
    informer.on('add', (o: KubernetesObject) => log.push(`add ${o.metadata?.name}`));
    informer.on('update', (o: KubernetesObject) => log.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o: KubernetesObject) => log.push(`delete ${o.metadata?.name}`));
    await cluster.sim.api.create('configmaps', ns, cm('early', { inf: 'yes' }));
    await informer.start();
    await until(() => log.includes('add early'));
    const late = await cluster.sim.api.create('configmaps', ns, cm('late', { inf: 'yes' }));
    await cluster.sim.api.update('configmaps', ns, { ...late, data: { v: '2' } });
    await cluster.sim.api.delete('configmaps', ns, 'early');
    await until(() => log.length >= 4);
    await informer.stop();
    expect(log).toEqual(['add early', 'add late', 'update late', 'delete early']);
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(['late']);
  });

  it('an informer relists after its watch ends and its resourceVersion has expired', async () => {
    const ns = await createNamespace(cluster);
    await cluster.sim.api.create('configmaps', ns, cm('first', { inf2: 'yes' }));
    cluster.sim.faults.add({
      verb: 'watch',
      resource: 'configmaps',
      namespace: ns,
      endWatchAfterMs: 300,
      times: 1,
    });
    const informer = makeInformer<V1ConfigMap>(
      cluster.kc,
      `/api/v1/namespaces/${ns}/configmaps`,
      () => cluster.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'inf2=yes' }),
      'inf2=yes',
    );
    const added: string[] = [];
    informer.on('add', (o: KubernetesObject) => added.push(o.metadata?.name as string));
    await informer.start();
    await until(() => added.includes('first'));
    const lists = cluster.sim.requests.count('list', 'configmaps');
    // A write the informer does not select, then compaction: its resourceVersion is now too old.
    await cluster.sim.api.create('configmaps', ns, cm('unselected', {}));
    cluster.sim.store.compact();
    // The watch ends; the informer resumes from its old resourceVersion, gets 410 and relists.
    await until(() => cluster.sim.requests.count('list', 'configmaps') > lists, 10_000);
    await cluster.sim.api.create('configmaps', ns, cm('second', { inf2: 'yes' }));
    await until(() => added.includes('second'), 10_000);
    await informer.stop();
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(['first', 'second']);
  });

  it('a reset watch connection stops a client-node informer with an error (the caller restarts it)', async () => {
    const ns = await createNamespace(cluster);
    cluster.sim.faults.add({
      verb: 'watch',
      resource: 'configmaps',
      namespace: ns,
      dropWatchAfterMs: 100,
      times: 1,
    });
    const informer = makeInformer<V1ConfigMap>(
      cluster.kc,
      `/api/v1/namespaces/${ns}/configmaps`,
      () => cluster.core.listNamespacedConfigMap({ namespace: ns }),
    );
    const errors: unknown[] = [];
    informer.on('error', (e: unknown) => {
      errors.push(e);
      setTimeout(() => void informer.start(), 50);
    });
    const added: string[] = [];
    informer.on('add', (o: KubernetesObject) => added.push(o.metadata?.name as string));
    await informer.start();
    await until(() => errors.length === 1, 5_000);
    await cluster.sim.api.create('configmaps', ns, cm('after-reset'));
    await until(() => added.includes('after-reset'), 10_000);
    await informer.stop();
  });
});
