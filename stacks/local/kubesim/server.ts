// The HTTP face of kubesim: the kube-apiserver's REST paths, query
// parameters, status codes, headers and watch streams, translated onto
// ApiServer. Always answers JSON (clients that ask for protobuf accept JSON
// as the fallback they list), and a Table when kubectl asks for one.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import type { ApiServer, WriteResult } from './apiserver.js';
import {
  apiGroup,
  coreVersions,
  groupList,
  openapiV3Doc,
  openapiV3Index,
  resourceList,
  versionInfo,
} from './discovery.js';
import { badRequest, notFound, StatusError } from './errors.js';
import type { Fault, Faults, RequestCounter, RequestInfo, Verb } from './faults.js';
import type { FieldValidation } from './fields.js';
import { PATCH_CONTENT_TYPES } from './patch.js';
import { findResource, groupResource, resourceKey, type ServedResource } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { type IncludeObject, toTable, wantsTable } from './table.js';
import type { DeleteOptions, KubeObject } from './types.js';

export interface HttpServerOptions {
  api: ApiServer;
  token: string;
  faults: Faults;
  requests: RequestCounter;
  /** How often watches with allowWatchBookmarks get a BOOKMARK (real servers: about a minute). */
  bookmarkIntervalMs?: number;
  /** TLS identity (HTTPS only: kubectl sends no bearer token over plain HTTP). */
  tls: { certPem: string; keyPem: string };
}

/** The user every authenticated HTTP request acts as (kind's admin user name). */
const HTTP_USER = 'kubernetes-admin';

interface Route {
  resource: ServedResource;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

function parseResourcePath(segments: string[]): Route | undefined {
  let group = '';
  let version: string;
  let rest: string[];
  if (segments[0] === 'api') {
    version = segments[1] ?? '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis') {
    group = segments[1] ?? '';
    version = segments[2] ?? '';
    rest = segments.slice(3);
  } else return undefined;
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const candidate = findResource(group, version, rest[2] as string);
    if (candidate?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const resource = findResource(group, version, rest[0] ?? '');
  if (!resource || rest.length > 3) return undefined;
  return { resource, namespace, name: rest[1], subresource: rest[2], watchPath };
}

/**
 * Stored objects are immutable once written (store.ts), so each one's JSON
 * is computed once and reused by every list, get and watch that sends it —
 * the reconciler's periodic full lists then cost little more than a copy.
 */
const jsonCache = new WeakMap<object, Buffer>();
export function objectJson(obj: object): Buffer {
  let bytes = jsonCache.get(obj);
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(obj));
    jsonCache.set(obj, bytes);
  }
  return bytes;
}

const COMMA = Buffer.from(',');

/** A List body from cached item JSON. */
/**
 * A built-in kind's list items carry no apiVersion/kind on the wire (only
 * custom resources' do): code that reads `items[i].kind` breaks on a real
 * cluster, so it breaks here too.
 */
const itemCache = new WeakMap<object, Buffer>();
function listItemJson(obj: object): Buffer {
  let bytes = itemCache.get(obj);
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify({ ...obj, apiVersion: undefined, kind: undefined }));
    itemCache.set(obj, bytes);
  }
  return bytes;
}

function listJson(
  kind: string,
  apiVersion: string,
  metadata: object,
  items: object[],
  withTypeMeta: boolean,
): Buffer {
  const parts: Buffer[] = [
    Buffer.from(
      `{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(metadata)},"items":[`,
    ),
  ];
  items.forEach((item, i) => {
    if (i) parts.push(COMMA);
    parts.push(withTypeMeta ? objectJson(item) : listItemJson(item));
  });
  parts.push(Buffer.from(']}'));
  return Buffer.concat(parts);
}

/** Pre-serialized JSON, passed through `send` untouched. */
class RawJson {
  constructor(readonly bytes: Buffer) {}
}

function send(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
) {
  const text = body instanceof RawJson ? body.bytes : JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Audit-Id': randomUUID(),
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendStatusError(
  res: ServerResponse,
  e: StatusError,
  headers: Record<string, string> = {},
) {
  send(res, e.code, e.toStatus(), headers);
}

const warningHeaders = (warnings: string[]): Record<string, string[]> =>
  warnings.length ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`json: ${(e as Error).message}`);
  }
}

const boolParam = (v: string | null) => v === 'true' || v === '1';

function verbOf(method: string, route: Route, query: URLSearchParams): Verb {
  switch (method) {
    case 'GET':
      if (route.watchPath || boolParam(query.get('watch'))) return 'watch';
      return route.name ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route.name ? 'delete' : 'deletecollection';
    default:
      throw new StatusError(
        405,
        'MethodNotAllowed',
        `the server does not allow this method on the requested resource`,
      );
  }
}

