// LimitRanger: fills in a container's missing requests/limits from the
// namespace's LimitRanges (before ResourceQuota counts them), then enforces
// min / max / maxLimitRequestRatio per Container and per Pod with the real
// messages ("maximum cpu usage per Container is 1, but limit is 2.").
// biome-ignore-all lint/suspicious/noExplicitAny: objects are schemaless JSON
import type { AdmissionPlugin, AdmissionRequest, ClusterApi, KubeObject } from '../types.js';
import {
  cmp,
  formatQuantity,
  max,
  parseResourceList,
  type Quantity,
  type ResourceList,
} from './quantity.js';
import { aggregateMessages, forbiddenFor, isPodCreate } from './request.js';

const annotationKey = 'kubernetes.io/limit-ranger';

interface LimitItem {
  type: string;
  min: ResourceList;
  max: ResourceList;
  default: ResourceList;
  defaultRequest: ResourceList;
  maxLimitRequestRatio: ResourceList;
  raw: Record<string, Record<string, string>>;
}

/** The item as stored after the API server's defaulting (default ← max, defaultRequest ← default ← min). */
function effectiveItem(item: any): LimitItem {
  const raw: LimitItem['raw'] = {
    min: { ...(item.min ?? {}) },
    max: { ...(item.max ?? {}) },
    default: { ...(item.default ?? {}) },
    defaultRequest: { ...(item.defaultRequest ?? {}) },
    maxLimitRequestRatio: { ...(item.maxLimitRequestRatio ?? {}) },
  };
  if (item.type === 'Container') {
    for (const [k, v] of Object.entries(raw.max!)) raw.default![k] ??= v;
    for (const [k, v] of Object.entries(raw.default!)) raw.defaultRequest![k] ??= v;
    for (const [k, v] of Object.entries(raw.min!)) raw.defaultRequest![k] ??= v;
  }
  return {
    type: item.type,
    min: parseResourceList(raw.min),
    max: parseResourceList(raw.max),
    default: parseResourceList(raw.default),
    defaultRequest: parseResourceList(raw.defaultRequest),
    maxLimitRequestRatio: parseResourceList(raw.maxLimitRequestRatio),
    raw,
  };
}

const limitItems = (api: ClusterApi, ns: string): LimitItem[] =>
  api
    .list('limitranges', { namespace: ns })
    .items.flatMap((lr: KubeObject) => (lr.spec?.limits ?? []).map(effectiveItem));

/** API-server pod defaulting: a container with a limit but no request requests its limit. */
function requestsFromLimits(pod: KubeObject) {
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const limits = c.resources?.limits;
    if (!limits) continue;
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(limits)) c.resources.requests[k] ??= v;
  }
}

