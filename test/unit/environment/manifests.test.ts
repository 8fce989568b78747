// Manifest builders tested as KubeSpawner tests make_pod: by equality, with no
// cluster; plus the schemas, Pod Security `restricted`, kubesim's own create
// validation, and properties over any valid template and spec.
// Not exported from the package root; KubernetesObjectApi serializes with this one.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import fc from 'fast-check';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import {
  LimitRange,
  Namespace,
  PersistentVolumeClaim,
  ResourceQuota,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import {
  environmentObjects,
  isScaffolded,
  scaffoldObjects,
  toWire,
  userNamespace,
  workspaceDeployment,
  workspaceNetworkPolicy,
  workspaceService,
  workspaceVolume,
} from '../../../core/cluster/manifests.js';
import { seedCatalog } from '../../../core/environment/catalog.js';
import {
  defaultTiers,
  type Environment,
  Template,
  TierLimits,
} from '../../../core/environment/model.js';
import { newEnvironmentId, volumeNameFor } from '../../../core/environment/naming.js';
import { evaluatePod } from '../../../stacks/local/kubesim/admission/pod-security-policy.js';
import { applyDefaults } from '../../../stacks/local/kubesim/defaults.js';
import { RESOURCES } from '../../../stacks/local/kubesim/resources.js';
import type { KubeObject } from '../../../stacks/local/kubesim/types.js';
import { validateCreate } from '../../../stacks/local/kubesim/validation.js';
import { anEnvironment, aTemplate, ENV_ID, proLimits, USER } from './fixtures.js';

const NS = `lab-${USER}`;
const labels = {
  'app.kubernetes.io/managed-by': 'lablease',
  'lablease.dev/user': USER,
  'lablease.dev/env': ENV_ID,
};

// biome-ignore lint/suspicious/noExplicitAny: manifests are checked as plain JSON here
type Json = any;
const models: Record<string, new (o: Json) => { validate(): void }> = {
  Namespace,
  ServiceAccount,
  ResourceQuota,
  LimitRange,
  NetworkPolicy,
  PersistentVolumeClaim,
  Service,
  Deployment,
};

/** Every check a real API server would make on create, as far as we can run them here. */
function assertValidObject(object: unknown) {
  const wire = toWire(object) as Json;
  expect(JSON.stringify(wire)).not.toMatch(/"_[a-zA-Z]+":/);
  const Model = models[wire.kind];
  expect(Model, wire.kind).toBeDefined();
  new Model!(wire).validate();
  const resource = RESOURCES.find((r) => r.kind === wire.kind)!;
  const obj = structuredClone(wire) as KubeObject;
  applyDefaults(wire.kind, obj, true);
  expect(validateCreate(resource, obj)).toEqual([]);
}

function assertRestricted(deployment: Json) {
  const template = toWire(deployment).spec.template;
  expect(
    evaluatePod({ level: 'restricted', version: 'latest' }, template.metadata, template.spec),
  ).toEqual([]);
}

