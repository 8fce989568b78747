// Behaviour 4: PATCH as the real server — JSON patch, merge patch, strategic
// merge patch and server-side apply — plus the status and scale subresources.
import { type KubernetesObject, PatchStrategy } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  apiError,
  createNamespace,
  patchAs,
  rawRequest,
  setupTestCluster,
  startTestCluster,
} from './support.js';

const cluster = setupTestCluster();

const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: name } },
  spec: {
    replicas: 0,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx:1.27',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            ports: [{ containerPort: 80 }],
          },
          { name: 'sidecar', image: 'envoy:1' },
        ],
      },
    },
  },
});

describe('JSON patch', () => {
  it('answers 400 when sent an object — the trap of the typed patch methods', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'cm' }, data: { a: '1' } },
    });
    // client-node's typed patch methods send application/json-patch+json unless told otherwise.
    const err = await apiError(
      cluster.core.patchNamespacedConfigMap({
        namespace: ns,
        name: 'cm',
        body: { data: { a: '2' } },
      }),
    );
    expect(err.code).toBe(400);
    expect(err.status).toMatchObject({
      status: 'Failure',
      reason: 'BadRequest',
      message: 'json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp',
      code: 400,
    });
  });

  it('applies operations in order, and a failed test op changes nothing', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'cm' }, data: { a: '1' } },
    });
    const out = await cluster.core.patchNamespacedConfigMap({
      namespace: ns,
      name: 'cm',
      body: [
        { op: 'test', path: '/data/a', value: '1' },
        { op: 'replace', path: '/data/a', value: '2' },
        { op: 'add', path: '/data/b', value: '3' },
      ],
    });
    expect(out.data).toEqual({ a: '2', b: '3' });
    const err = await apiError(
      cluster.core.patchNamespacedConfigMap({
        namespace: ns,
        name: 'cm',
        body: [
          { op: 'test', path: '/data/a', value: 'nope' },
          { op: 'remove', path: '/data/a' },
        ],
      }),
    );
    expect(err.code).toBe(422);
    expect(
      (await cluster.core.readNamespacedConfigMap({ namespace: ns, name: 'cm' })).data,
    ).toEqual({ a: '2', b: '3' });
  });
});

describe('merge patch', () => {
  it('replaces lists and deletes keys set to null', async () => {
    const ns = await createNamespace(cluster);
    await cluster.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    const out = await cluster.apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: 'web',
        body: {
          metadata: { labels: { app: 'web', extra: 'x' } },
          spec: { template: { spec: { containers: [{ name: 'only', image: 'busybox:1' }] } } },
        },
      },
      patchAs.merge(),
    );
    expect(out.spec?.template.spec?.containers.map((c) => c.name)).toEqual(['only']);
    const removed = await cluster.apps.patchNamespacedDeployment(
      { namespace: ns, name: 'web', body: { metadata: { labels: { extra: null } } } },
      patchAs.merge(),
    );
    expect(removed.metadata?.labels).toEqual({ app: 'web' });
  });
});

describe('patch preconditions', () => {
  it('a patch carrying a stale metadata.resourceVersion answers 409 Conflict', async () => {
    const ns = await createNamespace(cluster);
    const cm = await cluster.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'cm' }, data: { a: '1' } },
    });
    await cluster.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'cm', body: { data: { a: '2' } } },
      patchAs.merge(),
    );
    const err = await apiError(
      cluster.core.patchNamespacedConfigMap(
        {
          namespace: ns,
          name: 'cm',
          body: { metadata: { resourceVersion: cm.metadata?.resourceVersion }, data: { a: '3' } },
        },
        patchAs.merge(),
      ),
    );
    expect(err.code).toBe(409);
    expect(err.status.message).toBe(
      'Operation cannot be fulfilled on configmaps "cm": the object has been modified; please apply your changes to the latest version and try again',
    );
  });
});

