// Pure manifest builders (KubeSpawner's make_pod/make_service): ids, tier
// limits and template fields in, Kubernetes objects out, no cluster needed.
// Only validated ids and template fields reach names, labels, annotations and
// commands; an environment's display name never appears in any object.
// Everything here is applied with server-side apply, so the same input must
// always produce the same object (no timestamps, no random values).
import type {
  V1Container,
  V1Deployment,
  V1LimitRange,
  V1Namespace,
  V1NetworkPolicy,
  V1NetworkPolicyPeer,
  V1PersistentVolumeClaim,
  V1ResourceQuota,
  V1Secret,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import {
  ANNOTATION_GENERATION,
  ANNOTATION_SCAFFOLD,
  SCAFFOLD_VERSION,
} from '../environment/markers.js';
import type { Environment, Template, TierLimits } from '../environment/model.js';
import { namespaceFor, objectNames, scaffoldNames } from '../environment/naming.js';
import { formatCpu, formatMemory, parseCpu, parseMemory } from '../environment/quantity.js';

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_USER = 'lablease.dev/user';
export const LABEL_ENV = 'lablease.dev/env';
export const LABEL_VOLUME = 'lablease.dev/volume';
export const LABEL_TEMPLATE = 'lablease.dev/template';
export {
  ANNOTATION_GENERATION,
  ANNOTATION_SCAFFOLD,
  isScaffolded,
  SCAFFOLD_VERSION,
} from '../environment/markers.js';

/** The user and group every workspace runs as (the images' conventional non-root user). */
export const WORKSPACE_UID = 1000;

export interface NetworkOptions {
  /** Who may reach environments: the gateway's namespace and pods. */
  gateway: { namespaceLabels: Record<string, string>; podLabels?: Record<string, string> };
  /**
   * Extra CIDRs environments must not reach, e.g. a public control-plane
   * endpoint (EKS, GKE). In-cluster pod and service CIDRs are covered by the
   * private ranges always excluded (RFC 1918, CGNAT, link-local metadata).
   */
  blockedCidrs?: string[];
}

export const defaultNetworkOptions: NetworkOptions = {
  gateway: {
    namespaceLabels: { 'kubernetes.io/metadata.name': 'lablease-system' },
    podLabels: { 'app.kubernetes.io/name': 'lablease-gateway' },
  },
};

/** Never reachable from an environment: other pods, services, nodes, the cloud metadata endpoint. */
export const PRIVATE_IPV4 = [
  '10.0.0.0/8',
  '100.64.0.0/10',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.169.254/32',
];
export const PRIVATE_IPV6 = ['fc00::/7', 'fe80::/10'];

/** What a builder needs of an environment: ids, spec and generation — never its display name. */
export type EnvironmentRef = Pick<Environment, 'id' | 'ownerId' | 'generation'> & {
  spec: Pick<Environment['spec'], 'templateId' | 'resources' | 'volume'>;
};

type Labels = Record<string, string>;

const userLabels = (userId: string): Labels => ({
  [MANAGED_BY]: 'lablease',
  [LABEL_USER]: userId,
});
const envLabels = (env: EnvironmentRef): Labels => ({
  ...userLabels(env.ownerId),
  [LABEL_ENV]: env.id,
});

// ---- the user's namespace scaffold ----

export interface NamespaceScaffold {
  namespace: V1Namespace;
  serviceAccount: V1ServiceAccount;
  resourceQuota: V1ResourceQuota;
  limitRange: V1LimitRange;
  denyAll: V1NetworkPolicy;
}

/**
 * The namespace of one user, with Pod Security `restricted` enforced, a quota,
 * container limits, a default-deny policy and a tokenless service account.
 * The quota is a backstop (the store's counters are the real limit) with
 * twice the tier's headroom: a pod still terminating after a stop must not
 * make the next start fail.
 */
export function userNamespace(userId: string, limits: TierLimits): NamespaceScaffold {
  const namespace = namespaceFor(userId);
  const labels = userLabels(userId);
  const meta = (name: string) => ({ name, namespace, labels });
  const headroom = Math.max(1, limits.maxRunning) * 2;
  const cpu = formatCpu(parseCpu(limits.maxCpu)! * headroom);
  const memory = formatMemory(parseMemory(limits.maxMemory)! * headroom);
  return {
    namespace: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        annotations: { [ANNOTATION_SCAFFOLD]: SCAFFOLD_VERSION },
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': 'latest',
        },
      },
    },
    serviceAccount: {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(scaffoldNames.serviceAccount),
      automountServiceAccountToken: false,
    },
    resourceQuota: {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta(scaffoldNames.resourceQuota),
      spec: {
        hard: {
          pods: String(headroom),
          'requests.cpu': cpu,
          'limits.cpu': cpu,
          'requests.memory': memory,
          'limits.memory': memory,
          persistentvolumeclaims: String(Math.max(1, limits.maxTotal) * 2),
          'requests.storage': `${Math.max(1, limits.maxTotal) * 2 * limits.volumeSizeGi}Gi`,
          'services.loadbalancers': '0',
          'services.nodeports': '0',
        },
      },
    },
    limitRange: {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta(scaffoldNames.limitRange),
      spec: {
        limits: [
          {
            type: 'Container',
            max: { cpu: limits.maxCpu, memory: limits.maxMemory },
            _default: {
              cpu: smallerCpu('500m', limits.maxCpu),
              memory: smallerMemory('512Mi', limits.maxMemory),
            },
            defaultRequest: {
              cpu: smallerCpu('100m', limits.maxCpu),
              memory: smallerMemory('256Mi', limits.maxMemory),
            },
          },
        ],
      },
    },
    denyAll: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(scaffoldNames.denyAll),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
  };
}

