// Behaviours 15 and 16 (API side): injected faults per verb and resource, and
// request counts, at the HTTP edge.
import { Watch } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { apiError, createNamespace, setupTestCluster } from './support.js';

const cluster = setupTestCluster();

const cm = (name: string) => ({ metadata: { name }, data: {} });

describe('fault injection', () => {
  it('answers 429 with Retry-After for a limited number of matching requests', async () => {
    const ns = await createNamespace(cluster);
    const fault = cluster.sim.faults.add({
      verb: 'create',
      resource: 'configmaps',
      status: 429,
      retryAfterSeconds: 2,
      times: 2,
    });
    for (let i = 0; i < 2; i++) {
      const err = await apiError(
        cluster.core.createNamespacedConfigMap({ namespace: ns, body: cm('c') }),
      );
      expect(err.code).toBe(429);
      expect(err.headers['retry-after']).toBe('2');
      expect(err.status).toMatchObject({
        reason: 'TooManyRequests',
        details: { retryAfterSeconds: 2 },
        code: 429,
      });
    }
    // Other verbs are untouched, and the third create goes through.
    await cluster.core.listNamespacedConfigMap({ namespace: ns });
    await cluster.core.createNamespacedConfigMap({ namespace: ns, body: cm('c') });
    expect(fault.hits).toBe(2);
    expect(cluster.sim.faults.list()).not.toContain(fault);
  });

  it('injects 500, 503 and 504 with their reasons', async () => {
    const ns = await createNamespace(cluster);
    const expected = { 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' } as const;
    for (const [status, reason] of Object.entries(expected)) {
      cluster.sim.faults.add({
        verb: 'get',
        resource: 'configmaps',
        status: Number(status),
        times: 1,
      });
      const err = await apiError(
        cluster.core.readNamespacedConfigMap({ namespace: ns, name: 'any' }),
      );
      expect(err.code).toBe(Number(status));
      expect(err.status.reason).toBe(reason);
    }
  });

  it('matches subresources and namespaces separately', async () => {
    const ns = await createNamespace(cluster);
    await cluster.apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'd' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { a: 'b' } },
          template: {
            metadata: { labels: { a: 'b' } },
            spec: { containers: [{ name: 'c', image: 'i:1' }] },
          },
        },
      },
    });
    const f = cluster.sim.faults.add({
      verb: 'get',
      resource: 'deployments/scale',
      namespace: ns,
      status: 503,
      times: 1,
    });
    await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'd' });
    expect(
      (await apiError(cluster.apps.readNamespacedDeploymentScale({ namespace: ns, name: 'd' })))
        .code,
    ).toBe(503);
    expect(f.hits).toBe(1);
  });

  it('adds latency', async () => {
    const ns = await createNamespace(cluster);
    const f = cluster.sim.faults.add({
      verb: 'list',
      resource: 'configmaps',
      latencyMs: 300,
      times: 1,
    });
    const started = Date.now();
    await cluster.core.listNamespacedConfigMap({ namespace: ns });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(f.hits).toBe(1);
  });

  it('drops watch connections', async () => {
    const ns = await createNamespace(cluster);
    cluster.sim.faults.add({
      verb: 'watch',
      resource: 'configmaps',
      dropWatchAfterMs: 100,
      times: 1,
    });
    const started = Date.now();
    const closed = new Promise<unknown>((resolve) => {
      void new Watch(cluster.kc).watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        {},
        () => {},
        resolve,
      );
    });
    await closed;
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('request counts', () => {
  it('counts requests by verb and resource', async () => {
    const ns = await createNamespace(cluster);
    cluster.sim.requests.reset();
    await cluster.core.createNamespacedConfigMap({ namespace: ns, body: cm('a') });
    await cluster.core.createNamespacedConfigMap({ namespace: ns, body: cm('b') });
    await cluster.core.readNamespacedConfigMap({ namespace: ns, name: 'a' });
    await cluster.core.listNamespacedConfigMap({ namespace: ns });
    await cluster.core.patchNamespacedConfigMap({
      namespace: ns,
      name: 'a',
      body: [{ op: 'add', path: '/data', value: { x: '1' } }],
    });
    await cluster.core.deleteNamespacedConfigMap({ namespace: ns, name: 'b' });
    expect(cluster.sim.requests.count('create', 'configmaps')).toBe(2);
    expect(cluster.sim.requests.count(undefined, 'configmaps')).toBe(6);
    expect(cluster.sim.requests.snapshot()).toMatchObject({
      'create configmaps': 2,
      'get configmaps': 1,
      'list configmaps': 1,
      'patch configmaps': 1,
      'delete configmaps': 1,
    });
  });
});