describe('strategic merge patch', () => {
  it('merges containers and env by name, ports by containerPort, and honours $patch: delete', async () => {
    const ns = await createNamespace(cluster);
    await cluster.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    const out = await cluster.apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: 'web',
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: 'nginx:1.28',
                    env: [
                      { name: 'B', value: 'two' },
                      { name: 'C', value: '3' },
                    ],
                    ports: [{ containerPort: 443 }],
                  },
                  { name: 'sidecar', $patch: 'delete' },
                ],
              },
            },
          },
        },
      },
      patchAs.strategic(),
    );
    const containers = out.spec?.template.spec?.containers ?? [];
    expect(containers.map((c) => c.name)).toEqual(['app']);
    expect(containers[0]?.image).toBe('nginx:1.28');
    expect(containers[0]?.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
      { name: 'C', value: '3' },
    ]);
    expect(containers[0]?.ports?.map((p) => p.containerPort)).toEqual([80, 443]);
  });

  it('is refused for custom resources with 415', async () => {
    const ns = await createNamespace(cluster);
    await cluster.custom.createNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: ns,
      plural: 'httproutes',
      body: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'r' },
        spec: { hostnames: ['a.example.com'] },
      },
    });
    const res = await rawRequest(
      cluster.sim,
      'PATCH',
      `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes/r`,
      { spec: {} },
      {
        'Content-Type': 'application/strategic-merge-patch+json',
      },
    );
    expect(res.status).toBe(415);
    expect(res.json.reason).toBe('UnsupportedMediaType');
  });
});

describe('server-side apply', () => {
  it('requires fieldManager (422)', async () => {
    const ns = await createNamespace(cluster);
    const err = await apiError(
      cluster.apps.patchNamespacedDeployment(
        { namespace: ns, name: 'web', body: deployment('web') },
        patchAs.apply(),
      ),
    );
    expect(err.code).toBe(422);
    expect(err.status.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });

  it('creates when absent, then answers 409 on fields another manager owns unless force=true', async () => {
    const ns = await createNamespace(cluster);
    const created = await rawRequest(
      cluster.sim,
      'PATCH',
      `/apis/apps/v1/namespaces/${ns}/deployments/web?fieldManager=provisioner`,
      deployment('web'),
      {
        'Content-Type': 'application/apply-patch+yaml',
      },
    );
    expect(created.status).toBe(201);
    expect(created.json.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'provisioner',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
      }),
    ]);

    const other = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 3 },
    };
    const err = await apiError(
      cluster.apps.patchNamespacedDeployment(
        { namespace: ns, name: 'web', body: other, fieldManager: 'someone-else' },
        patchAs.apply(),
      ),
    );
    expect(err.code).toBe(409);
    expect(err.status.reason).toBe('Conflict');
    expect(err.status.message).toBe(
      'Apply failed with 1 conflict: conflict with "provisioner" using apps/v1: .spec.replicas',
    );
    expect(err.status.details.causes).toEqual([
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "provisioner" using apps/v1',
        field: '.spec.replicas',
      },
    ]);

    const forced = await cluster.apps.patchNamespacedDeployment(
      { namespace: ns, name: 'web', body: other, fieldManager: 'someone-else', force: true },
      patchAs.apply(),
    );
    expect(forced.spec?.replicas).toBe(3);
    // Ownership moved: now the first manager conflicts when it applies a different value.
    const back = await apiError(
      cluster.apps.patchNamespacedDeployment(
        { namespace: ns, name: 'web', body: deployment('web'), fieldManager: 'provisioner' },
        patchAs.apply(),
      ),
    );
    expect(back.code).toBe(409);
    expect(back.status.message).toContain(
      'conflict with "someone-else" using apps/v1: .spec.replicas',
    );
  });

  it('applying the same value as another manager shares the field without conflict', async () => {
    const ns = await createNamespace(cluster);
    await cluster.apps.patchNamespacedDeployment(
      { namespace: ns, name: 'web', body: deployment('web'), fieldManager: 'a' },
      patchAs.apply(),
    );
    const same = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 0 },
    };
    const out = await cluster.apps.patchNamespacedDeployment(
      { namespace: ns, name: 'web', body: same, fieldManager: 'b' },
      patchAs.apply(),
    );
    // (the deployment controller also appears, owning status through the status subresource)
    const appliers = out.metadata?.managedFields
      ?.filter((m) => m.operation === 'Apply')
      .map((m) => m.manager);
    expect(appliers?.sort()).toEqual(['a', 'b']);
  });

  it('removes fields a manager stops applying', async () => {
    const ns = await createNamespace(cluster);
    const withLabel = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', labels: { keep: 'y', drop: 'y' } },
      data: { a: '1', b: '2' },
    };
    await cluster.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'cm', body: withLabel, fieldManager: 'm' },
      patchAs.apply(),
    );
    const without = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', labels: { keep: 'y' } },
      data: { a: '1' },
    };
    const out = await cluster.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'cm', body: without, fieldManager: 'm' },
      patchAs.apply(),
    );
    expect(out.metadata?.labels).toEqual({ keep: 'y' });
    expect(out.data).toEqual({ a: '1' });
  });

  it('an Update by another writer takes ownership of the fields it changed', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.patchNamespacedConfigMap(
      {
        namespace: ns,
        name: 'cm',
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } },
        fieldManager: 'applier',
      },
      patchAs.apply(),
    );
    await cluster.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'cm', body: { data: { a: 'edited' } }, fieldManager: 'editor' },
      patchAs.merge(),
    );
    const err = await apiError(
      cluster.core.patchNamespacedConfigMap(
        {
          namespace: ns,
          name: 'cm',
          body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } },
          fieldManager: 'applier',
        },
        patchAs.apply(),
      ),
    );
    expect(err.code).toBe(409);
    expect(err.status.message).toBe(
      'Apply failed with 1 conflict: conflict with "editor" using v1: .data.a',
    );
  });
});