const smallerCpu = (a: string, b: string) => formatCpu(Math.min(parseCpu(a)!, parseCpu(b)!));
const smallerMemory = (a: string, b: string) =>
  formatMemory(Math.min(parseMemory(a)!, parseMemory(b)!));

/**
 * The scaffold in apply order: the namespace first without its scaffold
 * marker, its objects, then the namespace again with the marker — so the
 * marker only appears once everything before it was applied.
 */
export function scaffoldObjects(s: NamespaceScaffold) {
  const { annotations: _marker, ...unmarked } = s.namespace.metadata ?? {};
  return [
    { ...s.namespace, metadata: unmarked },
    s.serviceAccount,
    s.resourceQuota,
    s.limitRange,
    s.denyAll,
    s.namespace,
  ];
}

/**
 * client-node's models rename two JSON fields that clash with TypeScript
 * words: LimitRange's `default` is `_default` and NetworkPolicy's `from` is
 * `_from`. client-node's serializer maps them back; JSON sent any other way
 * (a test, a raw request) goes through this first.
 */
export function toWire<T>(object: T): T {
  const rename: Record<string, string> = { _default: 'default', _from: 'from' };
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [rename[k] ?? k, walk(v)]));
    return value;
  };
  return walk(object) as T;
}

// ---- per environment ----

/** The workspace volume: not owned by anything, so deleting compute never deletes data. */
export function workspaceVolume(
  env: EnvironmentRef,
  options: { storageClassName?: string } = {},
): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: env.spec.volume.name,
      namespace: namespaceFor(env.ownerId),
      labels: { ...envLabels(env), [LABEL_VOLUME]: env.spec.volume.name },
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: `${env.spec.volume.sizeGi}Gi` } },
      ...(options.storageClassName ? { storageClassName: options.storageClassName } : {}),
    },
  };
}

export function workspaceDeployment(
  env: EnvironmentRef,
  template: Template,
  replicas: 0 | 1,
  /** activity: mount the activity Secret (activitySecret below) at ACTIVITY_MOUNT_PATH. */
  options: { activity?: boolean } = {},
): V1Deployment {
  const names = objectNames(env.id);
  const labels = envLabels(env);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: names.deployment,
      namespace: namespaceFor(env.ownerId),
      labels,
      annotations: { [ANNOTATION_GENERATION]: String(env.generation) },
    },
    spec: {
      replicas,
      // One pod at a time: the workspace volume is ReadWriteOnce.
      strategy: { type: 'Recreate' },
      revisionHistoryLimit: 2,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { [LABEL_ENV]: env.id } },
      template: {
        metadata: { labels: { ...labels, [LABEL_TEMPLATE]: template.id } },
        spec: {
          serviceAccountName: scaffoldNames.serviceAccount,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: WORKSPACE_UID,
            runAsGroup: WORKSPACE_UID,
            fsGroup: WORKSPACE_UID,
            fsGroupChangePolicy: 'OnRootMismatch',
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(template.imagePullSecret
            ? { imagePullSecrets: [{ name: template.imagePullSecret }] }
            : {}),
          containers: [workspaceContainer(env, template, names.container, options)],
          volumes: [
            { name: 'workspace', persistentVolumeClaim: { claimName: env.spec.volume.name } },
            { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
            ...(options.activity
              ? [
                  {
                    name: 'lablease',
                    // Optional: a pod never waits on it; it only reports activity.
                    secret: {
                      secretName: names.activitySecret,
                      optional: true,
                      defaultMode: 0o444,
                    },
                  },
                ]
              : []),
          ],
        },
      },
    },
  };
}

