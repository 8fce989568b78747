// The HTTP edge of environment access. Thin: the decisions are in core/access.
// - GET /auth/verify (and /auth/verify/* for Envoy's path-prefix form): the
//   proxy's forward-auth check; no session middleware, no same-origin check.
// - POST /api/v1/environments/{id}/activity: the pod reports work with its
//   per-environment token (not a user's credential, so it is mounted before
//   the user guard).
// - GET /api/v1/environments/{id}/open: behind the user guard; 302 to the
//   environment host with a one-time code.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Access } from '../../access/index.js';
import { openEnvironment, verifyAccess } from '../../access/index.js';
import { Unauthenticated } from '../../auth/errors.js';
import { requireScope } from '../../auth/principal.js';
import { ENVIRONMENT_ID as ENV_ID } from '../../environment/naming.js';
import type { AppEnv } from '../context.js';
import { problemResponse } from '../problem.js';
import { validationHook } from '../validation.js';
import { IdParam } from './environments.js';

const problem = { description: 'A problem (RFC 9457).' };

/** Forward auth and the pod's activity reports: mounted before the user guard. */
export function verifyRoutes(deps: { access: Access; webOrigin: string }) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  // Open is a browser navigation (the router sends a 401 there too): without
  // a session, the browser goes to the environment's page in the dashboard,
  // which signs in (or refreshes the session) and offers Open again — not to
  // a JSON problem. Scripts (a bearer token, or no HTML in Accept) keep the 401.
  app.use('/api/v1/environments/:id/open', async (c, next) => {
    await next();
    if (c.res.status !== 401 || c.req.header('authorization') !== undefined) return;
    const navigation =
      c.req.header('sec-fetch-mode') === 'navigate' ||
      (c.req.header('accept') ?? '').includes('text/html');
    // From the path: after next(), c.req.param names the last route's parameters.
    const id = /^\/api\/v1\/environments\/([^/]+)\/open$/.exec(c.req.path)?.[1] ?? '';
    if (!navigation || !ENV_ID.test(id)) return;
    c.res = new Response(null, {
      status: 302,
      headers: {
        location: `${deps.webOrigin}/environments/${id}`,
        'cache-control': 'no-store',
      },
    });
  });

  const verify = async (c: Context<AppEnv>) => {
    const url = c.req.url;
    const q = url.indexOf('?');
    const answer = await verifyAccess(deps.access.verify, {
      path: c.req.path,
      query: q === -1 ? '' : url.slice(q + 1),
      method: c.req.method,
      header: (name) => c.req.header(name),
      cookie: c.req.header('cookie'),
    });
    const headers = { 'cache-control': 'no-store', ...answer.headers };
    if (answer.status === 400 || (answer.status === 403 && !answer.envId)) {
      return problemResponse(
        c,
        {
          type: 'about:blank',
          title: answer.status === 400 ? 'Bad Request' : 'Forbidden',
          status: answer.status,
          detail: `Not an environment request: ${answer.reason}.`,
        },
        headers,
      );
    }
    if (answer.body !== undefined) {
      return c.body(answer.body, answer.status, {
        ...headers,
        'content-type': 'text/plain; charset=utf-8',
      });
    }
    return c.body(null, answer.status, headers);
  };
  app.get('/auth/verify', verify);
  app.all('/auth/verify/*', verify);
  // Documented only: its answers are for a proxy, by status and headers.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/auth/verify',
    description:
      "Forward auth for environment hosts. The proxy passes the original request in X-Forwarded-Host/-Uri/-Method/-Proto (or ingress-nginx's X-Original-URL/-Method) and the browser's Cookie; Envoy's ext_authz may instead call /auth/verify/<original path> with the original method and Host.",
    responses: {
      200: { description: 'Allowed; may carry Set-Cookie: lablease_env=… for the proxy to copy.' },
      400: { description: 'Not a forward-auth request (missing or malformed original request).' },
      401: {
        description: 'No valid credential; Location and X-Lablease-Signin name the Open URL.',
      },
      403: { description: 'A credential for another environment, or not an environment host.' },
    },
  });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/environments/{id}/activity',
      request: { params: IdParam },
      description:
        'The environment reports that it is busy (long-running work with no browser traffic), with the per-environment token mounted into its pod. Written at most once a minute.',
      responses: {
        204: { description: 'Activity counted.' },
        401: problem,
        422: problem,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const m = /^Bearer ([A-Za-z0-9_.-]+)$/i.exec((c.req.header('authorization') ?? '').trim());
      const ownerId = m?.[1] ? await deps.access.tokens.verifyActivityToken(m[1], id) : undefined;
      if (!ownerId)
        throw new Unauthenticated('An activity token for this environment is required.');
      await deps.access.activity.touch({ id, ownerId });
      return c.body(null, 204);
    },
  );

  return app;
}

const OpenQuery = z.object({
  next: z.string().max(2048).optional().openapi({
    description: 'A path on the environment host to land on (default /).',
  }),
});

/** Open, behind the user guard (session cookie or API token). */
export function openRoutes(deps: { access: Access }) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/environments/{id}/open',
      request: { params: IdParam, query: OpenQuery },
      description:
        'Enter the environment: a redirect to its host with a one-time code (valid 30 s, single use), which the host exchanges for its own cookie. A stopped environment is opened too: its host shows how to start it.',
      responses: {
        302: { description: 'To `<environment url>/.lablease/open?code=…&next=…`.' },
        404: problem,
        409: problem,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireScope(principal, 'environments:write');
      const location = await openEnvironment(deps.access.open, principal, c.req.valid('param').id, {
        next: c.req.valid('query').next,
        requestId: c.get('requestId'),
      });
      return c.body(null, 302, {
        location,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
    },
  );
  return app;
}
