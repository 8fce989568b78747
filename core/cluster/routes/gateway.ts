// The `gateway` router: a Gateway API HTTPRoute on the environment's host,
// attached to the platform's Gateway and sending everything to the
// environment's Service, and an Envoy Gateway SecurityPolicy on that route
// whose HTTP extAuth asks the API's `/auth/verify` about every request
// (websocket upgrades included) before Envoy forwards it.
//
// Envoy Gateway's extAuth takes a backendRef, not a URL, and appends the
// original path to `path`: a request for `/lab?x=1` is checked at
// `<path>/lab?x=1`, with the original Host. Only Host, Method, Path,
// Content-Length and Authorization reach the check by default, so the
// Cookie (the environment cookie) and X-Forwarded-Proto are listed. On a
// 2xx Envoy Gateway does not copy the check's response headers to the
// client (no allowed_client_headers_on_success yet: envoyproxy/gateway#3787);
// on a denial it passes the check's status, headers and body through — so
// under this router verify sets the environment cookie with a redirect.
import { namespaceFor, objectNames } from '../../environment/naming.js';
import { LABEL_ENV } from '../manifests.js';
import { type RouteEnvironment, routeLabels } from './labels.js';
import { type RouterOptions, validateRouterOptions } from './options.js';

export const HTTPROUTE = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' } as const;
export const SECURITY_POLICY = {
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'SecurityPolicy',
} as const;
export const REFERENCE_GRANT = {
  apiVersion: 'gateway.networking.k8s.io/v1beta1',
  kind: 'ReferenceGrant',
} as const;

/**
 * Request headers the check needs beyond Envoy's defaults (Host, Method,
 * Path, Authorization): the environment cookie, the scheme (the cookie's
 * Secure flag), and Upgrade (a websocket handshake is never answered with a
 * refresh redirect). Never X-Forwarded-Host/-Uri/-Method or X-Original-URL:
 * Envoy passes those from the client as they are, and verify prefers them
 * to the Host and path Envoy itself vouches for.
 */
export const HEADERS_TO_EXT_AUTH = ['cookie', 'x-forwarded-proto', 'upgrade'] as const;

export interface HttpRoute {
  apiVersion: typeof HTTPROUTE.apiVersion;
  kind: typeof HTTPROUTE.kind;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    parentRefs: Array<{ group: string; kind: string; name: string; namespace: string }>;
    hostnames: string[];
    rules: Array<{
      matches: Array<{ path: { type: 'PathPrefix'; value: string } }>;
      backendRefs: Array<{ group: ''; kind: 'Service'; name: string; port: number }>;
    }>;
  };
}

export interface SecurityPolicy {
  apiVersion: typeof SECURITY_POLICY.apiVersion;
  kind: typeof SECURITY_POLICY.kind;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    targetRefs: Array<{ group: string; kind: string; name: string }>;
    extAuth: {
      failOpen: false;
      headersToExtAuth: string[];
      http: {
        backendRefs: Array<{
          group: string;
          kind: string;
          name: string;
          namespace: string;
          port: number;
        }>;
        path: string;
      };
    };
  };
}

export interface ReferenceGrant {
  apiVersion: typeof REFERENCE_GRANT.apiVersion;
  kind: typeof REFERENCE_GRANT.kind;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    from: Array<{ group: string; kind: string; namespace: string }>;
    to: Array<{ group: string; kind: string; name: string }>;
  };
}

/** The path of the check on the API (Envoy appends the original path to it). */
export function verifyPath(apiUrl: string): string {
  return `${new URL(apiUrl).pathname.replace(/\/$/, '')}/auth/verify`;
}

export function gatewayRoute(env: RouteEnvironment, options: RouterOptions): HttpRoute {
  validateRouterOptions(options);
  const names = objectNames(env.id);
  return {
    ...HTTPROUTE,
    metadata: {
      name: names.route,
      namespace: namespaceFor(env.ownerId),
      labels: routeLabels(env),
    },
    spec: {
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: options.gateway.name,
          namespace: options.gateway.namespace,
        },
      ],
      hostnames: [`${env.id}.${options.domain}`],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ group: '', kind: 'Service', name: names.service, port: 80 }],
        },
      ],
    },
  };
}

/** The extAuth backend's API group: Envoy Gateway's for a `Backend`, core for a Service. */
const backendGroup = (kind: RouterOptions['authBackend']['kind']) =>
  kind === 'Backend' ? 'gateway.envoyproxy.io' : '';

/** The ReferenceGrant's name: one per user namespace, in the auth backend's namespace. */
export const referenceGrantName = (ownerId: string) => `${namespaceFor(ownerId)}-extauth`;

/**
 * The auth backend lives in the platform's namespace, and Gateway API
 * references across namespaces need the consent of the namespace referred to:
 * a ReferenceGrant there letting the SecurityPolicies of one user's namespace
 * use that one backend. One per user (not per environment): every
 * environment of the user applies the same object, and it is not deleted with
 * an environment's compute (it carries no environment label). The
 * provisioner therefore writes ReferenceGrants in the backend's namespace.
 */
export function gatewayReferenceGrant(
  env: RouteEnvironment,
  options: RouterOptions,
): ReferenceGrant {
  validateRouterOptions(options);
  const backend = options.authBackend;
  const { [LABEL_ENV]: _env, ...userLabels } = routeLabels(env);
  return {
    ...REFERENCE_GRANT,
    metadata: {
      name: referenceGrantName(env.ownerId),
      namespace: backend.namespace,
      labels: userLabels,
    },
    spec: {
      from: [
        {
          group: 'gateway.envoyproxy.io',
          kind: 'SecurityPolicy',
          namespace: namespaceFor(env.ownerId),
        },
      ],
      to: [{ group: backendGroup(backend.kind), kind: backend.kind, name: backend.name }],
    },
  };
}

export function gatewaySecurityPolicy(
  env: RouteEnvironment,
  options: RouterOptions,
): SecurityPolicy {
  validateRouterOptions(options);
  const names = objectNames(env.id);
  const backend = options.authBackend;
  return {
    ...SECURITY_POLICY,
    metadata: {
      name: names.route,
      namespace: namespaceFor(env.ownerId),
      labels: routeLabels(env),
    },
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: names.route }],
      extAuth: {
        // Fail closed: an API that cannot answer lets nobody in.
        failOpen: false,
        headersToExtAuth: [...HEADERS_TO_EXT_AUTH],
        http: {
          backendRefs: [
            {
              group: backendGroup(backend.kind),
              kind: backend.kind,
              name: backend.name,
              namespace: backend.namespace,
              port: backend.port,
            },
          ],
          path: verifyPath(options.apiUrl),
        },
      },
    },
  };
}