describe('user namespace scaffold', () => {
  const s = userNamespace(USER, proLimits);

  it('enforces Pod Security restricted on the namespace', () => {
    expect(s.namespace.metadata).toEqual({
      name: NS,
      annotations: { 'lablease.dev/scaffold': '1' },
      labels: {
        'app.kubernetes.io/managed-by': 'lablease',
        'lablease.dev/user': USER,
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'latest',
      },
    });
  });

  it('has a quota with headroom, container limits, a default deny and a tokenless account', () => {
    expect(s.resourceQuota.spec?.hard).toEqual({
      pods: '6',
      'requests.cpu': '24',
      'limits.cpu': '24',
      'requests.memory': '96Gi',
      'limits.memory': '96Gi',
      persistentvolumeclaims: '20',
      'requests.storage': '1000Gi',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
    expect(toWire(s.limitRange).spec?.limits).toEqual([
      {
        type: 'Container',
        max: { cpu: '4', memory: '16Gi' },
        default: { cpu: '500m', memory: '512Mi' },
        defaultRequest: { cpu: '100m', memory: '256Mi' },
      },
    ]);
    expect(s.denyAll.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(s.serviceAccount.automountServiceAccountToken).toBe(false);
  });

  it('applies the namespace first, and marks it scaffolded only after everything else', () => {
    const objects = scaffoldObjects(s);
    const first = objects[0]!;
    const last = objects.at(-1)!;
    expect(first.kind).toBe('Namespace');
    expect(isScaffolded(first)).toBe(false);
    expect(last).toBe(s.namespace);
    expect(isScaffolded(last)).toBe(true);
    for (const o of objects.slice(1, -1)) expect(o.metadata?.namespace).toBe(NS);
    expect(isScaffolded({ metadata: { ...last.metadata, deletionTimestamp: new Date() } })).toBe(
      false,
    );
    expect(isScaffolded(undefined)).toBe(false);
  });

  it.each(Object.entries(defaultTiers))('is valid for the %s tier', (_tier, limits) => {
    for (const o of scaffoldObjects(userNamespace(USER, limits))) assertValidObject(o);
  });
});

describe('environment objects', () => {
  const env = anEnvironment({ generation: 4 });
  const template = aTemplate();

  it('builds the deployment (equality)', () => {
    expect(workspaceDeployment(env, template, 1)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: ENV_ID,
        namespace: NS,
        labels,
        annotations: { 'lablease.dev/generation': '4' },
      },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        revisionHistoryLimit: 2,
        progressDeadlineSeconds: 600,
        selector: { matchLabels: { 'lablease.dev/env': ENV_ID } },
        template: {
          metadata: { labels: { ...labels, 'lablease.dev/template': 'jupyterlab' } },
          spec: {
            serviceAccountName: 'lablease-workspace',
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 30,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 1000,
              runAsGroup: 1000,
              fsGroup: 1000,
              fsGroupChangePolicy: 'OnRootMismatch',
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'workspace',
                image: 'quay.io/jupyter/base-notebook:2025-01-13',
                imagePullPolicy: 'IfNotPresent',
                args: ['start-notebook.py', '--IdentityProvider.token='],
                env: [
                  { name: 'HOME', value: '/home/jovyan' },
                  { name: 'LABLEASE_ENVIRONMENT_ID', value: ENV_ID },
                  { name: 'JUPYTER_PORT', value: '8888' },
                ],
                ports: [{ name: 'http', containerPort: 8888, protocol: 'TCP' }],
                resources: {
                  requests: { cpu: '500m', memory: '1Gi' },
                  limits: { cpu: '500m', memory: '1Gi' },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  readOnlyRootFilesystem: false,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                readinessProbe: {
                  httpGet: { path: '/api', port: 'http', scheme: 'HTTP' },
                  initialDelaySeconds: 2,
                  periodSeconds: 5,
                  timeoutSeconds: 3,
                  failureThreshold: 3,
                },
                volumeMounts: [
                  { name: 'workspace', mountPath: '/home/jovyan' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              {
                name: 'workspace',
                persistentVolumeClaim: { claimName: `${ENV_ID}-workspace` },
              },
              { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
            ],
          },
        },
      },
    });
  });

  it('scales to 0 when stopped, and probes TCP when the template has no HTTP path', () => {
    const stopped = workspaceDeployment(env, aTemplate({ readinessPath: undefined }), 0);
    expect(stopped.spec?.replicas).toBe(0);
    expect(stopped.spec?.template.spec?.containers[0]?.readinessProbe?.tcpSocket).toEqual({
      port: 'http',
    });
  });

  it('keeps a template from overriding HOME or the environment id', () => {
    const d = workspaceDeployment(
      env,
      aTemplate({
        env: [
          { name: 'HOME', value: '/' },
          { name: 'LABLEASE_ENVIRONMENT_ID', value: 'other' },
        ],
      }),
      1,
    );
    expect(d.spec?.template.spec?.containers[0]?.env).toEqual([
      { name: 'HOME', value: '/home/jovyan' },
      { name: 'LABLEASE_ENVIRONMENT_ID', value: ENV_ID },
    ]);
  });

  it('builds the volume: ReadWriteOnce, sized, labelled, owned by nothing', () => {
    expect(workspaceVolume(env, { storageClassName: 'gp3' })).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: `${ENV_ID}-workspace`,
        namespace: NS,
        labels: { ...labels, 'lablease.dev/volume': `${ENV_ID}-workspace` },
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '10Gi' } },
        storageClassName: 'gp3',
      },
    });
  });

  it('uses the stored volume name, never a recomputed one', () => {
    const legacy = anEnvironment();
    legacy.spec.volume.name = 'workspace-from-an-older-rule';
    expect(workspaceVolume(legacy).metadata?.name).toBe('workspace-from-an-older-rule');
    expect(
      workspaceDeployment(legacy, template, 1).spec?.template.spec?.volumes?.[0]
        ?.persistentVolumeClaim?.claimName,
    ).toBe('workspace-from-an-older-rule');
  });

  it('builds the service: ClusterIP, 80 → the named container port', () => {
    expect(workspaceService(env)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: ENV_ID, namespace: NS, labels },
      spec: {
        type: 'ClusterIP',
        selector: { 'lablease.dev/env': ENV_ID },
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      },
    });
  });

  it('lets only the gateway in, and out only to DNS and the internet', () => {
    const policy = toWire(
      workspaceNetworkPolicy(env, template, {
        gateway: { namespaceLabels: { 'kubernetes.io/metadata.name': 'gateway' } },
        blockedCidrs: ['203.0.113.10/32', '2001:db8::1/128'],
      }),
    );
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'lablease.dev/env': ENV_ID } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } } },
          ],
          ports: [{ port: 8888, protocol: 'TCP' }],
        },
      ],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
        {
          to: [
            {
              ipBlock: {
                cidr: '0.0.0.0/0',
                except: [
                  '10.0.0.0/8',
                  '100.64.0.0/10',
                  '172.16.0.0/12',
                  '192.168.0.0/16',
                  '169.254.169.254/32',
                  '203.0.113.10/32',
                ],
              },
            },
            { ipBlock: { cidr: '::/0', except: ['fc00::/7', 'fe80::/10', '2001:db8::1/128'] } },
          ],
        },
      ],
    });
  });

  it('is valid and passes Pod Security restricted, for every catalog template', () => {
    for (const t of seedCatalog()) {
      const objects = environmentObjects(env, t, 1);
      for (const o of Object.values(objects)) assertValidObject(o);
      assertRestricted(objects.deployment);
    }
  });

  it("reaches the wire unchanged through client-node's serializer (what KubernetesObjectApi sends)", () => {
    const objects = [
      ...scaffoldObjects(userNamespace(USER, proLimits)),
      ...Object.values(environmentObjects(env, template, 1)),
    ];
    for (const o of objects)
      expect(ObjectSerializer.serialize(o, `V1${o.kind}`), o.kind).toEqual(toWire(o));
  });

  it('would be refused if a builder regressed (the validators are live)', () => {
    const badLabel: Json = toWire(workspaceService(env));
    badLabel.metadata.labels['lablease.dev/name'] = 'My analysis';
    expect(() => assertValidObject(badLabel)).toThrow();
    const badSchema: Json = toWire(workspaceNetworkPolicy(env, template));
    badSchema.spec.egress[1].to[0].ipBlock = { except: [] };
    expect(() => assertValidObject(badSchema)).toThrow();
  });

  it('would be refused by Pod Security if a builder regressed (the checker is live)', () => {
    const d: Json = toWire(workspaceDeployment(env, template, 1));
    d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    const template_ = d.spec.template;
    expect(
      evaluatePod({ level: 'restricted', version: 'latest' }, template_.metadata, template_.spec),
    ).not.toEqual([]);
  });
});

