// Label and field selectors with the grammar and the field sets of the real
// API server: a field the server does not index answers 400
// `field label not supported: <field>`, so a selector that works here works
// on a cluster.

import { badRequest } from './errors.js';
import type { KubeObject } from './types.js';

export type Predicate = (obj: KubeObject) => boolean;

type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

/** Splits on commas that are not inside parentheses (`a in (x,y),b`). */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

function parseLabelRequirement(term: string): LabelRequirement {
  let m = /^!\s*([A-Za-z0-9_./-]+)$/.exec(term);
  if (m) return { key: m[1] as string, op: '!exists' };
  m = /^([A-Za-z0-9_./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) {
    const values = (m[3] as string)
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    return { key: m[1] as string, op: m[2] as 'in' | 'notin', values };
  }
  m = /^([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*([A-Za-z0-9_.-]*)$/.exec(term);
  if (m) {
    return { key: m[1] as string, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3] as string] };
  }
  m = /^([A-Za-z0-9_./-]+)$/.exec(term);
  if (m) return { key: m[1] as string, op: 'exists' };
  throw badRequest(
    `unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`,
  );
}

/** Parses a label selector (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`); empty matches all. */
export function parseLabelSelector(selector: string | undefined): Predicate {
  if (!selector?.trim()) return () => true;
  const reqs = splitTopLevel(selector).map(parseLabelRequirement);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    for (const r of reqs) {
      const has = Object.hasOwn(labels, r.key);
      switch (r.op) {
        case 'exists':
          if (!has) return false;
          break;
        case '!exists':
          if (has) return false;
          break;
        case 'in':
          if (!has || !r.values.includes(labels[r.key] as string)) return false;
          break;
        case 'notin':
          if (has && r.values.includes(labels[r.key] as string)) return false;
          break;
      }
    }
    return true;
  };
}

/** Label selector object (matchLabels/matchExpressions) as in Deployment.spec.selector. */
export function matchesLabelSelectorObject(
  sel:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
      }
    | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(l, e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(l[e.key] as string))) return false;
    if (e.operator === 'NotIn' && has && values.includes(l[e.key] as string)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

const get = (obj: KubeObject, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      obj,
    );

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** Fields each resource's field selectors accept (besides metadata.name/namespace), as the real registry strategies. */
const FIELD_SETS: Record<string, Record<string, (o: KubeObject) => string>> = {
  pods: {
    'spec.nodeName': (o) => str(o.spec?.nodeName),
    'spec.restartPolicy': (o) => str(o.spec?.restartPolicy),
    'spec.schedulerName': (o) => str(o.spec?.schedulerName),
    'spec.serviceAccountName': (o) => str(o.spec?.serviceAccountName),
    'spec.hostNetwork': (o) => String(Boolean(o.spec?.hostNetwork)),
    'status.phase': (o) => str(o.status?.phase),
    'status.podIP': (o) => str(o.status?.podIP),
    'status.nominatedNodeName': (o) => str(o.status?.nominatedNodeName),
  },
  events: {
    'involvedObject.kind': (o) => str(o.involvedObject?.kind),
    'involvedObject.namespace': (o) => str(o.involvedObject?.namespace),
    'involvedObject.name': (o) => str(o.involvedObject?.name),
    'involvedObject.uid': (o) => str(o.involvedObject?.uid),
    'involvedObject.apiVersion': (o) => str(o.involvedObject?.apiVersion),
    'involvedObject.resourceVersion': (o) => str(o.involvedObject?.resourceVersion),
    'involvedObject.fieldPath': (o) => str(o.involvedObject?.fieldPath),
    reason: (o) => str(o.reason),
    reportingComponent: (o) => str(o.reportingComponent),
    source: (o) => str(o.source?.component),
    type: (o) => str(o.type),
  },
  secrets: { type: (o) => str(o.type) },
  namespaces: { 'status.phase': (o) => str(o.status?.phase) },
  nodes: { 'spec.unschedulable': (o) => String(Boolean(o.spec?.unschedulable)) },
  'replicasets.apps': { 'status.replicas': (o) => str(o.status?.replicas) },
};

/** Parses a field selector for `resource` (its resourceKey); unknown fields → 400. */
export function parseFieldSelector(resource: string, selector: string | undefined): Predicate {
  if (!selector?.trim()) return () => true;
  const fields = FIELD_SETS[resource] ?? {};
  const terms = selector
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const checks: Predicate[] = terms.map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    let read: (o: KubeObject) => string;
    if (field === 'metadata.name') read = (o) => str(o.metadata.name);
    else if (field === 'metadata.namespace') read = (o) => str(o.metadata.namespace);
    else if (fields[field]) read = fields[field];
    else throw badRequest(`field label not supported: ${field}`);
    return op === '!=' ? (o) => read(o) !== value : (o) => read(o) === value;
  });
  return (obj) => checks.every((c) => c(obj));
}

export { get as getPath };
