// Known fields of the built-in kinds Lablease writes, for server-side field
// validation: the real server drops fields its Go types do not have (with a
// `unknown field "spec.x"` warning by default, or 400 under
// fieldValidation=Strict, which kubectl sends). A typo such as
// `runAsNonroot` therefore silently disappears on a cluster — and here too,
// so the test that depends on it fails here first. Status and custom
// resources are not checked (no schemas for them).

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

/** A map of field → sub-schema (`true` = any value). Arrays are walked element by element. */
interface Shape {
  [field: string]: Shape | true;
}

const any = true as const;
const keyValues = any; // map[string]string and similar: keys are data, not fields

const objectMeta: Shape = Object.fromEntries(
  [
    'name',
    'generateName',
    'namespace',
    'selfLink',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'ownerReferences',
    'finalizers',
    'managedFields',
  ].map((f) => [f, any]),
);
objectMeta.labels = keyValues;
objectMeta.annotations = keyValues;

const names = (...fields: string[]): Shape => Object.fromEntries(fields.map((f) => [f, any]));

const seLinuxEtc = [
  'seLinuxOptions',
  'windowsOptions',
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'seccompProfile',
  'appArmorProfile',
];

const securityContext: Shape = {
  ...names(
    ...seLinuxEtc,
    'privileged',
    'readOnlyRootFilesystem',
    'allowPrivilegeEscalation',
    'procMount',
  ),
  capabilities: names('add', 'drop'),
};

const podSecurityContext: Shape = names(
  ...seLinuxEtc,
  'supplementalGroups',
  'supplementalGroupsPolicy',
  'fsGroup',
  'sysctls',
  'fsGroupChangePolicy',
  'seLinuxChangePolicy',
);

const resources: Shape = { limits: keyValues, requests: keyValues, claims: any };

const container: Shape = {
  ...names(
    'name',
    'image',
    'command',
    'args',
    'workingDir',
    'envFrom',
    'resizePolicy',
    'restartPolicy',
    'volumeDevices',
    'livenessProbe',
    'readinessProbe',
    'startupProbe',
    'lifecycle',
    'terminationMessagePath',
    'terminationMessagePolicy',
    'imagePullPolicy',
    'stdin',
    'stdinOnce',
    'tty',
  ),
  ports: names('name', 'hostPort', 'containerPort', 'protocol', 'hostIP'),
  env: names('name', 'value', 'valueFrom'),
  resources,
  volumeMounts: names(
    'name',
    'readOnly',
    'recursiveReadOnly',
    'mountPath',
    'subPath',
    'mountPropagation',
    'subPathExpr',
  ),
  securityContext,
};

const podSpec: Shape = {
  ...names(
    'volumes',
    'ephemeralContainers',
    'restartPolicy',
    'terminationGracePeriodSeconds',
    'activeDeadlineSeconds',
    'dnsPolicy',
    'nodeSelector',
    'serviceAccountName',
    'serviceAccount',
    'automountServiceAccountToken',
    'nodeName',
    'hostNetwork',
    'hostPID',
    'hostIPC',
    'shareProcessNamespace',
    'imagePullSecrets',
    'hostname',
    'subdomain',
    'affinity',
    'schedulerName',
    'tolerations',
    'hostAliases',
    'priorityClassName',
    'priority',
    'dnsConfig',
    'readinessGates',
    'runtimeClassName',
    'enableServiceLinks',
    'preemptionPolicy',
    'overhead',
    'topologySpreadConstraints',
    'setHostnameAsFQDN',
    'os',
    'hostUsers',
    'schedulingGates',
    'resourceClaims',
    'resources',
  ),
  containers: container,
  initContainers: container,
  securityContext: podSecurityContext,
};

const podTemplate: Shape = { metadata: objectMeta, spec: podSpec };

const labelSelector = names('matchLabels', 'matchExpressions');

const KINDS: Record<string, Shape> = {
  Pod: { spec: podSpec, status: any },
  Deployment: {
    spec: {
      ...names(
        'replicas',
        'strategy',
        'minReadySeconds',
        'revisionHistoryLimit',
        'paused',
        'progressDeadlineSeconds',
      ),
      selector: labelSelector,
      template: podTemplate,
    },
    status: any,
  },
  ReplicaSet: {
    spec: {
      ...names('replicas', 'minReadySeconds'),
      selector: labelSelector,
      template: podTemplate,
    },
    status: any,
  },
  Service: {
    spec: {
      ...names(
        'selector',
        'clusterIP',
        'clusterIPs',
        'type',
        'externalIPs',
        'sessionAffinity',
        'loadBalancerIP',
        'loadBalancerSourceRanges',
        'externalName',
        'externalTrafficPolicy',
        'healthCheckNodePort',
        'publishNotReadyAddresses',
        'sessionAffinityConfig',
        'ipFamilies',
        'ipFamilyPolicy',
        'allocateLoadBalancerNodePorts',
        'loadBalancerClass',
        'internalTrafficPolicy',
        'trafficDistribution',
      ),
      ports: names('name', 'protocol', 'appProtocol', 'port', 'targetPort', 'nodePort'),
    },
    status: any,
  },
  PersistentVolumeClaim: {
    spec: {
      ...names(
        'accessModes',
        'selector',
        'volumeName',
        'storageClassName',
        'volumeMode',
        'dataSource',
        'dataSourceRef',
        'volumeAttributesClassName',
      ),
      resources,
    },
    status: any,
  },
  Namespace: { spec: names('finalizers'), status: any },
  ConfigMap: { data: keyValues, binaryData: keyValues, immutable: any },
  Secret: { data: keyValues, stringData: keyValues, type: any, immutable: any },
  ServiceAccount: names('secrets', 'imagePullSecrets', 'automountServiceAccountToken'),
  ResourceQuota: { spec: names('hard', 'scopes', 'scopeSelector'), status: any },
  LimitRange: { spec: names('limits') },
  NetworkPolicy: { spec: names('podSelector', 'ingress', 'egress', 'policyTypes') },
  Ingress: { spec: names('ingressClassName', 'defaultBackend', 'tls', 'rules'), status: any },
  Event: names(
    'involvedObject',
    'reason',
    'message',
    'source',
    'firstTimestamp',
    'lastTimestamp',
    'count',
    'type',
    'eventTime',
    'series',
    'action',
    'related',
    'reportingComponent',
    'reportingInstance',
  ),
  StorageClass: names(
    'provisioner',
    'parameters',
    'reclaimPolicy',
    'mountOptions',
    'allowVolumeExpansion',
    'volumeBindingMode',
    'allowedTopologies',
  ),
  Node: { spec: any, status: any },
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function prune(value: unknown, shape: Shape, path: string, unknown: string[]) {
  if (Array.isArray(value)) {
    value.forEach((el, i) => {
      prune(el, shape, `${path}[${i}]`, unknown);
    });
    return;
  }
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) {
    const sub = shape[key];
    const at = path ? `${path}.${key}` : key;
    if (sub === undefined) {
      unknown.push(at);
      delete value[key];
    } else if (sub !== true) prune(value[key], sub, at, unknown);
  }
}

/**
 * Drops fields `kind` does not have from `obj` (in place) and returns their
 * paths; undefined for kinds without a known shape (custom resources).
 */
export function dropUnknownFields(
  kind: string,
  obj: Record<string, unknown>,
): string[] | undefined {
  const shape = KINDS[kind];
  if (!shape) return undefined;
  const unknown: string[] = [];
  prune(obj, { apiVersion: any, kind: any, metadata: objectMeta, ...shape }, '', unknown);
  return unknown;
}