// ---- properties ----

const slug = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const safeText = fc.string({
  // Shell and template characters on purpose: template text is data, never interpreted.
  unit: fc.constantFrom(...'abcXYZ019 -_=./:{}"\'\\;|&*$'),
  maxLength: 40,
});
const image = fc
  .tuple(
    fc.constantFrom('quay.io', 'docker.io', 'ghcr.io', 'registry.example.com:5000', 'localhost'),
    fc.array(fc.stringMatching(/^[a-z0-9]+([._-][a-z0-9]+)?$/), { minLength: 1, maxLength: 3 }),
    fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/)),
    fc.option(fc.stringMatching(/^[a-f0-9]{64}$/)),
  )
  .map(
    ([host, path, tag, digest]) =>
      `${host}/${path.join('/')}${tag ? `:${tag}` : ''}${digest ? `@sha256:${digest}` : ''}`,
  );
const cpu = fc.oneof(
  fc.integer({ min: 1, max: 8000 }).map((m) => `${m}m`),
  fc.integer({ min: 1, max: 8 }).map(String),
);
const memory = fc.oneof(
  fc.integer({ min: 64, max: 32768 }).map((m) => `${m}Mi`),
  fc.integer({ min: 1, max: 32 }).map((g) => `${g}Gi`),
);
const templates = fc
  .record({
    id: slug,
    name: fc.string({ minLength: 1, maxLength: 20 }),
    image,
    port: fc.integer({ min: 1, max: 65535 }),
    command: fc.option(fc.array(safeText, { maxLength: 3 }), { nil: undefined }),
    args: fc.option(fc.array(safeText, { maxLength: 5 }), { nil: undefined }),
    env: fc.option(
      fc.uniqueArray(
        fc.record({ name: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/), value: safeText }),
        { selector: (e) => e.name, maxLength: 5 },
      ),
      { nil: undefined },
    ),
    workspacePath: fc
      .array(fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/), { minLength: 1, maxLength: 3 })
      .map((s) => `/${s.join('/')}`),
    readinessPath: fc.option(fc.stringMatching(/^\/[a-z0-9/_-]{0,10}$/), { nil: undefined }),
    readOnlyRootFilesystem: fc.boolean(),
    cpu,
    memory,
    volumeSizeGi: fc.integer({ min: 1, max: 1000 }),
  })
  .map(({ cpu: c, memory: m, ...t }) =>
    Template.safeParse({
      ...t,
      defaultResources: { cpu: c, memory: m },
      maxResources: { cpu: c, memory: m },
      tiers: ['free'],
    }),
  )
  .filter((r) => r.success)
  .map((r) => r.data!);

