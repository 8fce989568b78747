// Behaviour 14: discovery good enough for client-node's KubernetesObjectApi
// (kind → plural through /api and /apis) and for kubectl; plus the HTTP
// edge: bearer-token auth and protobuf negotiation.
import { ApisApi, type KubernetesObject, VersionApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createNamespace, rawRequest, setupTestCluster } from './support.js';

const cluster = setupTestCluster();

describe('discovery', () => {
  it('serves /version, /api and /apis', async () => {
    const version = await cluster.kc.makeApiClient(VersionApi).getCode();
    expect(version.major).toBe('1');
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    const groups = await cluster.kc.makeApiClient(ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        'apps',
        'networking.k8s.io',
        'gateway.networking.k8s.io',
        'gateway.envoyproxy.io',
      ]),
    );
    const core = await rawRequest(cluster.sim, 'GET', '/api');
    expect(core.json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
  });

  it('lists resources with verbs, short names, scope and subresources', async () => {
    const core = (await rawRequest(cluster.sim, 'GET', '/api/v1')).json;
    const pods = core.resources.find((r: { name: string }) => r.name === 'pods');
    expect(pods).toMatchObject({
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      shortNames: ['po'],
    });
    expect(pods.verbs).toEqual(
      expect.arrayContaining(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']),
    );
    expect(core.resources.find((r: { name: string }) => r.name === 'namespaces')).toMatchObject({
      namespaced: false,
    });
    const apps = (await rawRequest(cluster.sim, 'GET', '/apis/apps/v1')).json;
    expect(
      apps.resources.find((r: { name: string }) => r.name === 'deployments/scale'),
    ).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    const routes = (await rawRequest(cluster.sim, 'GET', '/apis/gateway.networking.k8s.io/v1'))
      .json;
    expect(routes.resources[0]).toMatchObject({
      name: 'httproutes',
      kind: 'HTTPRoute',
      namespaced: true,
    });
  });

  it('lets KubernetesObjectApi create, read, patch and delete any served kind', async () => {
    const ns = await createNamespace(cluster);
    const objects: KubernetesObject[] = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: ns } },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'deny', namespace: ns },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      } as KubernetesObject,
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'route', namespace: ns },
        spec: {
          hostnames: ['env.example.com'],
          rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }],
        },
      } as KubernetesObject,
      {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'SecurityPolicy',
        metadata: { name: 'auth', namespace: ns },
        spec: {
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'route' }],
          extAuth: { http: { backendRefs: [{ name: 'api', port: 8787 }] } },
        },
      } as KubernetesObject,
    ];
    for (const o of objects) {
      const created = await cluster.objects.create(o);
      expect(created.metadata?.uid).toBeTruthy();
      const read = await cluster.objects.read({
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: { name: o.metadata?.name as string, namespace: ns },
      });
      expect(read.metadata?.name).toBe(o.metadata?.name);
      const patched = await cluster.objects.patch(
        {
          apiVersion: o.apiVersion,
          kind: o.kind,
          metadata: { name: o.metadata?.name, namespace: ns, labels: { patched: 'yes' } },
        },
        undefined,
        undefined,
        'test',
        undefined,
        'application/merge-patch+json',
      );
      expect(patched.metadata?.labels).toEqual({ patched: 'yes' });
    }
    const list = await cluster.objects.list('gateway.networking.k8s.io/v1', 'HTTPRoute', ns);
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['route']);
    for (const o of objects) await cluster.objects.delete(o);
    expect(cluster.sim.api.get('httproutes', ns, 'route')).toBeUndefined();
  });
});

describe('HTTP edge', () => {
  it('answers 401 without the bearer token', async () => {
    const res = await rawRequest(cluster.sim, 'GET', '/api/v1/namespaces', undefined, {
      Authorization: 'Bearer wrong',
    });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('answers JSON to clients that prefer protobuf, and 415 to protobuf bodies', async () => {
    const res = await rawRequest(cluster.sim, 'GET', '/api/v1/namespaces/default', undefined, {
      Accept: 'application/vnd.kubernetes.protobuf,application/json',
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json.metadata.name).toBe('default');
    const proto = await rawRequest(
      cluster.sim,
      'POST',
      '/api/v1/namespaces/default/configmaps',
      'k8s\0...',
      {
        'Content-Type': 'application/vnd.kubernetes.protobuf',
      },
    );
    expect(proto.status).toBe(415);
    expect(proto.json.reason).toBe('UnsupportedMediaType');
  });

  it('serves Tables for kubectl', async () => {
    const res = await rawRequest(cluster.sim, 'GET', '/api/v1/namespaces', undefined, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(res.json.kind).toBe('Table');
    expect(res.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Status',
      'Age',
    ]);
    expect(res.json.rows.find((r: { cells: string[] }) => r.cells[0] === 'default').cells[1]).toBe(
      'Active',
    );
  });
});
