// The three non-apply patch formats the API server accepts: JSON patch (RFC
// 6902), JSON merge patch (RFC 7386: lists replaced, null deletes) and
// Kubernetes' strategic merge patch (lists of containers, volumes, env… merged
// by their key). Server-side apply lives in apply.ts.

import { badRequest, StatusError } from './errors.js';

// biome-ignore lint/suspicious/noExplicitAny: patches are schemaless JSON
type Json = any;

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+json': 'apply',
};

const isObject = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** 422 as the server reports a patch that does not apply. */
const patchFailed = (message: string) => new StatusError(422, 'Invalid', message);

// ---- JSON patch ----

function decodePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/'))
    throw patchFailed(
      `add operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`,
    );
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(
  doc: Json,
  parts: string[],
  op: string,
  path: string,
): { parent: Json; key: string } {
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    const next = Array.isArray(cur) ? cur[Number(p)] : isObject(cur) ? cur[p] : undefined;
    if (next === undefined || next === null) {
      throw patchFailed(
        `${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`,
      );
    }
    cur = next;
  }
  return { parent: cur, key: parts[parts.length - 1] as string };
}

function readPointer(doc: Json, path: string, op: string): Json {
  let cur = doc;
  for (const p of decodePointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : isObject(cur) ? cur[p] : undefined;
    if (cur === undefined)
      throw patchFailed(
        `${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`,
      );
  }
  return cur;
}

function addAt(doc: Json, path: string, value: Json, op = 'add'): Json {
  const parts = decodePointer(path);
  if (parts.length === 0) return value;
  const { parent, key } = parentOf(doc, parts, op, path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length)
      throw patchFailed(
        `${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`,
      );
    parent.splice(i, 0, value);
  } else if (isObject(parent)) parent[key] = value;
  else
    throw patchFailed(
      `${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`,
    );
  return doc;
}

function removeAt(doc: Json, path: string, op = 'remove'): Json {
  const parts = decodePointer(path);
  const { parent, key } = parentOf(doc, parts, op, path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!(i >= 0 && i < parent.length))
      throw patchFailed(
        `${op} operation does not apply: doc is missing key: ${path}: missing value`,
      );
    parent.splice(i, 1);
  } else if (isObject(parent) && Object.hasOwn(parent, key)) delete parent[key];
  else
    throw patchFailed(`${op} operation does not apply: doc is missing key: ${path}: missing value`);
  return doc;
}

export function applyJsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops)) {
    // What client-node's typed patch methods hit when sent an object as json-patch.
    const what = isObject(ops) ? 'object' : typeof ops;
    throw badRequest(`json: cannot unmarshal ${what} into Go value of type []handlers.jsonPatchOp`);
  }
  let out = structuredClone(doc);
  for (const o of ops) {
    if (!isObject(o) || typeof o.op !== 'string' || typeof o.path !== 'string')
      throw badRequest('json: cannot unmarshal patch operation');
    switch (o.op) {
      case 'add':
        out = addAt(out, o.path, structuredClone(o.value));
        break;
      case 'remove':
        out = removeAt(out, o.path);
        break;
      case 'replace':
        readPointer(out, o.path, 'replace');
        out = removeAt(out, o.path, 'replace');
        out = addAt(out, o.path, structuredClone(o.value), 'replace');
        break;
      case 'move': {
        const v = readPointer(out, o.from, 'move');
        out = removeAt(out, o.from, 'move');
        out = addAt(out, o.path, v, 'move');
        break;
      }
      case 'copy':
        out = addAt(out, o.path, structuredClone(readPointer(out, o.from, 'copy')), 'copy');
        break;
      case 'test':
        if (JSON.stringify(readPointer(out, o.path, 'test')) !== JSON.stringify(o.value)) {
          throw patchFailed(`testing value ${o.path} failed: test failed`);
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${o.op}`);
    }
  }
  return out;
}

// ---- JSON merge patch ----

export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

// ---- strategic merge patch ----

/**
 * The key by which a list field's elements are merged, from the Go types'
 * `patchMergeKey` tags for the fields Lablease uses; undefined means the list
 * is replaced whole (atomic).
 */
export function listMergeKey(field: string, sample: unknown[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
    case 'volumeDevices':
      return 'mountPath';
    case 'ports':
      // Container ports merge by containerPort; Service ports by port.
      return sample.some((p) => isObject(p) && 'containerPort' in p) ? 'containerPort' : 'port';
    case 'ownerReferences':
      return 'uid';
    case 'conditions':
      return 'type';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    default:
      return undefined;
  }
}

/** Primitive lists whose patch strategy is merge (union) rather than replace. */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

export function applyStrategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field]) && Array.isArray(v))
        out[field] = out[field].filter((x: Json) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    if (Array.isArray(v)) {
      out[k] = mergeList(k, out[k], v);
      continue;
    }
    const merged = applyStrategicMergePatch(out[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

function mergeList(field: string, current: Json, patch: Json[]): Json[] {
  const cur: Json[] = Array.isArray(current) ? current : [];
  if (patch.some((e) => isObject(e) && e.$patch === 'replace')) {
    return structuredClone(patch.filter((e) => !(isObject(e) && e.$patch === 'replace')));
  }
  if (MERGED_PRIMITIVE_LISTS.has(field)) return [...cur, ...patch.filter((x) => !cur.includes(x))];
  const key = listMergeKey(field, [...cur, ...patch]);
  if (!key || !patch.every(isObject)) return structuredClone(patch);
  const out = cur.map((e) => structuredClone(e));
  for (const p of patch) {
    const i = out.findIndex((e) => isObject(e) && e[key] === p[key]);
    if (p.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = applyStrategicMergePatch(out[i], p);
    else out.push(applyStrategicMergePatch({}, p));
  }
  return out;
}

/** Applies a non-apply patch of `type` to `doc`, returning a new document. */
export function applyPatch(type: Exclude<PatchType, 'apply'>, doc: Json, body: Json): Json {
  switch (type) {
    case 'json':
      return applyJsonPatch(doc, body);
    case 'merge':
      if (!isObject(body))
        throw badRequest(
          'json: cannot unmarshal array into Go value of type map[string]interface {}',
        );
      return applyMergePatch(doc, body);
    case 'strategic':
      if (!isObject(body))
        throw badRequest(
          'json: cannot unmarshal array into Go value of type map[string]interface {}',
        );
      return applyStrategicMergePatch(doc, body);
  }
}
