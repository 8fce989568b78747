// What an object costs against a ResourceQuota, as the kube quota evaluators
// count it: pods (requests/limits of non-terminal pods), PVCs (count and
// storage, also per storage class), services, and `count/<resource>.<group>`
// for every namespaced kind.
// biome-ignore-all lint/suspicious/noExplicitAny: objects are schemaless JSON
import type { KubeObject, ResourceType } from '../types.js';
import {
  addLists,
  max,
  parseQuantity,
  parseResourceList,
  type Quantity,
  type ResourceList,
} from './quantity.js';

const one = (): Quantity => parseQuantity('1');

/** The legacy quota names of core kinds (`pods`, `services`, ...). */
const legacyCounts: Record<string, string> = {
  pods: 'pods',
  services: 'services',
  secrets: 'secrets',
  configmaps: 'configmaps',
  persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

export const countName = (rt: Pick<ResourceType, 'plural' | 'group'>): string =>
  rt.group ? `count/${rt.plural}.${rt.group}` : `count/${rt.plural}`;

const computeNames = ['cpu', 'memory', 'ephemeral-storage'];

/** Pods in Succeeded/Failed no longer use quota. */
export const isTerminalPod = (pod: KubeObject): boolean =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

function containerUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const name of computeNames) {
    const r = requests[name];
    const l = limits[name];
    if (r) {
      out[`requests.${name}`] = r;
      if (name !== 'ephemeral-storage') out[name] = r;
      else out[name] = r;
    }
    if (l) out[`limits.${name}`] = l;
  }
  return out;
}

/** Sum of containers, at least each init container (PodRequests/PodLimits). */
function podComputeUsage(pod: KubeObject): ResourceList {
  let total: ResourceList = {};
  for (const c of pod.spec?.containers ?? [])
    total = addLists(
      total,
      containerUsage(
        parseResourceList(c.resources?.requests),
        parseResourceList(c.resources?.limits),
      ),
    );
  for (const c of pod.spec?.initContainers ?? []) {
    const u = containerUsage(
      parseResourceList(c.resources?.requests),
      parseResourceList(c.resources?.limits),
    );
    for (const [k, v] of Object.entries(u)) total[k] = total[k] ? max(total[k]!, v) : v;
  }
  return total;
}

/** Names of the container-level resources a pod must declare when a quota tracks them. */
export const podValidationSet = new Set([
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
]);

/** `must specify limits.cpu for: c; limits.memory for: c` — or undefined when every container declares them. */
export function podConstraintViolation(pod: KubeObject, tracked: string[]): string | undefined {
  const required = tracked.filter((n) => podValidationSet.has(n));
  if (!required.length) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const have = containerUsage(
      parseResourceList(c.resources?.requests),
      parseResourceList(c.resources?.limits),
    );
    for (const name of required) {
      if (!(name in have)) missing.set(name, (missing.get(name) ?? new Set()).add(c.name));
    }
  }
  if (!missing.size) return undefined;
  const parts = [...missing.keys()]
    .sort()
    .map((name) => `${name} for: ${[...missing.get(name)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

/** Everything the object counts for; quota names not listed here are not affected by it. */
export function usageOf(rt: Pick<ResourceType, 'plural' | 'group'>, obj: KubeObject): ResourceList {
  const usage: ResourceList = { [countName(rt)]: one() };
  if (!rt.group && legacyCounts[rt.plural]) usage[legacyCounts[rt.plural]!] = one();
  if (rt.group) return usage;
  switch (rt.plural) {
    case 'pods':
      if (isTerminalPod(obj)) return {};
      return { ...usage, ...podComputeUsage(obj) };
    case 'persistentvolumeclaims': {
      const storage = obj.spec?.resources?.requests?.storage;
      const cls: string | undefined = obj.spec?.storageClassName;
      if (storage !== undefined) {
        const q = parseQuantity(storage);
        usage['requests.storage'] = q;
        if (cls) usage[`${cls}.storageclass.storage.k8s.io/requests.storage`] = q;
      }
      if (cls) usage[`${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`] = one();
      return usage;
    }
    case 'services':
      if (obj.spec?.type === 'LoadBalancer') usage['services.loadbalancers'] = one();
      if (obj.spec?.type === 'NodePort' || obj.spec?.type === 'LoadBalancer')
        usage['services.nodeports'] = parseQuantity(
          (obj.spec?.ports ?? []).filter((p: any) => obj.spec.type === 'NodePort' || p.nodePort)
            .length,
        );
      return usage;
    default:
      return usage;
  }
}

/** Keeps only the names in `names`. */
export const mask = (list: ResourceList, names: Iterable<string>): ResourceList => {
  const keep = new Set(names);
  return Object.fromEntries(Object.entries(list).filter(([k]) => keep.has(k)));
};

/** Does a (possibly scoped) quota count this object? Scoped quotas count pods only. */
export function quotaMatches(
  quota: KubeObject,
  rt: Pick<ResourceType, 'plural' | 'group'>,
  obj: KubeObject,
): boolean {
  const scopes: string[] = quota.spec?.scopes ?? [];
  const selectors: Array<{ scopeName: string; operator: string; values?: string[] }> =
    quota.spec?.scopeSelector?.matchExpressions ?? [];
  if (!scopes.length && !selectors.length) return true;
  if (rt.group || rt.plural !== 'pods') return false;
  const bestEffort = [...(obj.spec?.containers ?? []), ...(obj.spec?.initContainers ?? [])].every(
    (c: any) =>
      !Object.keys(c.resources?.requests ?? {}).length &&
      !Object.keys(c.resources?.limits ?? {}).length,
  );
  const terminating =
    typeof obj.spec?.activeDeadlineSeconds === 'number' && obj.spec.activeDeadlineSeconds >= 0;
  const scopeHolds = (scope: string) => {
    switch (scope) {
      case 'Terminating':
        return terminating;
      case 'NotTerminating':
        return !terminating;
      case 'BestEffort':
        return bestEffort;
      case 'NotBestEffort':
        return !bestEffort;
      default:
        return false;
    }
  };
  if (!scopes.every(scopeHolds)) return false;
  return selectors.every((sel) => {
    if (sel.scopeName !== 'PriorityClass')
      return sel.operator === 'Exists'
        ? scopeHolds(sel.scopeName)
        : sel.operator === 'DoesNotExist'
          ? !scopeHolds(sel.scopeName)
          : false;
    const pc: string | undefined = obj.spec?.priorityClassName || undefined;
    switch (sel.operator) {
      case 'In':
        return pc !== undefined && (sel.values ?? []).includes(pc);
      case 'NotIn':
        return pc === undefined || !(sel.values ?? []).includes(pc);
      case 'Exists':
        return pc !== undefined;
      case 'DoesNotExist':
        return pc === undefined;
      default:
        return false;
    }
  });
}
