// The `ingress-nginx` router: one Ingress per environment whose external-auth
// annotations make ingress-nginx ask the API's `/auth/verify` (an nginx
// auth_request) before proxying, send a 401 to Open (which signs in and
// comes back), and copy the Set-Cookie of verify's answer to the browser.
//
// Annotations are nginx configuration: only the fixed names below, with
// values built from the validated environment id and configuration
// validated at load (routes/validate.ts). Never a snippet annotation.
import type { V1Ingress } from '@kubernetes/client-node';
import { namespaceFor, objectNames } from '../../environment/naming.js';
import { type RouteEnvironment, routeLabels } from './labels.js';
import { type RouterOptions, validateRouterOptions } from './options.js';

export const INGRESS = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' } as const;

const A = 'nginx.ingress.kubernetes.io/';

/** Every annotation this builder can write; anything else is a bug. */
export const INGRESS_ANNOTATIONS = [
  `${A}auth-url`,
  `${A}auth-signin`,
  `${A}auth-always-set-cookie`,
  `${A}proxy-read-timeout`,
  `${A}proxy-send-timeout`,
] as const;

/** The environment's Open URL: where a request without a valid cookie is sent to sign in. */
export const openUrl = (apiUrl: string, envId: string) =>
  `${apiUrl}/api/v1/environments/${envId}/open`;

export function nginxIngress(
  env: RouteEnvironment,
  options: RouterOptions,
): V1Ingress & { apiVersion: string; kind: string } {
  validateRouterOptions(options);
  const names = objectNames(env.id);
  return {
    ...INGRESS,
    metadata: {
      name: names.route,
      namespace: namespaceFor(env.ownerId),
      labels: routeLabels(env),
      annotations: {
        [`${A}auth-url`]: `${options.apiUrl}/auth/verify`,
        [`${A}auth-signin`]: openUrl(options.apiUrl, env.id),
        // Without it nginx drops verify's Set-Cookie on a 2xx.
        [`${A}auth-always-set-cookie`]: 'true',
        // Websockets (kernels, terminals) live long.
        [`${A}proxy-read-timeout`]: '3600',
        [`${A}proxy-send-timeout`]: '3600',
      },
    },
    spec: {
      ingressClassName: options.ingressClass,
      rules: [
        {
          host: `${env.id}.${options.domain}`,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: names.service, port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
}
