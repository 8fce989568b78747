// Server-side apply and field ownership (metadata.managedFields), at leaf
// granularity: every leaf field path of an object is owned by the managers
// that last set it. An apply that changes a field owned by another manager is
// a 409 Conflict naming the fields, unless force=true, which takes them over;
// fields a manager stops applying are removed when nobody else owns them.
// Keyed lists (containers by name, ports by containerPort…) are addressed by
// key, other lists are atomic — a simplification of structured-merge-diff's
// schema-driven rules that keeps the behaviour clients depend on.

import { StatusError } from './errors.js';
import { listMergeKey } from './patch.js';
import type { KubeObject } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: objects are schemaless JSON
type Json = any;
type Path = string[]; // segments: 'f:name' or 'k:{"name":"x"}'

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, Json>;
  subresource?: string;
}

const isObject = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const SEP = '\u0000';
const pathKey = (p: Path) => p.join(SEP);

const SYSTEM_METADATA = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
];

/** The part of an object that field ownership covers. */
function trackedContent(obj: Json, withStatus: boolean): Json {
  const { apiVersion: _a, kind: _k, metadata, status, ...rest } = obj ?? {};
  const md = { ...(metadata ?? {}) };
  for (const k of SYSTEM_METADATA) delete md[k];
  return {
    ...(Object.keys(md).length ? { metadata: md } : {}),
    ...rest,
    ...(withStatus && status !== undefined ? { status } : {}),
  };
}

function elementKey(field: string, list: Json[], el: Json): string | undefined {
  const key = listMergeKey(field, list);
  if (!key || !isObject(el) || el[key] === undefined) return undefined;
  return `k:${JSON.stringify({ [key]: el[key] })}`;
}

function isKeyedList(field: string, list: Json[]): boolean {
  return list.length > 0 && list.every((el) => elementKey(field, list, el) !== undefined);
}

/** Leaf paths of `value` → their JSON-encoded values. */
function leaves(
  value: Json,
  prefix: Path = [],
  out = new Map<string, string>(),
): Map<string, string> {
  if (isObject(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value)) {
      const seg = `f:${k}`;
      if (Array.isArray(v) && isKeyedList(k, v)) {
        for (const el of v) leaves(el, [...prefix, seg, elementKey(k, v, el) as string], out);
      } else leaves(v, [...prefix, seg], out);
    }
  } else if (prefix.length) out.set(pathKey(prefix), JSON.stringify(value));
  return out;
}

