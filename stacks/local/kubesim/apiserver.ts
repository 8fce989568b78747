// The API server's verbs, in process: every write runs the real pipeline —
// decode → defaults → mutating admission → validation (422) → validating
// admission → storage (409) — so clients over HTTP (server.ts) and kubesim's
// own controllers meet the same rules. The HTTP layer maps these results to
// status codes and Warning headers; ClusterApi callers get plain objects.

import { randomBytes, randomUUID } from 'node:crypto';
import { serverSideApply, trackUpdate } from './apply.js';
import { decodeBody } from './decode.js';
import { applyDefaults, qosClass } from './defaults.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  invalid,
  notFound,
  StatusError,
} from './errors.js';
import { EventRecorder } from './event-recorder.js';
import type { FieldValidation } from './fields.js';
import { deepEqual, rfc3339 } from './json.js';
import { applyPatch, type PatchType } from './patch.js';
import {
  apiVersionOf,
  groupResource,
  resolveResource,
  resourceKey,
  type ServedResource,
} from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { Store } from './store.js';
import type {
  AdmissionPlugin,
  AdmissionRequest,
  ClusterApi,
  DeleteOptions,
  KubeObject,
  ListOptions,
  ListResult,
  Operation,
  WatchEvent,
  WriteOptions,
} from './types.js';
import { validateCreate, validateUpdate } from './validation.js';

export interface ApiServerOptions {
  store: Store;
  clock?: () => Date;
  admission?: AdmissionPlugin[];
}

/** A write's outcome for the HTTP layer: the object, the warnings to send, and whether it is gone or still terminating. */
export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  created?: boolean;
  /** DELETE only: the object was removed now (200) rather than marked for deletion (202). */
  removed?: boolean;
}

export interface UpdateOptions extends WriteOptions {
  subresource?: string;
  /** Unknown fields: dropped with a warning (Warn, the default), dropped (Ignore) or 400 (Strict). */
  fieldValidation?: FieldValidation;
  /** Warnings found before this write (an apply's unknown fields). */
  extraWarnings?: string[];
}

export interface PatchOptions extends UpdateOptions {
  force?: boolean;
}

/** Who the in-process callers are unless they say: the cluster's own components. */
const DEFAULT_USER = 'system:admin';

/** Writers that stand in for kube-system components may do what only those components do (bind pods, finalize namespaces). */
const isSystemUser = (user: string) => user.startsWith('system:');

function managerFor(opts: WriteOptions): string {
  if (opts.fieldManager) return opts.fieldManager;
  const user = opts.user ?? DEFAULT_USER;
  if (user.startsWith('system:serviceaccount:kube-system:')) return 'kube-controller-manager';
  if (user.startsWith('system:node:')) return 'kubelet';
  if (user === 'system:kube-scheduler') return 'kube-scheduler';
  return 'kubesim';
}

const clone = <T>(v: T): T => structuredClone(v);
const same = deepEqual;

/** The object with managedFields entries' times dropped, for comparison only. */
const withoutFieldTimes = (obj: KubeObject): KubeObject => ({
  ...obj,
  metadata: {
    ...obj.metadata,
    managedFields: (obj.metadata.managedFields as Array<Record<string, unknown>> | undefined)?.map(
      ({ time: _t, ...rest }) => rest,
    ),
  },
});

export { rfc3339 };

/** generateName's suffix alphabet (no vowels, no ambiguous characters). */
const SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const randomSuffix = (n = 5) =>
  Array.from(randomBytes(n), (b) => SUFFIX_CHARS[b % SUFFIX_CHARS.length]).join('');

/** What generation tracks: everything but metadata and status. */
function specOf(obj: KubeObject) {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/** Continue tokens: base64 JSON of the list RV and the last key served, as the real server's. */
function encodeContinue(rv: number, start: string) {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof t.rv === 'number' && typeof t.start === 'string') return t;
  } catch {}
  throw badRequest(`continue key is not valid: ${token}`);
}

