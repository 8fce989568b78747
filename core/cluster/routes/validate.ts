// Strict checks for every value that reaches a route object. Proxies turn
// route fields into their own configuration (ingress-nginx renders
// annotations into nginx.conf; CVE-2025-24514 was injection through
// `auth-url`), so values are matched against allow-lists — never escaped —
// and nothing with whitespace, quotes, `;`, `{}`, `#`, `$`, `\` or newlines
// passes. A leaf module: config.ts validates with it at load.

export interface ObjectRef {
  namespace: string;
  name: string;
}

/** The extAuth backend of Envoy Gateway: a Service or an Envoy Gateway `Backend` that reaches the API. */
export interface AuthBackendRef extends ObjectRef {
  kind: 'Service' | 'Backend';
  port: number;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const isDnsLabel = (s: string): boolean => DNS_LABEL.test(s);

/** A lowercase DNS name (labels of a-z0-9 and '-'), no port, no trailing dot. */
export function isDnsName(s: string): boolean {
  return s.length > 0 && s.length <= 253 && s.split('.').every(isDnsLabel);
}

/** The longest environment id: 'e' + 16 base32 characters (naming.ts). */
const ENV_ID_LENGTH = 17;

/** An environments domain (no port): `<envId>.<domain>` must still be a DNS name (≤ 253). */
export const isEnvironmentsDomain = (s: string): boolean =>
  isDnsName(s) &&
  s.length <= 253 - ENV_ID_LENGTH - 1 &&
  // An all-numeric last label makes URL parsers read the host as an IPv4 address.
  !/^\d+$/.test(s.split('.').at(-1)!);

const SAFE_BASE_URL = /^https?:\/\/([a-z0-9.-]+)(:\d{1,5})?(\/[A-Za-z0-9._~/-]*)?$/;

/**
 * A base URL safe in an annotation: http(s), a lowercase DNS or IPv4 host,
 * an optional (non-default) port and a plain path; no query, fragment or
 * userinfo, no trailing slash.
 */
export function isSafeBaseUrl(s: string): boolean {
  const m = SAFE_BASE_URL.exec(s);
  if (!m || !isDnsName(m[1]!) || s.endsWith('/')) return false;
  // It must parse back to itself: nothing a URL parser would drop, decode or normalise.
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return false;
  }
  return `${url.origin}${url.pathname === '/' ? '' : url.pathname}` === s;
}

/** `<namespace>/<name>`, both DNS labels. */
export function parseObjectRef(value: string): ObjectRef | undefined {
  const m = /^([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(value);
  if (!m || !isDnsLabel(m[1]!) || !isDnsLabel(m[2]!)) return undefined;
  return { namespace: m[1]!, name: m[2]! };
}

/** `<Service|Backend>/<namespace>/<name>:<port>`. */
export function parseAuthBackend(value: string): AuthBackendRef | undefined {
  const m = /^(Service|Backend)\/([a-z0-9-]+)\/([a-z0-9-]+):(\d{1,5})$/.exec(value);
  const port = Number(m?.[4]);
  if (!m || !isDnsLabel(m[2]!) || !isDnsLabel(m[3]!) || port < 1 || port > 65535) return undefined;
  return { kind: m[1] as AuthBackendRef['kind'], namespace: m[2]!, name: m[3]!, port };
}
