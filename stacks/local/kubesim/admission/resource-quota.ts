// ResourceQuota admission: refuses a write that would take a quota's usage
// over its hard limits, and charges the quota (status.used) before the object
// is stored, one namespace at a time — so 100 parallel creates cannot
// overshoot. The quota controller recounts from the objects themselves;
// charges whose objects are not stored yet are remembered here so that a
// recount in between does not hand the same capacity out twice.
// biome-ignore-all lint/suspicious/noExplicitAny: objects are schemaless JSON
import { StatusError } from '../errors.js';
import type { AdmissionPlugin, AdmissionRequest, ClusterApi, KubeObject } from '../types.js';
import {
  addLists,
  cmp,
  formatResourceList,
  parseResourceList,
  prettyPrint,
  type ResourceList,
} from './quantity.js';
import { mask, podConstraintViolation, quotaMatches, usageOf } from './quota-usage.js';
import { forbiddenFor } from './request.js';

export interface PendingCharge {
  quotaUid: string;
  namespace: string;
  resource: string;
  name: string;
  usage: ResourceList;
  expires: number;
}

/** In-flight charges per cluster, shared with the quota controller's recount. */
const pendingByApi = new WeakMap<ClusterApi, PendingCharge[]>();
export function pendingCharges(api: ClusterApi): PendingCharge[] {
  let list = pendingByApi.get(api);
  if (!list) {
    list = [];
    pendingByApi.set(api, list);
  }
  const now = Date.now();
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.expires < now) list.splice(i, 1);
  return list;
}

/** The object arrived in storage: from now on a recount sees it, the charge is settled. */
export function settleCharges(api: ClusterApi, resource: string, namespace: string, name: string) {
  const list = pendingCharges(api);
  for (let i = list.length - 1; i >= 0; i--) {
    const c = list[i]!;
    if (c.resource === resource && c.namespace === namespace && c.name === name) list.splice(i, 1);
  }
}

const locks = new Map<string, Promise<unknown>>();
async function withNamespaceLock<T>(ns: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(ns) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => {});
  locks.set(ns, tail);
  try {
    return await run;
  } finally {
    if (locks.get(ns) === tail) locks.delete(ns);
  }
}

function handles(req: AdmissionRequest): boolean {
  if (!req.namespace || !req.resource.namespaced) return false;
  if (req.operation === 'CREATE') return !req.subresource;
  // only a PVC resize changes usage on update
  return (
    req.operation === 'UPDATE' &&
    !req.subresource &&
    req.resource.plural === 'persistentvolumeclaims' &&
    req.resource.group === ''
  );
}

function lessOrEqual(used: ResourceList, hard: ResourceList): string[] {
  return Object.keys(used).filter((k) => hard[k] && cmp(used[k]!, hard[k]!) > 0);
}

async function evaluate(req: AdmissionRequest, api: ClusterApi) {
  const quotas = api.list('resourcequotas', { namespace: req.namespace }).items;
  if (!quotas.length) return;
  let delta = usageOf(req.resource, req.object);
  if (req.operation === 'UPDATE' && req.oldObject) {
    const old = usageOf(req.resource, req.oldObject);
    delta = Object.fromEntries(
      Object.entries(delta)
        .map(([k, v]) => [k, { ...v, milli: v.milli - (old[k]?.milli ?? 0n) }] as const)
        .filter(([, v]) => v.milli > 0n),
    );
  }
  const charges: Array<{ quota: KubeObject; used: ResourceList; requested: ResourceList }> = [];
  for (const quota of quotas) {
    if (!quotaMatches(quota, req.resource, req.object)) continue;
    const hard = parseResourceList(quota.status?.hard);
    const tracked = Object.keys(hard).filter(
      (k) => k in usageOf(req.resource, req.object) || isComputeName(k, req),
    );
    if (!tracked.length) continue;
    if (req.resource.plural === 'pods' && !req.resource.group) {
      const violation = podConstraintViolation(req.object, tracked);
      if (violation) throw forbiddenFor(req, `failed quota: ${quota.metadata.name}: ${violation}`);
    }
    const used = parseResourceList(quota.status?.used);
    const unknown = tracked.filter((k) => !(k in (quota.status?.used ?? {})));
    if (unknown.length)
      throw forbiddenFor(
        req,
        `status unknown for quota: ${quota.metadata.name}, resources: ${unknown.sort().join(',')}`,
      );
    const requested = mask(delta, Object.keys(hard));
    if (!Object.values(requested).some((q) => q.milli !== 0n)) continue;
    const newUsed = addLists(used, requested);
    const exceeded = lessOrEqual(mask(newUsed, Object.keys(requested)), hard);
    if (exceeded.length)
      throw forbiddenFor(
        req,
        `exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`,
      );
    charges.push({ quota, used: newUsed, requested });
  }
  if (req.dryRun) return;
  for (const { quota, used, requested } of charges) {
    await api.update(
      'resourcequotas',
      req.namespace,
      {
        ...quota,
        status: { ...quota.status, used: { ...quota.status?.used, ...formatResourceList(used) } },
      },
      { subresource: 'status', user: 'system:serviceaccount:kube-system:resourcequota-controller' },
    );
    pendingCharges(api).push({
      quotaUid: quota.metadata.uid!,
      namespace: req.namespace!,
      resource: req.resource.plural,
      name: req.object.metadata.name ?? req.name,
      usage: requested,
      expires: Date.now() + 5000,
    });
  }
}

/** Compute names a pod's containers may leave out, yet the quota still tracks (so Constraints can refuse). */
const isComputeName = (name: string, req: AdmissionRequest) =>
  req.resource.plural === 'pods' &&
  !req.resource.group &&
  [
    'cpu',
    'memory',
    'requests.cpu',
    'requests.memory',
    'limits.cpu',
    'limits.memory',
    'ephemeral-storage',
    'requests.ephemeral-storage',
    'limits.ephemeral-storage',
  ].includes(name);

export function resourceQuota(): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    async validate(req, api) {
      if (!handles(req)) return;
      // A charge that lost a race with another writer of the quota is re-evaluated from fresh state.
      for (let attempt = 0; ; attempt++) {
        try {
          return await withNamespaceLock(req.namespace!, () => evaluate(req, api));
        } catch (err) {
          if (err instanceof StatusError && err.code === 409 && attempt < 5) continue;
          throw err;
        }
      }
    },
  };
}