export class KubeHttpServer {
  private server?: Server;
  private readonly watchers = new Set<() => void>();
  private readonly opts: HttpServerOptions;

  constructor(opts: HttpServerOptions) {
    this.opts = opts;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer(
      { key: this.opts.tls.keyPem, cert: this.opts.tls.certPem },
      (req, res) => {
        this.handle(req, res).catch((e) => {
          if (res.headersSent) {
            res.destroy();
            return;
          }
          const retryAfter = retryAfterOf(e);
          if (e instanceof StatusError)
            sendStatusError(
              res,
              e,
              retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {},
            );
          else
            sendStatusError(
              res,
              new StatusError(
                500,
                'InternalError',
                `Internal error occurred: ${(e as Error)?.message ?? e}`,
              ),
            );
        });
      },
    );
    server.keepAliveTimeout = 60_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    // The certificate names 127.0.0.1 and localhost: a wildcard bind is reached through loopback.
    const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    return `https://${reachable}:${addr.port}`;
  }

  async close() {
    for (const stop of [...this.watchers]) stop();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://kubesim');
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${this.opts.token}`) {
      sendStatusError(res, new StatusError(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const ctype = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    if (ctype.includes('protobuf')) {
      throw new StatusError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
      );
    }
    const segments = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    if (req.method === 'GET' && this.serveDiscovery(segments, res)) return;
    const route = parseResourcePath(segments);
    if (!route)
      throw new StatusError(
        404,
        'NotFound',
        'the server could not find the requested resource',
        {},
      );
    const query = url.searchParams;
    const verb = verbOf(req.method ?? 'GET', route, query);
    const info: RequestInfo = {
      verb,
      resource: route.subresource
        ? `${route.resource.plural}/${route.subresource}`
        : route.resource.plural,
      ...(route.namespace ? { namespace: route.namespace } : {}),
    };
    this.opts.requests.record(info);
    const fault = this.opts.faults.take(info);
    if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault?.status) {
      await readBody(req);
      throw faultError(fault.status, fault.retryAfterSeconds, route, verb);
    }
    await this.serveResource(req, res, route, verb, query, fault);
  }

  private serveDiscovery(segments: string[], res: ServerResponse): boolean {
    const path = segments.join('/');
    let body: unknown;
    if (path === 'version') body = versionInfo();
    else if (path === 'api') body = coreVersions();
    else if (path === 'apis') body = groupList();
    else if (path === 'api/v1') body = resourceList('', 'v1');
    else if (segments[0] === 'apis' && segments.length === 2)
      body = apiGroup(segments[1] as string);
    else if (segments[0] === 'apis' && segments.length === 3)
      body = resourceList(segments[1] as string, segments[2] as string);
    else if (path === 'healthz' || path === 'readyz' || path === 'livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return true;
    } else if (path === 'openapi/v3') body = openapiV3Index();
    else if (segments[0] === 'openapi' && segments[1] === 'v3') {
      const [, , root, ...gv] = segments;
      body =
        root === 'api' ? openapiV3Doc('', gv[0] ?? '') : openapiV3Doc(gv[0] ?? '', gv[1] ?? '');
    } else if (segments[0] === 'openapi') {
      // No OpenAPI v2 document (see README): kubectl reads v3 above first.
      sendStatusError(
        res,
        new StatusError(404, 'NotFound', 'the server could not find the requested resource', {}),
      );
      return true;
    } else return false;
    if (body === undefined) {
      sendStatusError(
        res,
        new StatusError(404, 'NotFound', 'the server could not find the requested resource', {}),
      );
      return true;
    }
    send(res, 200, body);
    return true;
  }

  private async serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    verb: Verb,
    query: URLSearchParams,
    fault?: Fault,
  ) {
    const { api } = this.opts;
    const r = route.resource;
    const ns = r.namespaced ? route.namespace : undefined;
    const dryRun = query.getAll('dryRun').includes('All');
    const fieldManager = query.get('fieldManager') ?? userAgentManager(req);
    const table = wantsTable(req.headers.accept);
    const include = includeObject(query);
    const now = api.now();
    const fv = query.get('fieldValidation');
    const fieldValidation: FieldValidation = fv === 'Strict' || fv === 'Ignore' ? fv : 'Warn';
    const writeOpts = { dryRun, fieldManager, user: HTTP_USER, fieldValidation };

    const sendWrite = (result: WriteResult, code: number) => {
      send(res, code, result.object, warningHeaders(result.warnings));
    };

    switch (verb) {
      case 'get': {
        const name = route.name as string;
        if (route.subresource === 'scale') return send(res, 200, api.getScale(r, ns, name));
        if (route.subresource === 'log' && r.kind === 'Pod')
          return podLog(res, api, ns, name, query);
        if (route.subresource && route.subresource !== 'status')
          throw notFound(groupResource(r), name, r.group, r.plural);
        const obj = api.store.get(resourceKey(r), ns, name);
        if (!obj) throw notFound(groupResource(r), name, r.group, r.plural);
        return send(
          res,
          200,
          table
            ? toTable(
                r.kind,
                [obj],
                now,
                { resourceVersion: obj.metadata.resourceVersion },
                true,
                include,
              )
            : new RawJson(objectJson(obj)),
        );
      }
      case 'list': {
        const limit = Number(query.get('limit') ?? 0) || undefined;
        const result = api.listObjects(r, {
          namespace: ns,
          labelSelector: query.get('labelSelector') ?? undefined,
          fieldSelector: query.get('fieldSelector') ?? undefined,
          limit,
          continue: query.get('continue') ?? undefined,
        });
        const metadata = {
          resourceVersion: result.resourceVersion,
          ...(result.continue ? { continue: result.continue } : {}),
          ...(result.remainingItemCount !== undefined
            ? { remainingItemCount: result.remainingItemCount }
            : {}),
        };
        if (table)
          return send(res, 200, toTable(r.kind, result.items, now, metadata, true, include));
        const listKind = `${r.kind}List`;
        const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
        return send(
          res,
          200,
          new RawJson(listJson(listKind, apiVersion, metadata, result.items, Boolean(r.custom))),
        );
      }
      case 'watch':
        return this.watch(req, res, r, ns, query, table, fault, route.name);
      case 'create': {
        const body = parseJson(await readBody(req)) as KubeObject;
        if (route.name && route.subresource === 'binding' && r.kind === 'Pod') {
          return sendWrite(await this.bind(ns, route.name, body), 201);
        }
        if (route.name)
          throw new StatusError(
            405,
            'MethodNotAllowed',
            'the server does not allow this method on the requested resource',
          );
        return sendWrite(await api.createObject(r, ns, body, writeOpts), 201);
      }
      case 'update': {
        const body = parseJson(await readBody(req)) as KubeObject;
        const name = route.name as string;
        if (route.subresource === 'scale')
          return sendWrite(await api.updateScale(r, ns, name, body, writeOpts), 200);
        return sendWrite(
          await api.updateObject(r, ns, name, body, {
            ...writeOpts,
            subresource: route.subresource,
          }),
          200,
        );
      }
      case 'patch': {
        const type =
          PATCH_CONTENT_TYPES[(req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? ''];
        if (!type) {
          throw new StatusError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
          );
        }
        const text = await readBody(req);
        let body: unknown;
        if (type === 'apply') {
          try {
            body = parseYaml(text);
          } catch (e) {
            throw badRequest(`error decoding YAML: ${(e as Error).message}`);
          }
        } else body = parseJson(text);
        const existed = api.store.get(resourceKey(r), ns, route.name as string) !== undefined;
        const result = await api.patchObject(r, ns, route.name as string, type, body, {
          ...writeOpts,
          fieldManager: query.get('fieldManager') ?? (type === 'apply' ? undefined : fieldManager),
          force: query.has('force') ? boolParam(query.get('force')) : undefined,
          subresource: route.subresource,
        });
        return sendWrite(result, !existed && type === 'apply' ? 201 : 200);
      }
      case 'delete':
      case 'deletecollection': {
        const text = await readBody(req);
        const body = (text.trim() ? parseJson(text) : {}) as Record<string, unknown>;
        const opts: DeleteOptions = { ...writeOpts };
        const grace = query.get('gracePeriodSeconds') ?? body.gracePeriodSeconds;
        if (grace !== undefined && grace !== null) opts.gracePeriodSeconds = Number(grace);
        const policy = query.get('propagationPolicy') ?? body.propagationPolicy;
        if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
        if (body.orphanDependents === true || query.get('orphanDependents') === 'true')
          opts.propagationPolicy ??= 'Orphan';
        if (body.preconditions)
          opts.preconditions = body.preconditions as DeleteOptions['preconditions'];
        if (Array.isArray(body.dryRun) && body.dryRun.includes('All')) opts.dryRun = true;
        if (verb === 'deletecollection') {
          const items = await api.deleteCollection(r, {
            ...opts,
            namespace: ns,
            labelSelector: query.get('labelSelector') ?? undefined,
            fieldSelector: query.get('fieldSelector') ?? undefined,
          });
          const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
          return send(
            res,
            200,
            new RawJson(listJson(`${r.kind}List`, apiVersion, {}, items, Boolean(r.custom))),
          );
        }
        const result = await api.deleteObject(r, ns, route.name as string, opts);
        return sendWrite(result, result.removed || opts.dryRun ? 200 : 202);
      }
    }
  }

  /** POST pods/<name>/binding: what the scheduler does to set spec.nodeName. */
  private async bind(
    namespace: string | undefined,
    name: string,
    binding: KubeObject,
  ): Promise<WriteResult> {
    const { api } = this.opts;
    const r = api.resourceType('pods');
    const pod = api.store.get('pods', namespace, name);
    if (!pod) throw notFound('pods', name);
    if (pod.spec?.nodeName) {
      throw new StatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${pod.spec.nodeName}"`,
        { name, kind: 'pods/binding' },
      );
    }
    const next = structuredClone(pod);
    next.spec.nodeName = binding.target?.name;
    await api.updateObject(r, namespace, name, next, { user: 'system:kube-scheduler' });
    return {
      object: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        code: 201,
      } as unknown as KubeObject,
      warnings: [],
    };
  }

  private watch(
    req: IncomingMessage,
    res: ServerResponse,
    r: ServedResource,
    ns: string | undefined,
    query: URLSearchParams,
    table: boolean,
    fault: Fault | undefined,
    name?: string,
  ) {
    const { api } = this.opts;
    const store = api.store;
    const key = resourceKey(r);
    const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
    const fieldSel = [query.get('fieldSelector'), name ? `metadata.name=${name}` : undefined]
      .filter(Boolean)
      .join(',');
    const fields = parseFieldSelector(key, fieldSel || undefined);
    const inScope = (o: KubeObject) =>
      (ns === undefined || o.metadata.namespace === ns) && labels(o) && fields(o);
    const rvParam = query.get('resourceVersion');
    let headersShown = false;

    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
      'Audit-Id': randomUUID(),
    });
    res.flushHeaders();
    const write = (type: string, object: unknown) => {
      let obj = object;
      if (table && type !== 'ERROR' && type !== 'BOOKMARK') {
        // kubectl prints headers from the first Table it receives; later ones carry rows only.
        obj = toTable(
          r.kind,
          [object as KubeObject],
          api.now(),
          {},
          !headersShown,
          includeObject(query),
        );
        headersShown = true;
      }
      const objText =
        obj === object && type !== 'ERROR' && type !== 'BOOKMARK'
          ? objectJson(object as object)
          : JSON.stringify(obj);
      res.write(
        Buffer.concat([
          Buffer.from(`{"type":"${type}","object":`),
          Buffer.from(objText),
          Buffer.from('}\n'),
        ]),
      );
    };

    let startRv: number;
    const pending: Array<() => void> = [];
    if (!rvParam || rvParam === '0') {
      for (const [, obj] of store.scan(key, ns))
        if (inScope(obj)) pending.push(() => write('ADDED', obj));
      startRv = store.currentRv;
    } else {
      startRv = Number(rvParam);
      const events = Number.isFinite(startRv) ? store.eventsSince(key, startRv) : undefined;
      if (!events) {
        const status = new StatusError(
          410,
          'Expired',
          `too old resource version: ${rvParam} (${store.oldestRv(key)})`,
        ).toStatus();
        write('ERROR', status);
        res.end();
        return;
      }
      for (const e of events)
        pending.push(() => this.deliver(e.type, e.object, e.prev, inScope, write));
    }
    // Subscribe before anything else can run, so no event falls between replay and live.
    const unsubscribe = store.subscribe(key, (ev, rv, prev) => {
      if (rv > startRv) this.deliver(ev.type, ev.object, prev, inScope, write);
    });
    for (const p of pending) p();

    const timers: NodeJS.Timeout[] = [];
    const stop = () => {
      unsubscribe();
      for (const t of timers) clearTimeout(t); // also clears intervals
      this.watchers.delete(stop);
      if (!res.writableEnded && !res.destroyed) res.end();
    };
    this.watchers.add(stop);
    req.on('close', stop);
    res.on('close', stop);
    const timeout = Number(query.get('timeoutSeconds') ?? 0);
    if (timeout > 0) timers.push(setTimeout(stop, timeout * 1000));
    if (boolParam(query.get('allowWatchBookmarks'))) {
      timers.push(
        setInterval(() => {
          write('BOOKMARK', {
            kind: r.kind,
            apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
            metadata: { resourceVersion: String(store.currentRv) },
          });
        }, this.opts.bookmarkIntervalMs ?? 60_000),
      );
    }
    if (fault?.dropWatchAfterMs !== undefined) {
      // A dropped connection: the socket is reset mid-stream, no clean end.
      timers.push(setTimeout(() => res.destroy(), fault.dropWatchAfterMs));
    }
    if (fault?.endWatchAfterMs !== undefined) {
      // The server ends the stream cleanly, as when its watch timeout expires.
      timers.push(setTimeout(stop, fault.endWatchAfterMs));
    }
  }

  /** Filtered watches see an object leave the selection as DELETED and enter it as ADDED, as the watch cache does. */
  private deliver(
    type: string,
    obj: KubeObject,
    prev: KubeObject | undefined,
    inScope: (o: KubeObject) => boolean,
    write: (t: string, o: unknown) => void,
  ) {
    const now = inScope(obj);
    const before = prev ? inScope(prev) : false;
    if (type === 'MODIFIED') {
      if (now && before) write('MODIFIED', obj);
      else if (now) write('ADDED', obj);
      else if (before) write('DELETED', obj);
    } else if (type === 'DELETED') {
      if (now || before) write('DELETED', obj);
    } else if (now) write(type, obj);
  }
}

