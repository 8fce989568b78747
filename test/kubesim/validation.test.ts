// Behaviour 3: names, labels, required and immutable fields validated as the
// API server does — 422 Invalid with causes[].field and the real texts.
import { describe, expect, it } from 'vitest';
import { apiError, createNamespace, rawRequest, setupTestCluster } from './support.js';

const cluster = setupTestCluster();

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name, ...extra },
  spec: { containers: [{ name: 'app', image: 'busybox:1' }] },
});

const deployment = (name: string, labels = { app: name }) => ({
  metadata: { name },
  spec: {
    replicas: 0,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    },
  },
});

describe('names', () => {
  it('rejects a Pod name that is not a DNS-1123 subdomain with the real message', async () => {
    const ns = await createNamespace(cluster);
    const err = await apiError(cluster.core.createNamespacedPod({ namespace: ns, body: pod('X') }));
    expect(err.code).toBe(422);
    expect(err.status.reason).toBe('Invalid');
    expect(err.status.message).toBe(
      `Pod "X" is invalid: metadata.name: Invalid value: "X": ${SUBDOMAIN_MSG}`,
    );
    expect(err.status.details).toEqual({
      name: 'X',
      group: '',
      kind: 'Pod',
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: "X": ${SUBDOMAIN_MSG}`,
          field: 'metadata.name',
        },
      ],
    });
  });

  it('holds Namespaces to DNS-1123 labels (no dots, at most 63)', async () => {
    const dotted = await apiError(
      cluster.core.createNamespace({ body: { metadata: { name: 'a.b' } } }),
    );
    expect(dotted.code).toBe(422);
    expect(dotted.status.details.causes[0].field).toBe('metadata.name');
    expect(dotted.status.details.causes[0].message).toContain(
      'a lowercase RFC 1123 label must consist of',
    );
    const long = await apiError(
      cluster.core.createNamespace({ body: { metadata: { name: 'a'.repeat(64) } } }),
    );
    expect(long.status.details.causes[0].message).toBe(
      `Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`,
    );
  });

  it('holds Services to DNS-1035 labels (must start with a letter)', async () => {
    const ns = await createNamespace(cluster);
    const err = await apiError(
      cluster.core.createNamespacedService({
        namespace: ns,
        body: { metadata: { name: '1web' }, spec: { ports: [{ port: 80 }] } },
      }),
    );
    expect(err.code).toBe(422);
    expect(err.status.message).toBe(
      `Service "1web" is invalid: metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    );
  });

  it('requires a name or generateName, and generates names from generateName', async () => {
    const ns = await createNamespace(cluster);
    const err = await apiError(
      cluster.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: {} } }),
    );
    expect(err.code).toBe(422);
    expect(err.status.details.causes).toEqual([
      {
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
        field: 'metadata.name',
      },
    ]);
    const made = await cluster.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { generateName: 'gen-' } },
    });
    expect(made.metadata?.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});

describe('labels', () => {
  it('rejects label values that are too long or have invalid characters', async () => {
    const ns = await createNamespace(cluster);
    const err = await apiError(
      cluster.core.createNamespacedConfigMap({
        namespace: ns,
        body: {
          metadata: { name: 'l', labels: { ok: 'fine', bad: 'has space', long: 'x'.repeat(64) } },
        },
      }),
    );
    expect(err.code).toBe(422);
    expect(err.status.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.labels',
        message:
          "Invalid value: \"has space\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      },
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.labels',
        message: `Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`,
      },
    ]);
    expect(err.status.message).toMatch(
      /^ConfigMap "l" is invalid: \[metadata\.labels: Invalid value: "has space"/,
    );
  });

  it('rejects invalid label keys', async () => {
    const ns = await createNamespace(cluster);
    const err = await apiError(
      cluster.core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: 'k', labels: { 'Bad_Prefix/x': 'v' } } },
      }),
    );
    expect(err.code).toBe(422);
    expect(err.status.details.causes[0].message).toContain(
      'prefix part a lowercase RFC 1123 subdomain',
    );
  });
});

