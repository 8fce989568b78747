// Behaviours 1 and 2: CRUD answers and errors as the real API server sends them.
import { describe, expect, it } from 'vitest';
import { apiError, createNamespace, setupTestCluster } from './support.js';

const cluster = setupTestCluster();

const configMap = (name: string, data: Record<string, string> = { a: '1' }) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data,
});

describe('CRUD errors are v1 Status bodies with the real texts', () => {
  it('POST of an existing name answers 409 AlreadyExists', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedConfigMap({ namespace: ns, body: configMap('x') });
    const err = await apiError(
      cluster.core.createNamespacedConfigMap({ namespace: ns, body: configMap('x') }),
    );
    expect(err.code).toBe(409);
    expect(err.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "x" already exists',
      reason: 'AlreadyExists',
      details: { name: 'x', group: '', kind: 'configmaps' },
      code: 409,
    });
  });

  it('GET, DELETE and PATCH of a missing object answer 404 NotFound', async () => {
    const ns = await createNamespace(cluster);
    for (const call of [
      cluster.core.readNamespacedPod({ namespace: ns, name: 'nope' }),
      cluster.core.deleteNamespacedPod({ namespace: ns, name: 'nope' }),
      cluster.core.patchNamespacedPod({
        namespace: ns,
        name: 'nope',
        body: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }],
      }),
    ]) {
      const err = await apiError(call);
      expect(err.code).toBe(404);
      expect(err.status.reason).toBe('NotFound');
      expect(err.status.message).toBe('pods "nope" not found');
      expect(err.status.details).toMatchObject({ name: 'nope', kind: 'pods' });
    }
  });

  it('creating in a namespace that does not exist answers 404 for the namespace', async () => {
    const err = await apiError(
      cluster.core.createNamespacedConfigMap({ namespace: 'no-such-ns', body: configMap('x') }),
    );
    expect(err.code).toBe(404);
    expect(err.status.message).toBe('namespaces "no-such-ns" not found');
  });
});

describe('resourceVersion, uid, generation and creationTimestamp', () => {
  it('PUT with a stale resourceVersion answers 409 Conflict', async () => {
    const ns = await createNamespace(cluster);
    const created = await cluster.core.createNamespacedConfigMap({
      namespace: ns,
      body: configMap('cm'),
    });
    await cluster.core.replaceNamespacedConfigMap({
      namespace: ns,
      name: 'cm',
      body: { ...created, data: { a: '2' } },
    });
    const err = await apiError(
      cluster.core.replaceNamespacedConfigMap({
        namespace: ns,
        name: 'cm',
        body: { ...created, data: { a: '3' } },
      }),
    );
    expect(err.code).toBe(409);
    expect(err.status.reason).toBe('Conflict');
    expect(err.status.message).toBe(
      'Operation cannot be fulfilled on configmaps "cm": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('every write bumps resourceVersion and emits exactly one watch event', async () => {
    const ns = await createNamespace(cluster);
    const events: string[] = [];
    const off = cluster.sim.api.subscribe('configmaps', (e) => {
      if (e.object.metadata.namespace === ns)
        events.push(`${e.type} ${e.object.metadata.resourceVersion}`);
    });
    const a = await cluster.core.createNamespacedConfigMap({
      namespace: ns,
      body: configMap('cm'),
    });
    const b = await cluster.core.replaceNamespacedConfigMap({
      namespace: ns,
      name: 'cm',
      body: { ...a, data: { a: '2' } },
    });
    const c = await cluster.core.deleteNamespacedConfigMap({ namespace: ns, name: 'cm' });
    off();
    const rvs = [a, b, c].map((o) =>
      Number((o as { metadata: { resourceVersion: string } }).metadata.resourceVersion),
    );
    expect(rvs[1]).toBeGreaterThan(rvs[0] as number);
    expect(rvs[2]).toBeGreaterThan(rvs[1] as number);
    expect(events).toEqual([`ADDED ${rvs[0]}`, `MODIFIED ${rvs[1]}`, `DELETED ${rvs[2]}`]);
  });

  it('keeps uid and creationTimestamp, and bumps generation only on spec changes', async () => {
    const ns = await createNamespace(cluster);
    const dep = await cluster.apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
          },
        },
      },
    });
    expect(dep.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(dep.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(dep.metadata?.generation).toBe(1);
    // Controllers write status meanwhile: read the latest before each replace.
    const fresh = () => cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'web' });
    const cur = await fresh();
    const labelled = await cluster.apps.replaceNamespacedDeployment({
      namespace: ns,
      name: 'web',
      body: { ...cur, metadata: { ...cur.metadata, labels: { app: 'web', x: 'y' } } },
    });
    expect(labelled.metadata?.generation).toBe(1);
    expect(labelled.metadata?.uid).toBe(dep.metadata?.uid);
    const cur2 = await fresh();
    const scaled = await cluster.apps.replaceNamespacedDeployment({
      namespace: ns,
      name: 'web',
      body: { ...cur2, spec: { ...cur2.spec!, replicas: 2 } },
    });
    expect(scaled.metadata?.generation).toBe(2);
    expect(scaled.metadata?.creationTimestamp).toEqual(dep.metadata?.creationTimestamp);
  });

  it('a write that changes nothing keeps the resourceVersion', async () => {
    const ns = await createNamespace(cluster);
    const a = await cluster.core.createNamespacedConfigMap({
      namespace: ns,
      body: configMap('cm'),
    });
    const b = await cluster.core.replaceNamespacedConfigMap({ namespace: ns, name: 'cm', body: a });
    expect(b.metadata?.resourceVersion).toBe(a.metadata?.resourceVersion);
  });

  it('dryRun=All validates and answers without storing', async () => {
    const ns = await createNamespace(cluster);
    const dry = await cluster.core.createNamespacedConfigMap({
      namespace: ns,
      body: configMap('dry'),
      dryRun: 'All',
    });
    expect(dry.metadata?.name).toBe('dry');
    expect(cluster.sim.api.get('configmaps', ns, 'dry')).toBeUndefined();
    const err = await apiError(
      cluster.core.createNamespacedConfigMap({
        namespace: ns,
        body: configMap('Bad'),
        dryRun: 'All',
      }),
    );
    expect(err.code).toBe(422);
  });
});

describe('group-qualified resources in messages', () => {
  it('names deployments.apps in NotFound, AlreadyExists and Conflict', async () => {
    const ns = await createNamespace(cluster);
    const missing = await apiError(
      cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'nope' }),
    );
    expect(missing.status.message).toBe('deployments.apps "nope" not found');
    expect(missing.status.details).toEqual({ name: 'nope', group: 'apps', kind: 'deployments' });
    const body = {
      metadata: { name: 'web' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
        },
      },
    };
    await cluster.apps.createNamespacedDeployment({ namespace: ns, body });
    const dup = await apiError(cluster.apps.createNamespacedDeployment({ namespace: ns, body }));
    expect(dup.status.message).toBe('deployments.apps "web" already exists');
  });
});