describe('server-side apply through KubernetesObjectApi', () => {
  it('creates and then updates with PatchStrategy.ServerSideApply', async () => {
    const ns = await createNamespace(cluster);
    const svc: KubernetesObject & { spec: Record<string, unknown> } = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'env',
        namespace: ns,
        labels: { 'app.kubernetes.io/managed-by': 'lablease' },
      },
      spec: { selector: { app: 'env' }, ports: [{ name: 'http', port: 80, targetPort: 8888 }] },
    };
    const created = await cluster.objects.patch(
      svc,
      undefined,
      undefined,
      'lablease',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(created.metadata?.uid).toBeTruthy();
    const updated = await cluster.objects.patch(
      { ...svc, spec: { ...svc.spec, ports: [{ name: 'http', port: 80, targetPort: 9999 }] } },
      undefined,
      undefined,
      'lablease',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(updated.metadata?.uid).toBe(created.metadata?.uid);
    expect(
      (updated as { spec: { ports: Array<{ targetPort: number }> } }).spec.ports[0]?.targetPort,
    ).toBe(9999);
  });
});

describe('status and scale subresources', () => {
  it('status writes change only status; main writes ignore status', async () => {
    const ns = await createNamespace(cluster);
    await cluster.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    const out = await cluster.apps.patchNamespacedDeploymentStatus(
      {
        namespace: ns,
        name: 'web',
        body: {
          metadata: { labels: { sneaky: 'yes' } },
          spec: { replicas: 9 },
          status: { conditions: [{ type: 'Custom', status: 'True' }] },
        },
      },
      patchAs.merge(),
    );
    expect(out.status?.conditions?.some((c) => c.type === 'Custom')).toBe(true);
    expect(out.spec?.replicas).toBe(0);
    expect(out.metadata?.labels?.sneaky).toBeUndefined();
    const main = await cluster.apps.patchNamespacedDeployment(
      { namespace: ns, name: 'web', body: { status: { replicas: 42 } } },
      patchAs.merge(),
    );
    expect(main.status?.replicas).not.toBe(42);
  });

  it('serves autoscaling/v1 Scale for deployments', async () => {
    const ns = await createNamespace(cluster);
    await cluster.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    const scale = await cluster.apps.readNamespacedDeploymentScale({ namespace: ns, name: 'web' });
    expect(scale).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 0 },
      status: { selector: 'app=web' },
    });
    const up = await cluster.apps.replaceNamespacedDeploymentScale({
      namespace: ns,
      name: 'web',
      body: { ...scale, spec: { replicas: 1 } },
    });
    expect(up.spec?.replicas).toBe(1);
    expect(
      (await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'web' })).spec?.replicas,
    ).toBe(1);
    const patched = await cluster.apps.patchNamespacedDeploymentScale(
      { namespace: ns, name: 'web', body: { spec: { replicas: 0 } } },
      patchAs.merge(),
    );
    expect(patched.spec?.replicas).toBe(0);
  });
});

describe('warnings', () => {
  it('returns admission warnings as Warning: 299 headers', async () => {
    const warned = await startTestCluster({
      admission: [
        { name: 'warner', validate: (req) => void req.warnings.push('would violate "something"') },
      ],
      controllers: [],
    });
    try {
      const res = await rawRequest(warned.sim, 'POST', '/api/v1/namespaces/default/configmaps', {
        metadata: { name: 'w' },
      });
      expect(res.status).toBe(201);
      expect(res.headers.warning).toBe('299 - "would violate \\"something\\""');
    } finally {
      await warned.stop();
    }
  });
});