/**
 * pods/<name>/log: there are no real containers, so a running container's
 * log is one line saying what it runs; a waiting one answers the server's 400.
 */
function podLog(
  res: ServerResponse,
  api: ApiServer,
  ns: string | undefined,
  name: string,
  query: URLSearchParams,
) {
  const pod = api.store.get('pods', ns, name);
  if (!pod) throw notFound('pods', name);
  const containers: Array<{ name: string; image: string }> = pod.spec?.containers ?? [];
  const wanted =
    query.get('container') ?? (containers.length === 1 ? containers[0]?.name : undefined);
  if (!wanted) {
    throw badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`,
    );
  }
  const container = containers.find((c) => c.name === wanted);
  if (!container) throw badRequest(`container ${wanted} is not valid for pod ${name}`);
  const status = (pod.status?.containerStatuses ?? []).find(
    (c: { name: string }) => c.name === wanted,
  );
  const started = status?.state?.running?.startedAt ?? status?.state?.terminated?.startedAt;
  if (!started) {
    const reason = status?.state?.waiting?.reason ?? 'ContainerCreating';
    throw badRequest(`container "${wanted}" in pod "${name}" is waiting to start: ${reason}`);
  }
  const text = `${started} kubesim: simulated container ${wanted} running ${container.image} (no real process, no output)\n`;
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const includeObject = (query: URLSearchParams): IncludeObject => {
  const v = query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'PartialObjectMetadata';
};

/** Real servers name the manager after the client's User-Agent (`kubectl-client-side-apply`, …). */
function userAgentManager(req: IncomingMessage): string {
  const ua = req.headers['user-agent'] ?? '';
  const head = ua.split('/')[0]?.trim();
  return head || 'unknown';
}

function faultError(
  status: number,
  retryAfter: number | undefined,
  route: Route,
  verb: Verb,
): StatusError {
  const retry = retryAfter ?? (status === 429 ? 1 : undefined);
  const details = retry !== undefined ? { retryAfterSeconds: retry } : {};
  switch (status) {
    case 429:
      return withRetryAfter(
        new StatusError(
          429,
          'TooManyRequests',
          'Too many requests, please try again later.',
          details,
        ),
        retry,
      );
    case 500:
      return new StatusError(
        500,
        'InternalError',
        'Internal error occurred: injected fault',
        details,
      );
    case 503:
      return withRetryAfter(
        new StatusError(
          503,
          'ServiceUnavailable',
          'The server is currently unable to handle the request',
          details,
        ),
        retry,
      );
    case 504:
      return new StatusError(
        504,
        'Timeout',
        `The ${verb} operation against ${route.resource.plural} could not be completed at this time, please try again.`,
        details,
      );
    default:
      return new StatusError(status, 'InternalError', `injected fault ${status}`, details);
  }
}

/** A StatusError carrying a Retry-After header for the HTTP edge. */
function withRetryAfter(e: StatusError, seconds: number | undefined) {
  if (seconds !== undefined) (e as StatusError & { retryAfter?: number }).retryAfter = seconds;
  return e;
}

export function retryAfterOf(e: unknown): number | undefined {
  return (e as { retryAfter?: number })?.retryAfter;
}
