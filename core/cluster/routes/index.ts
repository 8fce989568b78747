// The pluggable route builder: the objects that make an environment
// reachable at `<envId>.<environments domain>` behind forward auth, for the
// router this platform is configured with (LABLEASE_ROUTER).
import type { KubeObject } from '../client.js';
import {
  gatewayReferenceGrant,
  gatewayRoute,
  gatewaySecurityPolicy,
  HTTPROUTE,
  SECURITY_POLICY,
} from './gateway.js';
import { INGRESS, nginxIngress } from './ingress-nginx.js';
import type { RouteEnvironment } from './labels.js';
import { type RouterKind, type RouterOptions, validateRouterOptions } from './options.js';

export { openUrl } from './ingress-nginx.js';
export type { RouteEnvironment } from './labels.js';
export { type RouterKind, type RouterOptions, routerOptionsFrom } from './options.js';

export interface RouteKind {
  apiVersion: string;
  kind: string;
}

/**
 * The kinds a router writes, in apply order: a SecurityPolicy before the
 * HTTPRoute it protects, so a route never exists unguarded (Envoy Gateway
 * routes without a policy are open). Deletes go in reverse.
 */
export const ROUTE_KINDS: Record<RouterKind, readonly RouteKind[]> = {
  gateway: [SECURITY_POLICY, HTTPROUTE],
  'ingress-nginx': [INGRESS],
};

/**
 * Every route object of one environment, in apply order (ROUTE_KINDS). For
 * the gateway, the user's ReferenceGrant in the auth backend's namespace
 * comes first (shared by the user's environments: not one of ROUTE_KINDS,
 * which are the per-environment objects observed and deleted). Invalid ids
 * or options throw first.
 */
export function routeObjects(env: RouteEnvironment, options: RouterOptions): KubeObject[] {
  validateRouterOptions(options);
  switch (options.kind) {
    case 'gateway':
      return [
        gatewayReferenceGrant(env, options),
        gatewaySecurityPolicy(env, options),
        gatewayRoute(env, options),
      ] as KubeObject[];
    case 'ingress-nginx':
      return [nginxIngress(env, options)] as KubeObject[];
  }
}
