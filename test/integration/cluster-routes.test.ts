// The route objects of both routers through the real client against
// kubesim: server-side apply (idempotent), read, list by the managed-by
// label, delete — the verbs the provisioner and the reconciler use, for the
// core kind (Ingress) and the custom ones (HTTPRoute, SecurityPolicy).
import { describe, expect, it } from 'vitest';
import { ClusterClient, defaultRetryPolicy, type KubeObject } from '../../core/cluster/client.js';
import {
  ROUTE_KINDS,
  type RouterKind,
  type RouterOptions,
  routeObjects,
} from '../../core/cluster/routes/index.js';
import { setupTestCluster } from '../kubesim/support.js';

const cluster = setupTestCluster();
const client = () =>
  new ClusterClient(cluster.kc, { ...defaultRetryPolicy, sleep: async () => {} });

const options = (kind: RouterKind): RouterOptions => ({
  kind,
  domain: 'env.example.org',
  apiUrl: 'https://api.example.org',
  gateway: { namespace: 'lablease-system', name: 'lablease' },
  authBackend: { kind: 'Backend', namespace: 'lablease-system', name: 'lablease-api', port: 443 },
  ingressClass: 'nginx',
});

const OWNER = '0123456789abcdef0123456789abcdef';
const NS = `lab-${OWNER}`;

describe.each(['gateway', 'ingress-nginx'] as const)('route objects (%s) on kubesim', (router) => {
  it('apply twice is a no-op, read back as built, listed by label, deleted', async () => {
    const c = client();
    for (const name of [NS, 'lablease-system'])
      await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as KubeObject);
    const env = {
      id: router === 'gateway' ? 'eaaaaaaaaaaaaaaaa' : 'ebbbbbbbbbbbbbbbb',
      ownerId: OWNER,
    };
    const objects = routeObjects(env, options(router));
    expect(objects.map((o) => o.kind)).toEqual([
      ...(router === 'gateway' ? ['ReferenceGrant'] : []),
      ...ROUTE_KINDS[router].map((k) => k.kind),
    ]);

    const first = [];
    for (const o of objects) first.push(await c.apply(o));
    for (const [i, o] of objects.entries()) {
      const again = await c.apply(o);
      expect(again.metadata.resourceVersion).toBe(first[i]!.metadata.resourceVersion);
      const read = await c.read<KubeObject & { spec: unknown; metadata: KubeObject['metadata'] }>(
        o,
      );
      expect(read?.spec).toEqual((o as unknown as { spec: unknown }).spec);
      expect(read?.metadata.labels).toEqual(o.metadata.labels);
      expect(read?.metadata.annotations).toEqual(o.metadata.annotations);
    }

    for (const k of ROUTE_KINDS[router]) {
      const listed = await c.list(k.apiVersion, k.kind, {
        labelSelector: `app.kubernetes.io/managed-by=lablease,lablease.dev/env=${env.id}`,
        pageSize: 1,
      });
      expect(listed.map((o) => o.metadata.name)).toEqual([env.id]);
    }

    // The local router reads them with CustomObjectsApi / the typed networking client.
    if (router === 'gateway') {
      const all = (await cluster.custom.listClusterCustomObject({
        group: 'gateway.networking.k8s.io',
        version: 'v1',
        plural: 'httproutes',
        labelSelector: 'app.kubernetes.io/managed-by=lablease',
      })) as { items: Array<{ metadata: { name: string }; spec: { hostnames: string[] } }> };
      expect(all.items.find((i) => i.metadata.name === env.id)?.spec.hostnames).toEqual([
        `${env.id}.env.example.org`,
      ]);
    } else {
      const all = await cluster.networking.listIngressForAllNamespaces({
        labelSelector: 'app.kubernetes.io/managed-by=lablease',
      });
      expect(all.items.find((i) => i.metadata?.name === env.id)?.spec?.rules?.[0]?.host).toBe(
        `${env.id}.env.example.org`,
      );
    }

    for (const o of [...objects].reverse()) expect(await c.delete(o)).toBe(true);
    for (const o of objects) {
      expect(await c.read(o)).toBeUndefined();
      expect(await c.delete(o)).toBe(false);
    }
  });
});

describe('listing custom kinds', () => {
  it('pages through every HTTPRoute (client-node drops `continue` from lists of kinds it has no model for)', async () => {
    const c = client();
    const ns = 'lab-ffffffffffffffffffffffffffffffff';
    for (const name of [ns, 'lablease-system'])
      await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as KubeObject);
    const ids = Array.from({ length: 7 }, (_, i) => `ef${'a'.repeat(14)}${'abcdefg'[i]}`);
    for (const id of ids)
      for (const o of routeObjects({ id, ownerId: 'f'.repeat(32) }, options('gateway')))
        await c.apply(o);
    const selector = { labelSelector: `lablease.dev/user=${'f'.repeat(32)}`, pageSize: 2 };
    const before = cluster.sim.requests.count('list', 'httproutes');
    const all = await c.list('gateway.networking.k8s.io/v1', 'HTTPRoute', selector);
    expect(all.map((o) => o.metadata.name).sort()).toEqual(ids);
    expect(cluster.sim.requests.count('list', 'httproutes') - before).toBe(4);
    const inNamespace = await c.list('gateway.envoyproxy.io/v1alpha1', 'SecurityPolicy', {
      ...selector,
      namespace: ns,
    });
    expect(inNamespace).toHaveLength(7);
    // Items as sent: what the snapshot reads is there.
    expect(all[0]!.metadata.labels?.['lablease.dev/env']).toMatch(/^ef/);
  });

  it('refuses a kind the cluster does not serve', async () => {
    await expect(client().list('example.com/v1', 'Widget')).rejects.toMatchObject({
      code: 'NotServed',
    });
  });
});
