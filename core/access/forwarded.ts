// The original request behind a forward-auth check, read strictly from what
// the proxy says. Two forms:
// - subrequest (nginx auth_request, ingress-nginx, Traefik): GET /auth/verify
//   with X-Forwarded-Host / X-Forwarded-Uri / X-Forwarded-Method, or
//   ingress-nginx's X-Original-URL / X-Original-Method;
// - path prefix (Envoy's ext_authz HTTP service, as Envoy Gateway configures
//   it): the original method and path appended to /auth/verify, the original
//   Host kept.
// Explicit X-Forwarded-* win over the other sources. The host must be exactly
// `<environment id>.<environments domain>` (the port optional, and the
// domain's port when it names one): anything else is refused before any
// credential is looked at.

import { ENVIRONMENT_ID } from '../environment/naming.js';

export type ProxyForm = 'subrequest' | 'path-prefix';

export interface OriginalRequest {
  envId: string;
  /** The original path, always starting with '/'. */
  path: string;
  /** The original query string without '?', '' when none. */
  query: string;
  method: string;
  /** http unless the proxy says https (cookies get Secure on https). */
  proto: 'http' | 'https';
  /** A websocket handshake (Upgrade: websocket): a GET like any other, answered the same. */
  upgrade: boolean;
  form: ProxyForm;
}

export type ForwardedResult =
  | { ok: true; request: OriginalRequest }
  | { ok: false; status: 400 | 403; reason: string };

export interface ForwardedInput {
  /** The path the API received (/auth/verify or /auth/verify/<original path>). */
  path: string;
  /** The query string the API received, without '?'. */
  query: string;
  method: string;
  header: (name: string) => string | undefined;
}

const METHOD = /^[A-Z]{1,16}$/;
// A request-target path: printable ASCII, no spaces, no fragments.
const PATH = /^\/[\x21-\x7e]*$/;
const MAX_URI = 8192;

export const VERIFY_PATH = '/auth/verify';

/** The environments domain split once: its host part and its port (if it names one). */
export interface EnvironmentsDomain {
  host: string;
  port: string | undefined;
}

export function environmentsDomain(domain: string): EnvironmentsDomain {
  const m = /^(.*?)(?::(\d+))?$/.exec(domain.toLowerCase())!;
  return { host: m[1]!, port: m[2] };
}

/** The environment id a host names, or undefined when it is not exactly an environment host. */
export function environmentOfHost(host: string, domain: EnvironmentsDomain): string | undefined {
  if (host.length > 300) return undefined;
  const m = /^([a-z0-9]+)\.([a-z0-9.-]+?)\.?(?::(\d{1,5}))?$/.exec(host.toLowerCase());
  if (!m) return undefined;
  const [, label, rest, port] = m;
  if (rest !== domain.host) return undefined;
  if (domain.port !== undefined && port !== undefined && port !== domain.port) return undefined;
  return ENVIRONMENT_ID.test(label!) ? label : undefined;
}

export function parseForwarded(input: ForwardedInput, domain: EnvironmentsDomain): ForwardedResult {
  const h = (name: string) => {
    const v = input.header(name);
    return v === undefined ? undefined : v.trim();
  };
  const prefixed = input.path.startsWith(`${VERIFY_PATH}/`);
  const originalUrl = h('x-original-url');
  let fromOriginal: URL | undefined;
  if (originalUrl !== undefined) {
    if (originalUrl.length > MAX_URI || !URL.canParse(originalUrl))
      return { ok: false, status: 400, reason: 'X-Original-URL is not a URL' };
    fromOriginal = new URL(originalUrl);
  }

  // The host: explicit X-Forwarded-Host, else X-Original-URL's, else (Envoy) the Host itself.
  const forwardedHost = h('x-forwarded-host');
  const host =
    forwardedHost !== undefined
      ? forwardedHost
      : fromOriginal
        ? fromOriginal.host
        : prefixed
          ? h('host')
          : undefined;
  if (!host) return { ok: false, status: 400, reason: 'the original host is missing' };
  if (host.includes(',')) return { ok: false, status: 400, reason: 'more than one original host' };
  const envId = environmentOfHost(host, domain);
  if (!envId) return { ok: false, status: 403, reason: 'not an environment host' };
  // ingress-nginx sets X-Original-URL from the real Host but passes the client's
  // own headers through, X-Forwarded-Host included: a client could name another
  // environment (one its cookie is valid for) there. Both must name the same one.
  if (
    forwardedHost !== undefined &&
    fromOriginal &&
    environmentOfHost(fromOriginal.host, domain) !== envId
  )
    return { ok: false, status: 400, reason: 'X-Forwarded-Host and X-Original-URL disagree' };

  // The URI: explicit X-Forwarded-Uri, else X-Original-URL's, else (Envoy) the rest of our path.
  let uri: string | undefined = h('x-forwarded-uri');
  if (uri === undefined && fromOriginal) uri = `${fromOriginal.pathname}${fromOriginal.search}`;
  if (uri === undefined && prefixed) {
    const rest = input.path.slice(VERIFY_PATH.length);
    uri = input.query ? `${rest}?${input.query}` : rest;
  }
  if (uri === undefined) uri = '/';
  if (uri.length > MAX_URI)
    return { ok: false, status: 400, reason: 'the original URI is too long' };
  const q = uri.indexOf('?');
  const path = q === -1 ? uri : uri.slice(0, q);
  const query = q === -1 ? '' : uri.slice(q + 1);
  if (!PATH.test(path) || /[\s#]/.test(query))
    return { ok: false, status: 400, reason: 'the original URI is not a path' };

  // The method: explicit, else ingress-nginx's, else (Envoy) the method of this check itself.
  const method = (
    h('x-forwarded-method') ??
    h('x-original-method') ??
    (prefixed ? input.method : 'GET')
  ).toUpperCase();
  if (!METHOD.test(method)) return { ok: false, status: 400, reason: 'the original method' };

  const protoHeader = (h('x-forwarded-proto') ?? fromOriginal?.protocol.replace(/:$/, '') ?? '')
    .split(',')[0]!
    .trim()
    .toLowerCase();
  const proto = protoHeader === 'https' ? 'https' : 'http';
  const upgrade = (h('upgrade') ?? '').toLowerCase() === 'websocket';

  return {
    ok: true,
    request: {
      envId,
      path,
      query,
      method,
      proto,
      upgrade,
      form:
        prefixed && h('x-forwarded-uri') === undefined && !fromOriginal
          ? 'path-prefix'
          : 'subrequest',
    },
  };
}

/** One query parameter of the original request (the one-time code), or undefined. */
export function queryParam(query: string, name: string): string | undefined {
  if (!query) return undefined;
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if ((eq === -1 ? part : part.slice(0, eq)) !== name) continue;
    try {
      return decodeURIComponent(eq === -1 ? '' : part.slice(eq + 1));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