/** Reads the value at a path (undefined if absent). */
function readPath(obj: Json, path: Path): Json {
  let cur = obj;
  let field = '';
  for (const seg of path) {
    if (seg.startsWith('f:')) {
      field = seg.slice(2);
      cur = isObject(cur) ? cur[field] : undefined;
    } else {
      const kv = JSON.parse(seg.slice(2)) as Record<string, Json>;
      const [k, v] = Object.entries(kv)[0] as [string, Json];
      cur = Array.isArray(cur) ? cur.find((e) => isObject(e) && e[k] === v) : undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

const keyOf = (seg: string) =>
  Object.entries(JSON.parse(seg.slice(2)) as Record<string, Json>)[0] as [string, Json];

/**
 * Deletes the value at a path, then prunes what it leaves empty: maps with
 * no fields, and keyed list elements left with only their key (the key
 * field itself is never deleted alone, so an element goes whole or stays).
 */
function deletePath(obj: Json, path: Path) {
  // Walk down keeping each level's container and the node found in it.
  const levels: Array<{ container: Json; seg: string; node: Json }> = [];
  let cur = obj;
  for (const seg of path) {
    let node: Json;
    if (seg.startsWith('f:')) node = isObject(cur) ? cur[seg.slice(2)] : undefined;
    else {
      const [k, v] = keyOf(seg);
      node = Array.isArray(cur) ? cur.find((e) => isObject(e) && e[k] === v) : undefined;
    }
    if (node === undefined) return;
    levels.push({ container: cur, seg, node });
    cur = node;
  }
  const removeLevel = ({ container, seg, node }: { container: Json; seg: string; node: Json }) => {
    if (seg.startsWith('f:')) delete container[seg.slice(2)];
    else container.splice(container.indexOf(node), 1);
  };
  const last = levels[levels.length - 1];
  const parentSeg = path[path.length - 2];
  const isKeyField =
    last && parentSeg?.startsWith('k:') && keyOf(parentSeg)[0] === last.seg.slice(2);
  if (!last) return;
  if (!isKeyField) removeLevel(last);
  for (let i = levels.length - 2; i >= 0; i--) {
    const level = levels[i] as { container: Json; seg: string; node: Json };
    const n = level.node;
    const keyOnly =
      level.seg.startsWith('k:') &&
      isObject(n) &&
      Object.keys(n).every((f) => f === keyOf(level.seg)[0]);
    const empty =
      (isObject(n) && Object.keys(n).length === 0) || (Array.isArray(n) && n.length === 0);
    if (!keyOnly && !empty) return;
    removeLevel(level);
  }
}

export function encodeFields(paths: Iterable<string>): Record<string, Json> {
  const root: Record<string, Json> = {};
  for (const p of paths) {
    let node = root;
    for (const seg of p.split(SEP)) {
      node[seg] ??= {};
      node = node[seg];
      if (seg.startsWith('k:')) node['.'] ??= {};
    }
  }
  return root;
}

export function decodeFields(
  fields: Record<string, Json> | undefined,
  prefix: Path = [],
  out = new Set<string>(),
): Set<string> {
  for (const [seg, child] of Object.entries(fields ?? {})) {
    if (seg === '.') continue;
    const childKeys = Object.keys(child ?? {}).filter((k) => k !== '.');
    if (childKeys.length === 0) out.add(pathKey([...prefix, seg]));
    else decodeFields(child, [...prefix, seg], out);
  }
  return out;
}

const display = (key: string) =>
  key
    .split(SEP)
    .map((seg) => {
      if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
      const [k, v] = Object.entries(JSON.parse(seg.slice(2)) as Record<string, Json>)[0] as [
        string,
        Json,
      ];
      return `[${k}=${JSON.stringify(v)}]`;
    })
    .join('');

function readEntries(obj: KubeObject | undefined): ManagedFieldsEntry[] {
  return ((obj?.metadata.managedFields ?? []) as ManagedFieldsEntry[]).map((e) => ({ ...e }));
}

function setPaths(entries: ManagedFieldsEntry[], e: ManagedFieldsEntry, paths: Set<string>) {
  e.fieldsV1 = encodeFields(paths);
  const i = entries.indexOf(e);
  if (paths.size === 0 && i >= 0) entries.splice(i, 1);
}

function entryFor(
  entries: ManagedFieldsEntry[],
  manager: string,
  operation: 'Apply' | 'Update',
  apiVersion: string,
  time: string,
  subresource?: string,
) {
  let e = entries.find(
    (x) =>
      x.manager === manager &&
      x.operation === operation &&
      (x.subresource ?? '') === (subresource ?? ''),
  );
  if (!e) {
    e = {
      manager,
      operation,
      apiVersion,
      time,
      fieldsType: 'FieldsV1',
      fieldsV1: {},
      ...(subresource ? { subresource } : {}),
    };
    entries.push(e);
  }
  e.time = time;
  e.apiVersion = apiVersion;
  return e;
}

/**
 * Records an Update-operation write by `manager`: it takes ownership of the
 * fields it changed, which every other manager loses. Returns the new
 * managedFields (the caller stores them on `next`).
 */
export function trackUpdate(
  old: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  time: string,
  subresource?: string,
): ManagedFieldsEntry[] {
  const withStatus = subresource === 'status';
  const before = old ? leaves(trackedContent(old, withStatus)) : new Map<string, string>();
  const after = leaves(trackedContent(next, withStatus));
  const changed = new Set<string>();
  for (const [p, v] of after) if (before.get(p) !== v) changed.add(p);
  const removed = [...before.keys()].filter((p) => !after.has(p));
  const entries = readEntries(old);
  if (changed.size === 0 && removed.length === 0) return entries;
  for (const e of [...entries]) {
    const paths = decodeFields(e.fieldsV1);
    let touched = false;
    for (const p of [...changed, ...removed]) if (paths.delete(p)) touched = true;
    if (touched) setPaths(entries, e, paths);
  }
  if (changed.size) {
    const mine = entryFor(entries, manager, 'Update', next.apiVersion, time, subresource);
    const paths = decodeFields(mine.fieldsV1);
    for (const p of changed) paths.add(p);
    setPaths(entries, mine, paths);
  }
  return entries;
}

/** Merges an applied configuration into the live object: maps merged, keyed lists merged by key, the rest replaced. */
function mergeApplied(live: Json, config: Json): Json {
  if (!isObject(config)) return structuredClone(config);
  const out: Record<string, Json> = isObject(live) ? { ...live } : {};
  for (const [k, v] of Object.entries(config)) {
    if (Array.isArray(v) && isKeyedList(k, v) && Array.isArray(out[k])) {
      const key = listMergeKey(k, v) as string;
      const merged = (out[k] as Json[]).map((e) => structuredClone(e));
      for (const el of v) {
        const i = merged.findIndex((e) => isObject(e) && e[key] === el[key]);
        if (i >= 0) merged[i] = mergeApplied(merged[i], el);
        else merged.push(structuredClone(el));
      }
      out[k] = merged;
    } else out[k] = mergeApplied(out[k], v);
  }
  return out;
}

export interface ApplyResult {
  object: KubeObject;
}

/**
 * Server-side apply of `config` by `manager` onto `live` (undefined: create).
 * Throws 409 Conflict listing fields owned by other managers with different
 * values, unless `force`.
 */
export function serverSideApply(
  live: KubeObject | undefined,
  config: KubeObject,
  opts: { manager: string; force: boolean; time: string; resource: string; withStatus?: boolean },
): KubeObject {
  const applied = leaves(trackedContent(config, Boolean(opts.withStatus)));
  const entries = readEntries(live);
  const conflicts: Array<{ path: string; manager: string; apiVersion: string }> = [];
  if (live) {
    for (const e of entries) {
      if (e.manager === opts.manager) continue;
      const owned = decodeFields(e.fieldsV1);
      for (const [p, v] of applied) {
        if (owned.has(p) && JSON.stringify(readPath(live, p.split(SEP))) !== v)
          conflicts.push({ path: p, manager: e.manager, apiVersion: e.apiVersion });
      }
    }
  }
  if (conflicts.length && !opts.force)
    throw applyConflict(conflicts, config.metadata.name as string, opts.resource);

  // Fields this manager applied before but no longer does are removed, unless someone else owns them.
  const mine = entries.find(
    (e) => e.manager === opts.manager && e.operation === 'Apply' && !e.subresource,
  );
  const previously = decodeFields(mine?.fieldsV1);
  const ownedByOthers = new Set<string>();
  for (const e of entries)
    if (e !== mine) for (const p of decodeFields(e.fieldsV1)) ownedByOthers.add(p);

  const base: Json = live
    ? structuredClone(live)
    : { apiVersion: config.apiVersion, kind: config.kind, metadata: {} };
  const { metadata: cfgMeta, ...cfgRest } = config;
  const merged = mergeApplied(base, {
    ...cfgRest,
    metadata: trackedContent({ metadata: cfgMeta }, false).metadata ?? {},
  });
  merged.metadata = {
    ...base.metadata,
    ...merged.metadata,
    name: live?.metadata.name ?? cfgMeta.name,
    ...(cfgMeta.namespace || live?.metadata.namespace
      ? { namespace: live?.metadata.namespace ?? cfgMeta.namespace }
      : {}),
  };
  if (cfgMeta.generateName && !live) merged.metadata.generateName = cfgMeta.generateName;
  for (const p of previously)
    if (!applied.has(p) && !ownedByOthers.has(p)) deletePath(merged, p.split(SEP));

  // Forced conflicts move to this manager; equal values stay shared.
  for (const c of conflicts) {
    const e = entries.find((x) => x.manager === c.manager);
    if (!e) continue;
    const paths = decodeFields(e.fieldsV1);
    paths.delete(c.path);
    setPaths(entries, e, paths);
  }
  const entry = entryFor(entries, opts.manager, 'Apply', config.apiVersion, opts.time);
  setPaths(entries, entry, new Set(applied.keys()));
  merged.metadata.managedFields = entries;
  return merged as KubeObject;
}

function applyConflict(
  conflicts: Array<{ path: string; manager: string; apiVersion: string }>,
  name: string,
  _resource: string,
) {
  const n = conflicts.length;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const k = `"${c.manager}" using ${c.apiVersion}`;
    byManager.set(k, [...(byManager.get(k) ?? []), display(c.path)]);
  }
  const parts = [...byManager].map(([who, paths]) =>
    paths.length === 1 && n === 1
      ? `conflict with ${who}: ${paths[0]}`
      : `conflicts with ${who}:\n${paths.map((p) => `- ${p}`).join('\n')}`,
  );
  const message = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${parts.join('\n')}`;
  return new StatusError(409, 'Conflict', message, {
    name,
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with "${c.manager}" using ${c.apiVersion}`,
      field: display(c.path),
    })),
  });
}
