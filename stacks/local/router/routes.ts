// The local router's table: which environment host goes to which simulated
// pod page, read from the route objects Lablease wrote into kubesim (an
// HTTPRoute's first hostname and backendRef, or an Ingress's first rule) and
// kubesim's `serviceEndpoint`. Route objects are input the router did not
// write, and their values end up in nginx configuration: every field is
// matched against an allow-list here, and an object that fails is skipped,
// never escaped into the config.
import { ENVIRONMENT_ID } from '../../../core/environment/naming.js';

/** One routed environment; every field already validated. */
export interface EnvironmentRoute {
  envId: string;
  /** `<envId>.<domain>` without a port: what the Host header names (its port aside). */
  host: string;
  /** The simulated pod's page, or undefined when the environment is stopped or not ready. */
  upstream: Upstream | undefined;
}

/** A loopback address: the only upstreams the local router proxies to. */
export interface Upstream {
  host: '127.0.0.1';
  port: number;
}

/** What the router reads of the cluster: kubesim's in-process API and simulation handle. */
export interface RouteSource {
  list(resource: string, opts?: { labelSelector?: string }): { items: RouteObject[] };
  serviceEndpoint(namespace: string, service: string): string | undefined;
}

type RouteObject = {
  metadata: { namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: route objects are schemaless JSON, checked field by field
  spec?: any;
};

export const ENV_ID = ENVIRONMENT_ID;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LOOPBACK_URL = /^http:\/\/127\.0\.0\.1:(\d{1,5})\/?$/;
const MANAGED = 'app.kubernetes.io/managed-by=lablease';
export const ROUTE_RESOURCES = [
  'httproutes.gateway.networking.k8s.io',
  'ingresses.networking.k8s.io',
];

/** A lowercase DNS name, no port: the environments domain as hosts carry it. */
export function isDnsName(s: string): boolean {
  return s.length > 0 && s.length <= 253 && s.split('.').every((l) => DNS_LABEL.test(l));
}

/** The environments domain without its port (`env.localhost:8780` → `env.localhost`); throws if not a DNS name. */
export function domainHost(environmentsDomain: string): string {
  const host = environmentsDomain.replace(/:\d{1,5}$/, '');
  if (!isDnsName(host)) throw new Error(`not an environments domain: ${JSON.stringify(host)}`);
  return host;
}

/** The environment id a Host header names under `domain`, or undefined. */
export function envIdOfHost(hostHeader: string, domain: string): string | undefined {
  const host = hostHeader.toLowerCase().replace(/:\d{1,5}$/, '');
  if (!host.endsWith(`.${domain}`)) return undefined;
  const id = host.slice(0, -domain.length - 1);
  return ENV_ID.test(id) ? id : undefined;
}

export function parseUpstream(url: string | undefined): Upstream | undefined {
  const m = url === undefined ? null : LOOPBACK_URL.exec(url);
  const port = Number(m?.[1]);
  return m && port >= 1 && port <= 65535 ? { host: '127.0.0.1', port } : undefined;
}

/** The host and backend Service an HTTPRoute or Ingress names, unvalidated. */
function target(obj: RouteObject): { host: unknown; service: unknown } {
  const spec = obj.spec ?? {};
  if (Array.isArray(spec.hostnames)) {
    return { host: spec.hostnames[0], service: spec.rules?.[0]?.backendRefs?.[0]?.name };
  }
  const rule = spec.rules?.[0];
  return { host: rule?.host, service: rule?.http?.paths?.[0]?.backend?.service?.name };
}

/** One route per valid environment host (the first object wins), sorted by host. */
export function routeTable(source: RouteSource, domain: string): EnvironmentRoute[] {
  const routes = new Map<string, EnvironmentRoute>();
  for (const resource of ROUTE_RESOURCES) {
    for (const obj of source.list(resource, { labelSelector: MANAGED }).items) {
      const { host, service } = target(obj);
      const namespace = obj.metadata.namespace;
      if (typeof host !== 'string' || typeof service !== 'string' || typeof namespace !== 'string')
        continue;
      const envId = envIdOfHost(host, domain);
      if (!envId || !DNS_LABEL.test(service) || !DNS_LABEL.test(namespace)) continue;
      // The env label, when present, must agree with the host.
      const label = obj.metadata.labels?.['lablease.dev/env'];
      if (label !== undefined && label !== envId) continue;
      const routeHost = `${envId}.${domain}`;
      if (routes.has(routeHost)) continue;
      routes.set(routeHost, {
        envId,
        host: routeHost,
        upstream: parseUpstream(source.serviceEndpoint(namespace, service)),
      });
    }
  }
  return [...routes.values()].sort((a, b) => a.host.localeCompare(b.host));
}