function applyDefaults(pod: KubeObject, items: LimitItem[]) {
  const defaults: Record<string, string> = {};
  const defaultRequests: Record<string, string> = {};
  for (const item of items) {
    if (item.type !== 'Container') continue;
    Object.assign(defaultRequests, item.raw.defaultRequest);
    Object.assign(defaults, item.raw.default);
  }
  const notes: string[] = [];
  const merge = (c: any, kind: string) => {
    c.resources ??= {};
    c.resources.limits ??= {};
    c.resources.requests ??= {};
    const setLimits = Object.keys(defaults).filter((k) => !(k in c.resources.limits));
    const setRequests = Object.keys(defaultRequests).filter((k) => !(k in c.resources.requests));
    for (const k of setLimits) c.resources.limits[k] = defaults[k];
    for (const k of setRequests) c.resources.requests[k] = defaultRequests[k];
    if (setRequests.length)
      notes.push(`${setRequests.sort().join(', ')} request for ${kind} ${c.name}`);
    if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${kind} ${c.name}`);
  };
  for (const c of pod.spec?.containers ?? []) merge(c, 'container');
  for (const c of pod.spec?.initContainers ?? []) merge(c, 'init container');
  if (notes.length) {
    pod.metadata.annotations ??= {};
    pod.metadata.annotations[annotationKey] = `LimitRanger plugin set: ${notes.join('; ')}`;
  }
}

function minConstraint(
  type: string,
  name: string,
  enforced: Quantity,
  req: ResourceList,
  lim: ResourceList,
) {
  const r = req[name];
  const l = lim[name];
  const e = formatQuantity(enforced);
  if (!r) return `minimum ${name} usage per ${type} is ${e}.  No request is specified.`;
  if (cmp(r, enforced) < 0)
    return `minimum ${name} usage per ${type} is ${e}, but request is ${formatQuantity(r)}.`;
  if (l && cmp(l, enforced) < 0)
    return `minimum ${name} usage per ${type} is ${e}, but limit is ${formatQuantity(l)}.`;
  return undefined;
}

function maxConstraint(
  type: string,
  name: string,
  enforced: Quantity,
  req: ResourceList,
  lim: ResourceList,
) {
  const r = req[name];
  const l = lim[name];
  const e = formatQuantity(enforced);
  if (!l) return `maximum ${name} usage per ${type} is ${e}.  No limit is specified.`;
  if (cmp(l, enforced) > 0)
    return `maximum ${name} usage per ${type} is ${e}, but limit is ${formatQuantity(l)}.`;
  if (r && cmp(r, enforced) > 0)
    return `maximum ${name} usage per ${type} is ${e}, but request is ${formatQuantity(r)}.`;
  return undefined;
}

function ratioConstraint(
  type: string,
  name: string,
  enforced: Quantity,
  req: ResourceList,
  lim: ResourceList,
) {
  const r = req[name];
  const l = lim[name];
  const e = formatQuantity(enforced);
  if (!r || r.milli === 0n)
    return `${name} max limit to request ratio per ${type} is ${e}, but no request is specified or request is 0.`;
  if (!l || l.milli === 0n)
    return `${name} max limit to request ratio per ${type} is ${e}, but no limit is specified or limit is 0.`;
  const ratio = Number(l.milli) / Number(r.milli);
  if (ratio * 1000 > Number(enforced.milli))
    return `${name} max limit to request ratio per ${type} is ${e}, but provided ratio is ${ratio.toFixed(6)}.`;
  return undefined;
}

/** Pod-level totals: sum of containers, at least any single init container. */
function podTotals(pod: KubeObject, field: 'requests' | 'limits'): ResourceList {
  const sum: ResourceList = {};
  const containers = pod.spec?.containers ?? [];
  const keys = new Set(containers.flatMap((c: any) => Object.keys(c.resources?.[field] ?? {})));
  for (const key of keys) {
    // a resource missing from any container leaves the pod total unset
    const lists = containers.map(
      (c: any) => parseResourceList(c.resources?.[field])[key as string],
    );
    if (lists.every(Boolean))
      sum[key as string] = lists.reduce((a: Quantity, b: Quantity) => ({
        milli: a.milli + b.milli,
        format: a.format,
      }));
  }
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries(parseResourceList(c.resources?.[field])))
      sum[k] = sum[k] ? max(sum[k]!, v) : v;
  }
  return sum;
}

export function limitViolations(pod: KubeObject, items: LimitItem[]): string[] {
  const errors: string[] = [];
  const check = (item: LimitItem, req: ResourceList, lim: ResourceList) => {
    for (const [k, v] of Object.entries(item.min))
      errors.push(minConstraint(item.type, k, v, req, lim) ?? '');
    for (const [k, v] of Object.entries(item.max))
      errors.push(maxConstraint(item.type, k, v, req, lim) ?? '');
    for (const [k, v] of Object.entries(item.maxLimitRequestRatio))
      errors.push(ratioConstraint(item.type, k, v, req, lim) ?? '');
  };
  for (const item of items) {
    if (item.type === 'Container') {
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])])
        check(
          item,
          parseResourceList(c.resources?.requests),
          parseResourceList(c.resources?.limits),
        );
    } else if (item.type === 'Pod') {
      check(item, podTotals(pod, 'requests'), podTotals(pod, 'limits'));
    }
  }
  return errors.filter(Boolean);
}

function enforce(req: AdmissionRequest, items: LimitItem[]) {
  const errors = limitViolations(req.object, items);
  if (errors.length) throw forbiddenFor(req, aggregateMessages(errors));
}

/** PersistentVolumeClaim items: min and max against what the claim requests. */
export function claimViolations(pvc: KubeObject, items: LimitItem[]): string[] {
  const requests = parseResourceList(pvc.spec?.resources?.requests);
  const errors: string[] = [];
  for (const item of items) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of Object.entries(item.min))
      errors.push(minConstraint(item.type, k, v, requests, {}) ?? '');
    for (const [k, v] of Object.entries(item.max)) {
      const r = requests[k];
      const e = formatQuantity(v);
      if (!r) errors.push(`maximum ${k} usage per ${item.type} is ${e}.  No request is specified.`);
      else if (cmp(r, v) > 0)
        errors.push(
          `maximum ${k} usage per ${item.type} is ${e}, but request is ${formatQuantity(r)}.`,
        );
    }
  }
  return errors.filter(Boolean);
}

const isClaimCreate = (req: AdmissionRequest) =>
  req.operation === 'CREATE' &&
  !req.subresource &&
  req.resource.group === '' &&
  req.resource.plural === 'persistentvolumeclaims';

export function limitRanger(): AdmissionPlugin {
  return {
    name: 'LimitRanger',
    mutate(req, api) {
      if (!isPodCreate(req) || !req.namespace) return;
      requestsFromLimits(req.object);
      const items = limitItems(api, req.namespace);
      if (!items.length) return;
      applyDefaults(req.object, items);
      enforce(req, items);
    },
    validate(req, api) {
      if (isClaimCreate(req) && req.namespace) {
        const errors = claimViolations(req.object, limitItems(api, req.namespace));
        if (errors.length) throw forbiddenFor(req, aggregateMessages(errors));
        return;
      }
      if (!isPodCreate(req) || !req.namespace) return;
      const items = limitItems(api, req.namespace);
      if (items.length) enforce(req, items);
    },
  };
}
