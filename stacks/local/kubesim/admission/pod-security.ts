// PodSecurity admission: namespaces choose a level per mode with
// pod-security.kubernetes.io/{enforce,warn,audit}[-version] labels (invalid
// values → 422 on the Namespace). Pods violating `enforce` are refused (403);
// workloads (Deployments, ReplicaSets, ...) are never refused, only warned —
// their pods are what fails, later, in the ReplicaSet's FailedCreate events.
// biome-ignore-all lint/suspicious/noExplicitAny: objects are schemaless JSON
import { invalid } from '../errors.js';
import type { AdmissionPlugin, AdmissionRequest, ClusterApi, KubeObject } from '../types.js';
import {
  aggregate,
  evaluatePod,
  formatLevelVersion,
  type LevelVersion,
  parseModePolicy,
} from './pod-security-policy.js';
import { forbiddenFor } from './request.js';

interface NamespacePolicy {
  enforce: LevelVersion;
  warn: LevelVersion;
}

const privileged: LevelVersion = { level: 'privileged', version: 'latest' };

function namespacePolicy(ns: KubeObject | undefined): NamespacePolicy {
  const labels = ns?.metadata.labels;
  const enforce = parseModePolicy(labels, 'enforce').policy ?? privileged;
  // An unset warn level follows enforce, so workloads get a warning for what their pods will hit.
  const warn = parseModePolicy(labels, 'warn').policy ?? enforce;
  return { enforce, warn };
}

/** Where each workload kind keeps its pod template. */
function podTemplateOf(obj: KubeObject): { metadata?: any; spec?: any } | undefined {
  switch (obj.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
    case 'ReplicationController':
      return obj.spec?.template;
    case 'CronJob':
      return obj.spec?.jobTemplate?.spec?.template;
    case 'PodTemplate':
      return obj.template;
    default:
      return undefined;
  }
}

const sameSpec = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function validateNamespaceLabels(req: AdmissionRequest) {
  const labels = req.object.metadata.labels;
  const errors = (['enforce', 'audit', 'warn'] as const).flatMap(
    (mode) => parseModePolicy(labels, mode).errors,
  );
  if (errors.length) throw invalid('Namespace', req.name || req.object.metadata.name || '', errors);
}

function checkPod(req: AdmissionRequest, api: ClusterApi) {
  const pod = req.object;
  // Status and metadata-only writes (the kubelet, controllers) are not re-evaluated.
  if (req.operation === 'UPDATE' && sameSpec(pod.spec, req.oldObject?.spec)) return;
  const policy = namespacePolicy(api.get('namespaces', undefined, req.namespace!));
  const enforced = evaluatePod(policy.enforce, pod.metadata, pod.spec);
  if (enforced.length)
    throw forbiddenFor(
      req,
      `violates PodSecurity "${formatLevelVersion(policy.enforce)}": ${aggregate(enforced)}`,
    );
  warn(req, policy.warn, pod.metadata, pod.spec);
}

function warn(req: AdmissionRequest, lv: LevelVersion, metadata: any, spec: any) {
  const results = evaluatePod(lv, metadata ?? {}, spec);
  if (results.length)
    req.warnings.push(
      `would violate PodSecurity "${formatLevelVersion(lv)}": ${aggregate(results)}`,
    );
}

/**
 * Tightening a namespace's enforce level warns about the pods already there,
 * grouped by their reasons: `existing pods in namespace "x" violate the new
 * PodSecurity enforce level "restricted:latest"`, then `pod (and 2 other pods): reasons`.
 */
function warnAboutExistingPods(req: AdmissionRequest, api: ClusterApi) {
  const next = namespacePolicy(req.object).enforce;
  const before = namespacePolicy(req.oldObject).enforce;
  if (next.level === 'privileged' || formatLevelVersion(next) === formatLevelVersion(before))
    return;
  const groups = new Map<string, { first: string; count: number }>();
  for (const pod of api.list('pods', { namespace: req.name }).items) {
    const results = evaluatePod(next, pod.metadata, pod.spec);
    if (!results.length) continue;
    const reasons = results.map((r) => r.reason).join(', ');
    const g = groups.get(reasons);
    const name = pod.metadata.name!;
    if (!g) groups.set(reasons, { first: name, count: 1 });
    else {
      g.count++;
      if (name < g.first) g.first = name;
    }
  }
  if (!groups.size) return;
  req.warnings.push(
    `existing pods in namespace "${req.name}" violate the new PodSecurity enforce level "${formatLevelVersion(next)}"`,
  );
  const lines = [...groups].map(([reasons, g]) => {
    const who =
      g.count === 1
        ? g.first
        : g.count === 2
          ? `${g.first} (and 1 other pod)`
          : `${g.first} (and ${g.count - 1} other pods)`;
    return `${who}: ${reasons}`;
  });
  req.warnings.push(...lines.sort());
}

export function podSecurity(): AdmissionPlugin {
  return {
    name: 'PodSecurity',
    validate(req, api) {
      if (req.operation === 'DELETE') return;
      const { group, plural } = req.resource;
      if (group === '' && plural === 'namespaces') {
        if (req.subresource) return;
        validateNamespaceLabels(req);
        if (req.operation === 'UPDATE') warnAboutExistingPods(req, api);
        return;
      }
      if (!req.namespace || (req.subresource && req.subresource !== 'ephemeralcontainers')) return;
      if (group === '' && plural === 'pods') return checkPod(req, api);
      const template = podTemplateOf(req.object);
      if (!template) return;
      if (req.operation === 'UPDATE') {
        const old = req.oldObject && podTemplateOf(req.oldObject);
        if (old && sameSpec(old, template)) return;
      }
      const policy = namespacePolicy(api.get('namespaces', undefined, req.namespace));
      warn(req, policy.warn, template.metadata, template.spec);
    },
  };
}