describe('required fields', () => {
  it('requires containers with a name and image', async () => {
    const ns = await createNamespace(cluster);
    const err = await apiError(
      cluster.core.createNamespacedPod({
        namespace: ns,
        body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'app' }] } } as never,
      }),
    );
    expect(err.code).toBe(422);
    expect(err.status.details.causes).toEqual([
      {
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: 'spec.containers[0].image',
      },
    ]);
  });

  it('requires a Deployment selector that matches the template labels', async () => {
    const ns = await createNamespace(cluster);
    const d = deployment('web');
    d.spec.template.metadata.labels = { app: 'other' };
    const err = await apiError(cluster.apps.createNamespacedDeployment({ namespace: ns, body: d }));
    expect(err.code).toBe(422);
    expect(err.status.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.template.metadata.labels',
        message:
          'Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
      },
    ]);
  });

  it('requires PVC access modes and a storage request', async () => {
    const ns = await createNamespace(cluster);
    const err = await apiError(
      cluster.core.createNamespacedPersistentVolumeClaim({
        namespace: ns,
        body: { metadata: { name: 'v' }, spec: {} },
      }),
    );
    expect(err.code).toBe(422);
    expect(err.status.details.causes.map((c: { field: string }) => c.field)).toEqual([
      'spec.accessModes',
      'spec.resources[storage]',
    ]);
  });
});

describe('immutable fields', () => {
  it('forbids changing a Deployment selector', async () => {
    const ns = await createNamespace(cluster);
    await cluster.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    const cur = await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'web' });
    const next = {
      ...cur,
      spec: {
        ...cur.spec!,
        selector: { matchLabels: { app: 'web', v: '2' } },
        template: { ...cur.spec!.template, metadata: { labels: { app: 'web', v: '2' } } },
      },
    };
    const err = await apiError(
      cluster.apps.replaceNamespacedDeployment({ namespace: ns, name: 'web', body: next }),
    );
    expect(err.code).toBe(422);
    expect(err.status.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.selector',
        message:
          'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      },
    ]);
  });

  it('lets a PVC grow its storage request but not change the rest of its spec', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: {
        metadata: { name: 'ws' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    const cur = await cluster.core.readNamespacedPersistentVolumeClaim({
      namespace: ns,
      name: 'ws',
    });
    const grown = await cluster.core.replaceNamespacedPersistentVolumeClaim({
      namespace: ns,
      name: 'ws',
      body: { ...cur, spec: { ...cur.spec, resources: { requests: { storage: '2Gi' } } } },
    });
    expect(grown.spec?.resources?.requests?.storage).toBe('2Gi');
    const err = await apiError(
      cluster.core.replaceNamespacedPersistentVolumeClaim({
        namespace: ns,
        name: 'ws',
        body: { ...grown, spec: { ...grown.spec, accessModes: ['ReadWriteMany'] } },
      }),
    );
    expect(err.code).toBe(422);
    expect(err.status.details.causes[0]).toEqual({
      reason: 'FieldValueForbidden',
      field: 'spec',
      message:
        'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    });
  });

  it('lets a pod change its image but not its other spec fields', async () => {
    const ns = await createNamespace(cluster);
    cluster.sim.simulation.pause();
    try {
      await cluster.core.createNamespacedPod({ namespace: ns, body: pod('p') });
      const cur = await cluster.core.readNamespacedPod({ namespace: ns, name: 'p' });
      const retagged = await cluster.core.replaceNamespacedPod({
        namespace: ns,
        name: 'p',
        body: {
          ...cur,
          spec: { ...cur.spec!, containers: [{ ...cur.spec!.containers[0]!, image: 'busybox:2' }] },
        },
      });
      expect(retagged.spec?.containers[0]?.image).toBe('busybox:2');
      const err = await apiError(
        cluster.core.replaceNamespacedPod({
          namespace: ns,
          name: 'p',
          body: { ...retagged, spec: { ...retagged.spec!, restartPolicy: 'Never' } },
        }),
      );
      expect(err.code).toBe(422);
      expect(err.status.details.causes[0].field).toBe('spec');
      expect(err.status.details.causes[0].message).toMatch(
        /^Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/,
      );
    } finally {
      cluster.sim.simulation.resume();
    }
  });

  it("keeps a Service's clusterIP", async () => {
    const ns = await createNamespace(cluster);
    const svc = await cluster.core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } },
    });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\./);
    const err = await apiError(
      cluster.core.replaceNamespacedService({
        namespace: ns,
        name: 'web',
        body: { ...svc, spec: { ...svc.spec, clusterIP: '10.0.0.1' } },
      }),
    );
    expect(err.code).toBe(422);
    expect(err.status.details.causes[0]).toEqual({
      reason: 'FieldValueInvalid',
      field: 'spec.clusterIP',
      message: 'Invalid value: "10.0.0.1": field is immutable',
    });
  });
});

describe('decoding', () => {
  it('answers 400 for Secret data that is not base64', async () => {
    const ns = await createNamespace(cluster);
    const err = await apiError(
      cluster.core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name: 's' }, data: { password: 'hunter 2' } },
      }),
    );
    expect(err.code).toBe(400);
    expect(err.status.reason).toBe('BadRequest');
    expect(err.status.message).toBe(
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 6',
    );
    const ok = await cluster.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 's' }, stringData: { password: 'hunter 2' } },
    });
    expect(ok.data).toEqual({ password: Buffer.from('hunter 2').toString('base64') });
  });
});