// A display name that cannot occur by accident: the marker must never show up in a manifest.
const displayNames = fc.string({ minLength: 1, maxLength: 40 }).map((s) => `«${s}»`.slice(0, 60));

const environments = fc
  .record({
    owner: fc.stringMatching(/^[0-9a-f]{32}$/),
    bytes: fc.uint8Array({ minLength: 10, maxLength: 10 }),
    name: displayNames,
    generation: fc.integer({ min: 1, max: 1_000_000 }),
    cpu,
    memory,
    sizeGi: fc.integer({ min: 1, max: 1000 }),
  })
  .map(({ owner, bytes, name, generation, cpu: c, memory: m, sizeGi }): Environment => {
    const id = newEnvironmentId(() => bytes);
    return anEnvironment({
      id,
      ownerId: owner,
      generation,
      spec: {
        name,
        templateId: 'any',
        resources: { cpu: c, memory: m },
        volume: { name: volumeNameFor(id), sizeGi },
      },
    });
  });

const tierLimits = fc
  .record({
    maxRunning: fc.integer({ min: 0, max: 50 }),
    maxTotal: fc.integer({ min: 0, max: 100 }),
    maxCpu: cpu,
    maxMemory: memory,
    idleTimeoutMinutes: fc.integer({ min: 1, max: 1000 }),
    maxLifetimeHours: fc.integer({ min: 1, max: 1000 }),
    volumeSizeGi: fc.integer({ min: 1, max: 1000 }),
  })
  .map((l) => TierLimits.parse(l));

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function allMetadata(object: Json): Json[] {
  return [object.metadata, object.spec?.template?.metadata].filter(Boolean);
}

describe('properties', () => {
  it('any valid template and environment: valid objects, restricted pods, no display name anywhere', () => {
    fc.assert(
      fc.property(templates, environments, (template, env) => {
        const objects = Object.values(environmentObjects(env, template, 1));
        for (const o of objects) {
          const json = JSON.stringify(o);
          expect(json).not.toContain('«');
          expect(json).not.toContain(env.spec.name);
          for (const meta of allMetadata(o)) {
            if (meta.name) expect(meta.name).toMatch(DNS_LABEL);
            for (const v of Object.values(meta.labels ?? {}) as string[]) {
              expect(v.length).toBeLessThanOrEqual(63);
              expect(v).toMatch(LABEL_VALUE);
            }
            for (const v of Object.values(meta.annotations ?? {}) as string[])
              expect(v).toMatch(/^[0-9]+$/);
          }
          assertValidObject(o);
        }
        assertRestricted(objects.find((o) => o.kind === 'Deployment'));
      }),
      { numRuns: 60 },
    );
  });

  it('any tier: a valid scaffold', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{32}$/), tierLimits, (user, limits) => {
        for (const o of scaffoldObjects(userNamespace(user, limits))) assertValidObject(o);
      }),
      { numRuns: 60 },
    );
  });

  it('is deterministic: the same input builds the same objects (stable server-side apply)', () => {
    fc.assert(
      fc.property(templates, environments, (template, env) => {
        expect(environmentObjects(env, template, 1)).toEqual(environmentObjects(env, template, 1));
      }),
      { numRuns: 30 },
    );
  });
});
