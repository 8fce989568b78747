// Defaulting as the API server applies it before admission, for the fields
// clients read back (a Deployment's strategy, a Pod's restartPolicy, a
// Service's clusterIP). Objects read from kubesim look like objects read from
// a cluster, so code that diffs desired against observed sees the same noise.

import type { KubeObject } from './types.js';

function defaultContainers(list: unknown) {
  if (!Array.isArray(list)) return;
  for (const c of list as Array<Record<string, unknown>>) {
    if (!c || typeof c !== 'object') continue;
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    if (c.imagePullPolicy === undefined && typeof c.image === 'string') {
      const tag = c.image.includes('@') ? 'digest' : (c.image.split('/').pop() ?? '').split(':')[1];
      c.imagePullPolicy = tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
    }
    c.resources ??= {};
    if (Array.isArray(c.ports))
      for (const p of c.ports as Array<Record<string, unknown>>) p.protocol ??= 'TCP';
  }
}

export function defaultPodSpec(spec: Record<string, unknown> | undefined) {
  if (!spec || typeof spec !== 'object') return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  defaultContainers(spec.containers);
  defaultContainers(spec.initContainers);
  if (Array.isArray(spec.volumes)) {
    for (const v of spec.volumes as Array<Record<string, Record<string, unknown>>>) {
      if (v.secret) v.secret.defaultMode ??= 420;
      if (v.configMap) v.configMap.defaultMode ??= 420;
    }
  }
}

/** Allocates ClusterIPs from 10.96.0.0/12 without reuse within a run. */
let nextClusterIp = 10;
const allocateClusterIp = () => {
  const n = nextClusterIp++;
  return `10.96.${(n >> 8) & 255}.${n & 255}`;
};

/** Applies the defaults of `kind` to `obj` in place (create and update alike). */
export function applyDefaults(kind: string, obj: KubeObject, isCreate: boolean) {
  const spec = obj.spec;
  switch (kind) {
    case 'Namespace':
      obj.spec ??= {};
      if (isCreate) obj.spec.finalizers ??= ['kubernetes'];
      obj.status ??= { phase: 'Active' };
      obj.metadata.labels = {
        ...obj.metadata.labels,
        'kubernetes.io/metadata.name': obj.metadata.name as string,
      };
      break;
    case 'Pod':
      defaultPodSpec(spec);
      if (spec) spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
      if (spec) spec.serviceAccount = spec.serviceAccountName;
      // What the Priority admission plugin sets on every pod (not on templates).
      if (spec) spec.priority ??= 0;
      if (spec) spec.preemptionPolicy ??= 'PreemptLowerPriority';
      if (isCreate) obj.status = { phase: 'Pending', qosClass: qosClass(spec) };
      break;
    case 'Deployment':
      if (!spec) break;
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.strategy ??= { type: 'RollingUpdate' };
      spec.strategy.type ??= 'RollingUpdate';
      if (spec.strategy.type === 'RollingUpdate') {
        spec.strategy.rollingUpdate ??= {};
        spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
        spec.strategy.rollingUpdate.maxSurge ??= '25%';
      }
      spec.template ??= {};
      spec.template.metadata ??= {};
      defaultPodSpec(spec.template.spec);
      if (isCreate) obj.status = {};
      break;
    case 'ReplicaSet':
      if (!spec) break;
      spec.replicas ??= 1;
      spec.template ??= {};
      defaultPodSpec(spec.template.spec);
      if (isCreate) obj.status = { replicas: 0 };
      break;
    case 'Service':
      obj.spec ??= {};
      obj.spec.type ??= 'ClusterIP';
      obj.spec.sessionAffinity ??= 'None';
      if (obj.spec.type !== 'ExternalName') {
        obj.spec.clusterIP ??= allocateClusterIp();
        obj.spec.clusterIPs ??= [obj.spec.clusterIP];
        obj.spec.ipFamilies ??= ['IPv4'];
        obj.spec.ipFamilyPolicy ??= 'SingleStack';
        obj.spec.internalTrafficPolicy ??= 'Cluster';
      }
      for (const p of obj.spec.ports ?? []) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
      if (isCreate) obj.status = { loadBalancer: {} };
      break;
    case 'PersistentVolumeClaim':
      if (!spec) break;
      spec.volumeMode ??= 'Filesystem';
      if (isCreate) obj.status = { phase: 'Pending' };
      break;
    case 'Secret':
      obj.type ??= 'Opaque';
      // stringData is write-only: merged into data (base64) and dropped.
      if (obj.stringData && typeof obj.stringData === 'object') {
        obj.data ??= {};
        for (const [k, v] of Object.entries(obj.stringData))
          obj.data[k] = Buffer.from(String(v)).toString('base64');
        delete obj.stringData;
      }
      break;
    case 'Event':
      obj.count ??= 1;
      obj.type ??= 'Normal';
      break;
  }
}

/** Guaranteed when every container has equal requests and limits; BestEffort when none set any. */
export function qosClass(spec: Record<string, unknown> | undefined): string {
  const cs = (Array.isArray(spec?.containers) ? spec.containers : []) as Array<{
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  }>;
  const any = cs.some(
    (c) =>
      Object.keys(c.resources?.requests ?? {}).length ||
      Object.keys(c.resources?.limits ?? {}).length,
  );
  if (!any) return 'BestEffort';
  const guaranteed = cs.every((c) => {
    const l = c.resources?.limits ?? {};
    const r = c.resources?.requests ?? l;
    return l.cpu && l.memory && r.cpu === l.cpu && r.memory === l.memory;
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
