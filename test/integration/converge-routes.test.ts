// The provisioner's converge and the reconciler with a router, through the
// real client against kubesim: a running environment gets its route objects
// (SecurityPolicy before HTTPRoute, or an Ingress) and is not Running until
// they exist; they stay while it is stopped (the router's "stopped" page);
// a route deleted by hand is seen as drift and re-applied; delete removes
// them with the compute; an orphaned route is deleted by the reconciler.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/cluster/client.js';
import {
  ROUTE_KINDS,
  type RouterKind,
  type RouterOptions,
} from '../../core/cluster/routes/index.js';
import type { Environment } from '../../core/environment/model.js';
import { namespaceFor } from '../../core/environment/naming.js';
import { reconcileCluster } from '../../core/jobs/reconciler.js';
import { setupTestCluster } from '../kubesim/support.js';
import { convergeHarness, exampleRouterOptions } from '../support/converge.js';
import { anEnvironment } from '../unit/environment/fixtures.js';

const cluster = setupTestCluster();

/** One environment in memory, with its route objects read back from the cluster. */
function harness(env: Environment, routes: RouterOptions) {
  const h = convergeHarness(cluster.kc, env, { routes });
  const { cl } = h;
  const routeObjects = () =>
    Promise.all(
      ROUTE_KINDS[routes.kind].map((k) =>
        cl.read<KubeObject>({
          apiVersion: k.apiVersion,
          kind: k.kind,
          metadata: { name: env.id, namespace: namespaceFor(env.ownerId) },
        }),
      ),
    );
  return { ...h, routeObjects };
}

const ids: Record<RouterKind, { env: string; owner: string }> = {
  gateway: { env: 'ecccccccccccccccc', owner: 'c'.repeat(32) },
  'ingress-nginx': { env: 'edddddddddddddddd', owner: 'd'.repeat(32) },
};

describe.each(['gateway', 'ingress-nginx'] as const)('converge with the %s router', (router) => {
  it('applies the route while running, keeps it while stopped, re-applies it, removes it on delete', async () => {
    const { env: id, owner } = ids[router];
    const env = anEnvironment({
      id,
      ownerId: owner,
      spec: { ...anEnvironment().spec, volume: { name: `${id}-workspace`, sizeGi: 1 } },
    });
    const h = harness(env, exampleRouterOptions(router));
    await h.cl.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'lablease-system' },
    } as KubeObject);
    const grant = {
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: `lab-${owner}-extauth`, namespace: 'lablease-system' },
    };

    const first = await h.converge();
    expect(first.actions).toContain('applyRoute');
    // Applied after the Service, in one converge: a guard before what it guards.
    expect(first.actions.indexOf('applyRoute')).toBeGreaterThan(
      first.actions.indexOf('applyService'),
    );
    const applied = await h.routeObjects();
    expect(applied.every(Boolean)).toBe(true);
    expect(applied.map((o) => o!.kind)).toEqual(ROUTE_KINDS[router].map((k) => k.kind));
    // gateway: the user's SecurityPolicies may use the auth backend in the platform's namespace.
    const granted = await h.cl.read<KubeObject & { spec: unknown }>(grant);
    if (router === 'gateway')
      expect(granted?.spec).toEqual({
        from: [
          { group: 'gateway.envoyproxy.io', kind: 'SecurityPolicy', namespace: `lab-${owner}` },
        ],
        to: [{ group: '', kind: 'Service', name: 'lablease-api' }],
      });
    else expect(granted).toBeUndefined();
    await h.until('Running');
    expect(h.get().status.url).toBeUndefined(); // no url option here: the route is the router's

    // Deleted by hand while running: the planner sees it and puts it back; not Ready meanwhile.
    const last = ROUTE_KINDS[router].at(-1)!;
    await h.cl.delete({
      apiVersion: last.apiVersion,
      kind: last.kind,
      metadata: { name: id, namespace: namespaceFor(owner) },
    });
    const repaired = await h.converge();
    expect(repaired.actions).toEqual(['applyRoute']);
    expect((await h.routeObjects()).every(Boolean)).toBe(true);

    h.set({ desiredState: 'stopped' });
    await h.until('Stopped');
    expect((await h.routeObjects()).every(Boolean)).toBe(true);

    h.set({ desiredState: 'deleted' });
    const deleting = await h.converge();
    expect(deleting.actions).toContain('deleteCompute');
    expect((await h.routeObjects()).some(Boolean)).toBe(false);
    // The grant is the user's, shared by their environments: it stays.
    if (router === 'gateway') expect(await h.cl.read(grant)).toBeDefined();
    await h.until('Deleted');
  });
});

describe('reconciler with a router', () => {
  it('lists the route kinds once each and deletes an orphaned route (HTTPRoute before its SecurityPolicy)', async () => {
    const routes = exampleRouterOptions('gateway');
    const env = anEnvironment({
      id: 'eeeeeeeeeeeeeeeee',
      ownerId: 'e'.repeat(32),
      spec: { ...anEnvironment().spec, volume: { name: 'eeeeeeeeeeeeeeeee-workspace', sizeGi: 1 } },
    });
    const h = harness(env, routes);
    await h.cl.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'lablease-system' },
    } as KubeObject);
    await h.converge();
    expect((await h.routeObjects()).every(Boolean)).toBe(true);
    const listCount = (resource: string) => cluster.sim.requests.count('list', resource);
    const lists = {
      httproutes: listCount('httproutes'),
      securitypolicies: listCount('securitypolicies'),
    };
    const report = await reconcileCluster({
      environments: {
        livePage: async () => ({ items: [] }),
        writeStatus: async () => true,
        getMany: async () => new Map(),
        counters: async (owners: string[]) =>
          new Map(owners.map((o) => [o, { running: 0, total: 0 }])),
        globalRunning: async () => 0,
        correctCounters: async () => true,
        correctGlobalRunning: async () => true,
        allOfOwner: async () => [],
      } as never,
      orphanVolumes: { replace: async () => true },
      cluster: h.cl,
      queue: { publishMany: async (intents: unknown[]) => intents.length },
      // Everything is old enough to be an orphan.
      now: () => new Date(Date.now() + 3_600_000),
      routes,
      log: () => {},
      options: { shards: 1 },
    });
    expect(listCount('httproutes') - lists.httproutes).toBe(1);
    expect(listCount('securitypolicies') - lists.securitypolicies).toBe(1);
    const mine = report.orphanComputeDeleted.filter((o) => o.envId === env.id).map((o) => o.kind);
    expect(mine).toEqual(['Deployment', 'HTTPRoute', 'SecurityPolicy', 'Service', 'NetworkPolicy']);
    expect((await h.routeObjects()).some(Boolean)).toBe(false);
  });
});