describe('label types', () => {
  it('answers 400 for a label value that is not a string, as the JSON decoder does', async () => {
    const ns = await createNamespace(cluster);
    const res = await rawRequest(cluster.sim, 'POST', `/api/v1/namespaces/${ns}/configmaps`, {
      metadata: { name: 'n', labels: { replicas: 3 } },
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    );
  });

  it('answers 400 for replicas sent as a string', async () => {
    const ns = await createNamespace(cluster);
    const d = deployment('web') as unknown as { spec: { replicas: unknown } };
    d.spec.replicas = '1';
    const res = await rawRequest(
      cluster.sim,
      'POST',
      `/apis/apps/v1/namespaces/${ns}/deployments`,
      d,
    );
    expect(res.status).toBe(400);
    expect(res.json.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
  });
});

describe('unknown fields', () => {
  const typo = (ns: string) => ({
    metadata: { name: 'typo', namespace: ns },
    spec: {
      securityContext: { runAsNonroot: true },
      containers: [{ name: 'app', image: 'busybox:1', imagePullPolcy: 'Always' }],
    },
  });

  it('are dropped with a Warning header by default', async () => {
    const ns = await createNamespace(cluster);
    const res = await rawRequest(cluster.sim, 'POST', `/api/v1/namespaces/${ns}/pods`, typo(ns));
    expect(res.status).toBe(201);
    expect(res.headers.warning).toBe(
      '299 - "unknown field \\"spec.securityContext.runAsNonroot\\"", 299 - "unknown field \\"spec.containers[0].imagePullPolcy\\""',
    );
    expect(res.json.spec.securityContext).toEqual({});
    expect(res.json.spec.containers[0].imagePullPolcy).toBeUndefined();
  });

  it('answer 400 under fieldValidation=Strict (what kubectl sends)', async () => {
    const ns = await createNamespace(cluster);
    const res = await rawRequest(
      cluster.sim,
      'POST',
      `/api/v1/namespaces/${ns}/pods?fieldValidation=Strict`,
      typo(ns),
    );
    expect(res.status).toBe(400);
    expect(res.json.message).toBe(
      'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.securityContext.runAsNonroot", unknown field "spec.containers[0].imagePullPolcy"',
    );
  });
});

describe('route kinds', () => {
  it('validates Ingress hosts and path types', async () => {
    const ns = await createNamespace(cluster);
    const err = await apiError(
      cluster.networking.createNamespacedIngress({
        namespace: ns,
        body: {
          metadata: { name: 'ing' },
          spec: {
            rules: [
              {
                host: 'Env1.Example.com',
                http: {
                  paths: [
                    {
                      path: '/',
                      backend: { service: { name: 'web', port: { number: 80 } } },
                    } as never,
                  ],
                },
              },
            ],
          },
        },
      }),
    );
    expect(err.code).toBe(422);
    expect(err.status.message).toMatch(
      /^Ingress\.networking\.k8s\.io "ing" is invalid: \[spec\.rules\[0\]\.host: Invalid value: "Env1\.Example\.com": a lowercase RFC 1123 subdomain/,
    );
    expect(err.status.details.causes.map((c: { field: string }) => c.field)).toEqual([
      'spec.rules[0].host',
      'spec.rules[0].http.paths[0].pathType',
    ]);
    expect(err.status.details.causes[1].message).toBe('Required value: pathType must be specified');
  });

  it('validates HTTPRoute hostnames with the CRD pattern', async () => {
    const ns = await createNamespace(cluster);
    const err = await apiError(
      cluster.custom.createNamespacedCustomObject({
        group: 'gateway.networking.k8s.io',
        version: 'v1',
        namespace: ns,
        plural: 'httproutes',
        body: {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'r' },
          spec: { hostnames: ['*.ok.example.com', 'Bad_Host'] },
        },
      }),
    );
    expect(err.code).toBe(422);
    expect(err.status.message).toBe(
      `HTTPRoute.gateway.networking.k8s.io "r" is invalid: spec.hostnames[1]: Invalid value: "Bad_Host": spec.hostnames[1] in body should match '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'`,
    );
  });

  it('names group-qualified kinds in Invalid messages', async () => {
    const ns = await createNamespace(cluster);
    const d = deployment('web');
    d.spec.template.metadata.labels = { app: 'other' };
    const err = await apiError(cluster.apps.createNamespacedDeployment({ namespace: ns, body: d }));
    expect(err.status.message).toBe(
      'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    );
    expect(err.status.details).toMatchObject({ kind: 'Deployment', group: 'apps' });
  });
});
