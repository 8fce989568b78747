// The route builders' inputs from configuration, validated. Builders call
// validateRouterOptions themselves, so options made by hand (tests,
// scripts) are held to the same rules as configuration.
import { type Config, ConfigError } from '../../config.js';
import {
  type AuthBackendRef,
  isDnsLabel,
  isEnvironmentsDomain,
  isSafeBaseUrl,
  type ObjectRef,
  parseAuthBackend,
  parseObjectRef,
} from './validate.js';

export const ROUTERS = ['gateway', 'ingress-nginx'] as const;
export type RouterKind = (typeof ROUTERS)[number];

export interface RouterOptions {
  kind: RouterKind;
  /** The environments' DNS domain without a port: hosts are `<envId>.<domain>`. */
  domain: string;
  /** The API's public base URL, no trailing slash: `/auth/verify` and Open live under it. */
  apiUrl: string;
  /** gateway: the Gateway that HTTPRoutes attach to. */
  gateway: ObjectRef;
  /** gateway: where Envoy Gateway's extAuth sends its checks (it takes a backendRef, not a URL). */
  authBackend: AuthBackendRef;
  /** ingress-nginx: spec.ingressClassName. */
  ingressClass: string;
}

function refuse(name: string, value: unknown, why: string): never {
  throw new ConfigError(`Invalid configuration: ${name} ${why}: ${JSON.stringify(value)}`);
}

/** Throws ConfigError on the first field a builder must not use. */
export function validateRouterOptions(o: RouterOptions): RouterOptions {
  if (!ROUTERS.includes(o.kind))
    refuse('LABLEASE_ROUTER', o.kind, `must be one of ${ROUTERS.join(', ')}`);
  if (typeof o.domain !== 'string' || !isEnvironmentsDomain(o.domain))
    refuse('ENVIRONMENTS_DOMAIN', o.domain, 'must be a lowercase DNS name');
  if (typeof o.apiUrl !== 'string' || !isSafeBaseUrl(o.apiUrl))
    refuse('API_URL', o.apiUrl, 'must be a plain http(s) base URL');
  if (!parseObjectRef(`${o.gateway?.namespace}/${o.gateway?.name}`))
    refuse('LABLEASE_GATEWAY', o.gateway, 'must be <namespace>/<name>');
  const b = o.authBackend;
  const parsed = parseAuthBackend(`${b?.kind}/${b?.namespace}/${b?.name}:${b?.port}`);
  if (!parsed || parsed.port !== b.port)
    refuse(
      'LABLEASE_GATEWAY_AUTH_BACKEND',
      b,
      'must be <Service|Backend>/<namespace>/<name>:<port>',
    );
  if (typeof o.ingressClass !== 'string' || !isDnsLabel(o.ingressClass))
    refuse('LABLEASE_INGRESS_CLASS', o.ingressClass, 'must be a DNS label');
  return o;
}

/** The router of this platform, from configuration (already validated at load; checked again). */
export function routerOptionsFrom(
  config: Pick<Config, 'environmentsDomain' | 'apiUrl' | 'router'>,
): RouterOptions {
  return validateRouterOptions({
    kind: config.router.kind,
    domain: config.environmentsDomain.replace(/:\d+$/, ''),
    apiUrl: config.apiUrl,
    gateway: config.router.gateway,
    authBackend: config.router.authBackend,
    ingressClass: config.router.ingressClass,
  });
}