function workspaceContainer(
  env: EnvironmentRef,
  template: Template,
  name: string,
  options: { activity?: boolean },
): V1Container {
  const resources = { cpu: env.spec.resources.cpu, memory: env.spec.resources.memory };
  return {
    name,
    image: template.image,
    imagePullPolicy: 'IfNotPresent',
    ...(template.command ? { command: [...template.command] } : {}),
    ...(template.args ? { args: [...template.args] } : {}),
    env: [
      // HOME is the workspace: what tools write there survives a restart.
      { name: 'HOME', value: template.workspacePath },
      { name: 'LABLEASE_ENVIRONMENT_ID', value: env.id },
      ...(template.env ?? [])
        .filter((e) => e.name !== 'HOME' && e.name !== 'LABLEASE_ENVIRONMENT_ID')
        .map((e) => ({ name: e.name, value: e.value })),
    ],
    ports: [{ name: 'http', containerPort: template.port, protocol: 'TCP' }],
    // Requests equal limits (Guaranteed QoS): the scheduler reserves what the user chose.
    resources: { requests: resources, limits: resources },
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: template.readOnlyRootFilesystem,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    readinessProbe: {
      ...(template.readinessPath
        ? { httpGet: { path: template.readinessPath, port: 'http', scheme: 'HTTP' } }
        : { tcpSocket: { port: 'http' } }),
      initialDelaySeconds: 2,
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    volumeMounts: [
      { name: 'workspace', mountPath: template.workspacePath },
      { name: 'tmp', mountPath: '/tmp' },
      ...(options.activity
        ? [{ name: 'lablease', mountPath: ACTIVITY_MOUNT_PATH, readOnly: true }]
        : []),
    ],
  };
}

/** Where the pod finds `activity-url` and `activity-token` (POST the former with the latter as Bearer). */
export const ACTIVITY_MOUNT_PATH = '/var/run/lablease';

/**
 * The environment's activity token and where to send it, for long-running
 * work with no browser traffic to report itself. The token (core/access,
 * mintActivityToken) is good for this environment's activity report only.
 */
export function activitySecret(
  env: EnvironmentRef,
  data: { token: string; url: string },
): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: objectNames(env.id).activitySecret,
      namespace: namespaceFor(env.ownerId),
      labels: envLabels(env),
    },
    type: 'Opaque',
    data: {
      'activity-token': Buffer.from(data.token).toString('base64'),
      'activity-url': Buffer.from(data.url).toString('base64'),
    },
  };
}

/** ClusterIP on port 80 → the template's port; the route to it comes with the gateway. */
export function workspaceService(env: EnvironmentRef): V1Service {
  const names = objectNames(env.id);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: names.service, namespace: namespaceFor(env.ownerId), labels: envLabels(env) },
    spec: {
      type: 'ClusterIP',
      selector: { [LABEL_ENV]: env.id },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/**
 * Ingress only from the gateway, on the template's port. Egress: DNS to
 * kube-dns, and the internet — not other pods or services, nodes, the cluster
 * API or the cloud metadata endpoint. In-cluster pod and service CIDRs are
 * private ranges, so excluding RFC 1918 and CGNAT covers them on common
 * clusters; a public API endpoint is added through `blockedCidrs`.
 */
export function workspaceNetworkPolicy(
  env: EnvironmentRef,
  template: Template,
  options: NetworkOptions = defaultNetworkOptions,
): V1NetworkPolicy {
  const names = objectNames(env.id);
  const gateway: V1NetworkPolicyPeer = {
    namespaceSelector: { matchLabels: { ...options.gateway.namespaceLabels } },
    ...(options.gateway.podLabels
      ? { podSelector: { matchLabels: { ...options.gateway.podLabels } } }
      : {}),
  };
  const blocked = options.blockedCidrs ?? [];
  const isV6 = (cidr: string) => cidr.includes(':');
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: names.networkPolicy,
      namespace: namespaceFor(env.ownerId),
      labels: envLabels(env),
    },
    spec: {
      podSelector: { matchLabels: { [LABEL_ENV]: env.id } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ _from: [gateway], ports: [{ port: template.port, protocol: 'TCP' }] }],
      egress: [
        {
          to: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
              },
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
                except: [...PRIVATE_IPV4, ...blocked.filter((c) => !isV6(c))],
              },
            },
            {
              ipBlock: {
                cidr: '::/0',
                except: [...PRIVATE_IPV6, ...blocked.filter(isV6)],
              },
            },
          ],
        },
      ],
    },
  };
}

export interface EnvironmentObjects {
  volume: V1PersistentVolumeClaim;
  networkPolicy: V1NetworkPolicy;
  service: V1Service;
  deployment: V1Deployment;
}

/** All of an environment's objects, for a desired replica count. */
export function environmentObjects(
  env: EnvironmentRef,
  template: Template,
  replicas: 0 | 1,
  options: { network?: NetworkOptions; storageClassName?: string } = {},
): EnvironmentObjects {
  return {
    volume: workspaceVolume(env, options),
    networkPolicy: workspaceNetworkPolicy(env, template, options.network),
    service: workspaceService(env),
    deployment: workspaceDeployment(env, template, replicas),
  };
}