export class ApiServer implements ClusterApi {
  readonly store: Store;
  private readonly clock: () => Date;
  private admission: AdmissionPlugin[];
  private readonly events = new EventRecorder(this);

  constructor(opts: ApiServerOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? (() => new Date());
    this.admission = opts.admission ?? [];
  }

  setAdmission(plugins: AdmissionPlugin[]) {
    this.admission = plugins;
  }

  now(): Date {
    return this.clock();
  }

  resourceType(resource: string): ServedResource {
    return resolveResource(resource);
  }

  // ---- ClusterApi (cloned objects, no warnings) ----

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const r = resolveResource(resource);
    const obj = this.store.get(resourceKey(r), r.namespaced ? namespace : undefined, name);
    return obj && clone(obj);
  }

  list(resource: string, opts: ListOptions = {}): ListResult {
    const res = this.listObjects(resolveResource(resource), opts);
    return { ...res, items: res.items.map(clone) };
  }

  peek(resource: string, opts: ListOptions = {}): ListResult {
    return this.listObjects(resolveResource(resource), opts);
  }

  async create(
    resource: string,
    namespace: string | undefined,
    obj: KubeObject,
    opts: WriteOptions = {},
  ) {
    return clone((await this.createObject(resolveResource(resource), namespace, obj, opts)).object);
  }

  async update(
    resource: string,
    namespace: string | undefined,
    obj: KubeObject,
    opts: UpdateOptions = {},
  ) {
    const r = resolveResource(resource);
    if (opts.subresource === 'scale') {
      return clone(
        (await this.updateScale(r, namespace, obj.metadata.name as string, obj, opts)).object,
      );
    }
    return clone(
      (await this.updateObject(r, namespace, obj.metadata.name as string, obj, opts)).object,
    );
  }

  async patch(
    resource: string,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    body: unknown,
    opts: PatchOptions = {},
  ) {
    return clone(
      (await this.patchObject(resolveResource(resource), namespace, name, type, body, opts)).object,
    );
  }

  async delete(
    resource: string,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ) {
    const r = resolveResource(resource);
    try {
      return clone((await this.deleteObject(r, namespace, name, opts)).object);
    } catch (e) {
      // In process, "already gone" is an answer, not an error (the ClusterApi contract).
      if (e instanceof StatusError && e.code === 404 && e.details?.name === name) return undefined;
      throw e;
    }
  }

  subscribe(resource: string, fn: (event: WatchEvent) => void): () => void {
    return this.store.subscribe(resourceKey(resolveResource(resource)), (ev) =>
      fn({ type: ev.type, object: clone(ev.object) }),
    );
  }

  recordEvent(
    involved: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    source = 'kubesim',
  ): Promise<void> {
    return this.events.record(involved, type, reason, message, source);
  }

  /** Deletes Events last seen more than `ttlMs` ago, as the API server's --event-ttl (1h) does. */
  expireEvents(ttlMs: number): number {
    return this.events.expire(ttlMs);
  }

  // ---- verbs with HTTP-level detail ----

  listObjects(r: ServedResource, opts: ListOptions): ListResult {
    const key = resourceKey(r);
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(key, opts.fieldSelector);
    let listRv = this.store.currentRv;
    let after: string | undefined;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      if (!this.store.isAvailable(key, token.rv)) throw expired();
      listRv = token.rv;
      after = token.start;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Number.POSITIVE_INFINITY;
    const items: KubeObject[] = [];
    let lastKey: string | undefined;
    let more = false;
    const ns = r.namespaced ? opts.namespace || undefined : undefined;
    // Later pages read at the list's resourceVersion, so the whole list is one snapshot.
    const scan = opts.continue
      ? this.store.scanAt(key, listRv, ns, after)
      : this.store.scan(key, ns, after);
    for (const [k, obj] of scan) {
      if (!labels(obj) || !fields(obj)) continue;
      if (items.length >= limit) {
        more = true;
        break;
      }
      items.push(obj);
      lastKey = k;
    }
    const out: ListResult = { items, resourceVersion: String(listRv) };
    if (more && lastKey !== undefined) {
      out.continue = encodeContinue(listRv, lastKey);
      // Only an unfiltered list knows how many remain, as the real server.
      if (!opts.labelSelector && !opts.fieldSelector)
        out.remainingItemCount = this.store.countAfter(key, ns, lastKey);
    }
    return out;
  }

  private admissionRequest(
    operation: Operation,
    r: ServedResource,
    namespace: string | undefined,
    name: string,
    object: KubeObject,
    opts: WriteOptions & { subresource?: string },
    oldObject?: KubeObject,
  ): AdmissionRequest {
    return {
      operation,
      resource: r,
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
      namespace,
      name,
      object,
      ...(oldObject ? { oldObject } : {}),
      dryRun: Boolean(opts.dryRun),
      warnings: [],
      user: opts.user ?? DEFAULT_USER,
    };
  }

  private async runAdmission(req: AdmissionRequest, phase: 'mutate' | 'validate') {
    for (const p of this.admission) {
      const fn = p[phase];
      if (fn) await fn.call(p, req, this);
    }
  }

  async createObject(
    r: ServedResource,
    namespace: string | undefined,
    body: KubeObject,
    opts: WriteOptions & {
      keepManagedFields?: boolean;
      fieldValidation?: FieldValidation;
      extraWarnings?: string[];
    } = {},
  ): Promise<WriteResult> {
    const fieldWarnings = [...(opts.extraWarnings ?? [])];
    const obj = decodeBody(r, namespace, body, opts.fieldValidation, fieldWarnings);
    const md = obj.metadata;
    const keptManagedFields = opts.keepManagedFields ? md.managedFields : undefined;
    for (const k of [
      'uid',
      'resourceVersion',
      'generation',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'managedFields',
      'selfLink',
    ] as const) {
      delete (md as Record<string, unknown>)[k];
    }
    let generated = false;
    if (!md.name && md.generateName) {
      md.name = `${md.generateName}${randomSuffix()}`;
      generated = true;
    }
    // Status is the controllers' to write; a Node registers with its status (as the kubelet does).
    if (r.subresources.includes('status') && r.kind !== 'Node') delete obj.status;
    applyDefaults(r.kind, obj, true);
    const name = md.name ?? '';
    if (r.namespaced && md.namespace && !this.store.get('namespaces', undefined, md.namespace)) {
      throw notFound('namespaces', md.namespace);
    }
    // Admission sees no name for a generateName create (as the real server's attributes), so its
    // errors name the prefix: `pods "web-5d59d67564-" is forbidden: ...`.
    const req = this.admissionRequest('CREATE', r, md.namespace, generated ? '' : name, obj, opts);
    req.warnings.push(...fieldWarnings);
    await this.runAdmission(req, 'mutate');
    // The QoS class reflects requests/limits after admission (LimitRanger may have set them).
    if (r.kind === 'Pod' && obj.status) obj.status.qosClass = qosClass(obj.spec);
    const errors = validateCreate(r, obj, generated);
    if (errors.length) throw invalid(r.kind, name, errors, r.group);
    await this.runAdmission(req, 'validate');

    const key = resourceKey(r);
    let name2 = name;
    // A generated name that collides is generated again, as the server retries (RetryGenerateName).
    for (let i = 0; generated && i < 8 && this.store.get(key, md.namespace, name2); i++) {
      name2 = `${md.generateName}${randomSuffix()}`;
      md.name = name2;
    }
    const existing = this.store.get(key, md.namespace, name2);
    if (existing) {
      if (existing.metadata.deletionTimestamp) {
        const e = alreadyExists(groupResource(r), name2, r.group, r.plural);
        throw new StatusError(
          409,
          'AlreadyExists',
          `object is being deleted: ${e.message}`,
          e.details,
        );
      }
      throw alreadyExists(groupResource(r), name2, r.group, r.plural);
    }
    const now = this.now();
    md.uid = randomUUID();
    md.creationTimestamp = rfc3339(now);
    if (r.generation) md.generation = 1;
    md.managedFields =
      keptManagedFields ?? trackUpdate(undefined, obj, managerFor(opts), rfc3339(now));
    if (!md.managedFields?.length) delete md.managedFields;
    reorderMetadata(obj);
    if (opts.dryRun) return { object: obj, warnings: req.warnings, created: true };
    return { object: this.store.put(key, obj, 'ADDED'), warnings: req.warnings, created: true };
  }

  private stored(r: ServedResource, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(resourceKey(r), r.namespaced ? namespace : undefined, name);
    if (!obj) throw notFound(groupResource(r), name, r.group, r.plural);
    return obj;
  }

  async updateObject(
    r: ServedResource,
    namespace: string | undefined,
    name: string,
    body: KubeObject,
    opts: UpdateOptions & { managedFields?: unknown[] } = {},
  ): Promise<WriteResult> {
    const existing = this.stored(r, namespace, name);
    const fieldWarnings = [...(opts.extraWarnings ?? [])];
    const obj = decodeBody(
      r,
      namespace ?? existing.metadata.namespace,
      body,
      opts.fieldValidation,
      fieldWarnings,
    );
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const wantRv = obj.metadata.resourceVersion;
    if (wantRv && wantRv !== existing.metadata.resourceVersion)
      throw conflict(groupResource(r), name, r.group, r.plural);
    if (obj.metadata.uid && obj.metadata.uid !== existing.metadata.uid) {
      throw preconditionFailed(
        r,
        name,
        `UID in precondition: ${obj.metadata.uid}, UID in object meta: ${existing.metadata.uid}`,
      );
    }
    const user = opts.user ?? DEFAULT_USER;
    const sub = opts.subresource;
    const build = (base: KubeObject): KubeObject => {
      if (sub === 'status') return { ...clone(base), status: clone(obj.status) };
      if (sub === 'finalize')
        return {
          ...clone(base),
          spec: { ...clone(base.spec), finalizers: clone(obj.spec?.finalizers ?? []) },
        };
      if (sub) throw notFound(groupResource(r), name, r.group, r.plural);
      const next = clone(obj);
      const md = next.metadata;
      for (const k of [
        'uid',
        'creationTimestamp',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
        'generation',
        'namespace',
      ] as const) {
        if (base.metadata[k] === undefined) delete md[k];
        else (md as Record<string, unknown>)[k] = base.metadata[k];
      }
      md.name = name;
      if (!md.managedFields) md.managedFields = base.metadata.managedFields;
      if (r.subresources.includes('status')) {
        if (base.status === undefined) delete next.status;
        else next.status = clone(base.status);
      }
      // A namespace's spec.finalizers change only through /finalize (or kube-system components).
      if (r.kind === 'Namespace' && !isSystemUser(user))
        next.spec = { ...next.spec, finalizers: clone(base.spec?.finalizers) };
      return next;
    };
    let next = build(existing);
    applyDefaults(r.kind, next, false);
    const req = this.admissionRequest(
      'UPDATE',
      r,
      existing.metadata.namespace,
      name,
      next,
      opts,
      clone(existing),
    );
    req.warnings.push(...fieldWarnings);
    await this.runAdmission(req, 'mutate');
    next = req.object;
    if (!sub) {
      const errors = validateUpdate(r, next, existing, isSystemUser(user));
      if (errors.length) throw invalid(r.kind, name, errors, r.group);
    }
    await this.runAdmission(req, 'validate');

    // Admission may have awaited; if the object moved meanwhile, an update
    // without a resourceVersion precondition applies to the latest version.
    const current = this.stored(r, namespace, name);
    let base = existing;
    if (current !== existing) {
      if (wantRv) throw conflict(groupResource(r), name, r.group, r.plural);
      base = current;
      if (sub === 'status') next = { ...clone(current), status: next.status };
      else if (!sub && r.subresources.includes('status')) next.status = clone(current.status);
    }
    if (r.generation && !same(specOf(next), specOf(base)))
      next.metadata.generation = (base.metadata.generation ?? 1) + 1;
    next.metadata.resourceVersion = base.metadata.resourceVersion;
    next.metadata.managedFields =
      opts.managedFields ?? trackUpdate(base, next, managerFor(opts), rfc3339(this.now()), sub);
    if (!next.metadata.managedFields?.length) delete next.metadata.managedFields;
    reorderMetadata(next);
    // A write that changes nothing is not a write: no new RV, no event (as the real server).
    // Nor is one that only moves managedFields times (the server keeps the old ones since 1.27).
    if (same(next, base) || same(withoutFieldTimes(next), withoutFieldTimes(base)))
      return { object: base, warnings: req.warnings };
    if (opts.dryRun) return { object: next, warnings: req.warnings };
    if (this.deletionComplete(next)) {
      return {
        object: this.store.remove(resourceKey(r), next),
        warnings: req.warnings,
        removed: true,
      };
    }
    return { object: this.store.put(resourceKey(r), next, 'MODIFIED'), warnings: req.warnings };
  }

  /** A deleting object goes once its finalizers are gone and no grace period is pending. */
  private deletionComplete(obj: KubeObject): boolean {
    const md = obj.metadata;
    if (!md.deletionTimestamp || (md.finalizers ?? []).length) return false;
    if (obj.kind === 'Namespace') return !(obj.spec?.finalizers ?? []).length;
    return !md.deletionGracePeriodSeconds;
  }

  async patchObject(
    r: ServedResource,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    body: unknown,
    opts: PatchOptions = {},
  ): Promise<WriteResult> {
    if (type === 'strategic' && r.custom) {
      throw new StatusError(
        415,
        'UnsupportedMediaType',
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    }
    if (opts.subresource === 'scale') {
      const scale = this.getScale(r, namespace, name);
      const patched =
        type === 'apply'
          ? { ...scale, spec: { ...scale.spec, ...(body as KubeObject).spec } }
          : applyPatch(type, scale, body);
      delete patched.metadata?.resourceVersion;
      return this.updateScale(r, namespace, name, patched, opts);
    }
    if (type === 'apply') return this.apply(r, namespace, name, body, opts);
    if (opts.force !== undefined) {
      throw new StatusError(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
        {
          group: 'meta.k8s.io',
          kind: 'PatchOptions',
          causes: [
            {
              reason: 'FieldValueForbidden',
              message: 'Forbidden: may not be specified for non-apply patch',
              field: 'force',
            },
          ],
        },
      );
    }
    const existing = this.stored(r, namespace, name);
    const patched = applyPatch(type, clone(existing), body) as KubeObject;
    if (!patched || typeof patched !== 'object')
      throw badRequest('the patch produced an invalid object');
    // The patch carries a resourceVersion precondition only if it sets one.
    const rvInPatch =
      JSON.stringify(body).includes('"resourceVersion"') &&
      patched.metadata?.resourceVersion !== existing.metadata.resourceVersion;
    if (!rvInPatch && patched.metadata) delete patched.metadata.resourceVersion;
    return this.updateObject(r, namespace, name, patched, opts);
  }

  private async apply(
    r: ServedResource,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: PatchOptions,
  ): Promise<WriteResult> {
    if (!opts.fieldManager) {
      throw new StatusError(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        {
          group: 'meta.k8s.io',
          kind: 'PatchOptions',
          causes: [
            {
              reason: 'FieldValueRequired',
              message: 'Required value: is required for apply patch',
              field: 'fieldManager',
            },
          ],
        },
      );
    }
    const config = body as KubeObject;
    if (!config || typeof config !== 'object' || Array.isArray(config))
      throw badRequest('error decoding YAML: the object provided is unrecognized');
    if (!config.apiVersion || !config.kind) {
      throw badRequest(
        `invalid object type: ${config.apiVersion ? `/${config.apiVersion}` : ''}, Kind=${config.kind ?? ''}`,
      );
    }
    config.metadata ??= {};
    if (config.metadata.managedFields !== undefined)
      throw badRequest('metadata.managedFields must be nil');
    if (config.kind !== r.kind || config.apiVersion !== apiVersionOf(r)) {
      throw badRequest(
        `the API version in the data (${config.apiVersion}) does not match the expected API version (${apiVersionOf(r)})`,
      );
    }
    if (config.metadata.name && config.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    config.metadata.name = name;
    const time = rfc3339(this.now());
    const live = this.store.get(resourceKey(r), r.namespaced ? namespace : undefined, name);
    if (!live) {
      if (opts.subresource) throw notFound(groupResource(r), name, r.group, r.plural);
      const warnings: string[] = [];
      const decoded = decodeBody(r, namespace, config, opts.fieldValidation, warnings);
      const obj = serverSideApply(undefined, decoded, {
        manager: opts.fieldManager,
        force: Boolean(opts.force),
        time,
        resource: r.plural,
      });
      return this.createObject(r, namespace, obj, {
        ...opts,
        keepManagedFields: true,
        extraWarnings: warnings,
      });
    }
    const warnings: string[] = [];
    const decoded = decodeBody(
      r,
      namespace ?? live.metadata.namespace,
      config,
      opts.fieldValidation,
      warnings,
    );
    const merged = serverSideApply(live, decoded, {
      manager: opts.fieldManager,
      force: Boolean(opts.force),
      time,
      resource: r.plural,
      withStatus: opts.subresource === 'status',
    });
    if (config.metadata.resourceVersion === undefined) delete merged.metadata.resourceVersion;
    return this.updateObject(r, namespace, name, merged, {
      ...opts,
      managedFields: merged.metadata.managedFields ?? [],
      extraWarnings: warnings,
    });
  }

  getScale(r: ServedResource, namespace: string | undefined, name: string): KubeObject {
    if (!r.subresources.includes('scale'))
      throw notFound(groupResource(r), name, r.group, r.plural);
    const obj = this.stored(r, namespace, name);
    const ml = obj.spec?.selector?.matchLabels ?? {};
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: obj.spec?.replicas ?? 0 },
      status: {
        replicas: obj.status?.replicas ?? 0,
        selector: Object.entries(ml)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      },
    };
  }

  async updateScale(
    r: ServedResource,
    namespace: string | undefined,
    name: string,
    scale: KubeObject,
    opts: WriteOptions,
  ): Promise<WriteResult> {
    const obj = clone(this.stored(r, namespace, name));
    const replicas = scale?.spec?.replicas;
    if (typeof replicas !== 'number' || replicas < 0) {
      throw invalid(
        'Scale',
        name,
        [
          {
            field: 'spec.replicas',
            message: `Invalid value: ${replicas}: must be greater than or equal to 0`,
          },
        ],
        'autoscaling',
      );
    }
    if (
      scale.metadata?.resourceVersion &&
      scale.metadata.resourceVersion !== obj.metadata.resourceVersion
    )
      throw conflict(groupResource(r), name, r.group, r.plural);
    obj.spec.replicas = replicas;
    const res = await this.updateObject(r, namespace, name, obj, {
      ...opts,
      subresource: undefined,
    });
    return { ...res, object: this.dryScale(r, res.object) };
  }

  private dryScale(r: ServedResource, obj: KubeObject): KubeObject {
    const s = this.getScale(r, obj.metadata.namespace, obj.metadata.name as string);
    s.spec.replicas = obj.spec?.replicas ?? 0;
    return s;
  }

  async deleteObject(
    r: ServedResource,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<WriteResult> {
    const key = resourceKey(r);
    const existing = this.stored(r, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== existing.metadata.uid) {
      throw preconditionFailed(
        r,
        name,
        `UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion) {
      throw preconditionFailed(
        r,
        name,
        `ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`,
      );
    }
    const req = this.admissionRequest(
      'DELETE',
      r,
      existing.metadata.namespace,
      name,
      clone(existing),
      opts,
      clone(existing),
    );
    await this.runAdmission(req, 'mutate');
    await this.runAdmission(req, 'validate');
    const warnings = req.warnings;
    const current = this.stored(r, namespace, name);
    if (opts.dryRun) return { object: current, warnings };

    const next = clone(current);
    const md = next.metadata;
    const finalizers = [...(md.finalizers ?? [])];
    const add = (f: string) => {
      if (!finalizers.includes(f)) finalizers.push(f);
    };
    if (!md.deletionTimestamp) {
      if (opts.propagationPolicy === 'Foreground') add('foregroundDeletion');
      if (opts.propagationPolicy === 'Orphan') add('orphan');
    }
    const nowDate = this.now();

    if (r.kind === 'Namespace') {
      // The namespace controller empties it, then clears spec.finalizers via /finalize.
      if (md.deletionTimestamp) return { object: current, warnings };
      md.deletionTimestamp = rfc3339(nowDate);
      md.deletionGracePeriodSeconds = 0;
      if (finalizers.length) md.finalizers = finalizers;
      next.status = { ...next.status, phase: 'Terminating' };
      if (this.deletionComplete(next))
        return { object: this.store.remove(key, next), warnings, removed: true };
      return { object: this.store.put(key, next, 'MODIFIED'), warnings };
    }

    // A pod on a node terminates gracefully: the kubelet finishes it (delete with grace 0).
    if (
      r.kind === 'Pod' &&
      current.spec?.nodeName &&
      !['Succeeded', 'Failed'].includes(current.status?.phase)
    ) {
      const grace = opts.gracePeriodSeconds ?? current.spec?.terminationGracePeriodSeconds ?? 30;
      const pending = md.deletionGracePeriodSeconds;
      if (grace > 0) {
        if (md.deletionTimestamp && pending !== undefined && pending <= grace)
          return { object: current, warnings };
        md.deletionTimestamp = rfc3339(new Date(nowDate.getTime() + grace * 1000));
        md.deletionGracePeriodSeconds = grace;
        if (finalizers.length) md.finalizers = finalizers;
        return { object: this.store.put(key, next, 'MODIFIED'), warnings };
      }
      md.deletionGracePeriodSeconds = 0;
    }

    if (finalizers.length) {
      if (
        md.deletionTimestamp &&
        same(finalizers, current.metadata.finalizers) &&
        !md.deletionGracePeriodSeconds
      ) {
        return { object: current, warnings };
      }
      md.deletionTimestamp ??= rfc3339(nowDate);
      md.deletionGracePeriodSeconds = 0;
      md.finalizers = finalizers;
      return { object: this.store.put(key, next, 'MODIFIED'), warnings };
    }
    return { object: this.store.remove(key, next), warnings, removed: true };
  }

  /** DELETE on a collection: each matching object, as the server's deletecollection. */
  async deleteCollection(
    r: ServedResource,
    opts: ListOptions & DeleteOptions,
  ): Promise<KubeObject[]> {
    const { items } = this.listObjects(r, { ...opts, limit: undefined, continue: undefined });
    const out: KubeObject[] = [];
    for (const obj of items) {
      try {
        out.push(
          (await this.deleteObject(r, obj.metadata.namespace, obj.metadata.name as string, opts))
            .object,
        );
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
    return out;
  }
}

function preconditionFailed(r: ServedResource, name: string, what: string) {
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${groupResource(r)} "${name}": Precondition failed: ${what}`,
    {
      name,
      group: r.group,
      kind: r.plural,
    },
  );
}

/** Keeps metadata keys in the server's usual order (name first), so diffs and kubectl output read naturally. */
function reorderMetadata(obj: KubeObject) {
  const order = [
    'name',
    'generateName',
    'namespace',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'labels',
    'annotations',
    'ownerReferences',
    'finalizers',
    'managedFields',
  ];
  const md = obj.metadata as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of order) if (md[k] !== undefined) out[k] = md[k];
  for (const [k, v] of Object.entries(md)) if (!(k in out) && v !== undefined) out[k] = v;
  obj.metadata = out;
}
