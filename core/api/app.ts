// The Hono app: the whole HTTP surface of Lablease. It knows nothing of Lambda
// or Node's http server — functions/api.ts and stacks/local serve this same app.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import type { Access } from '../access/index.js';
import { TooManyAttempts } from '../auth/errors.js';
import type { Auth } from '../auth/index.js';
import type { Config } from '../config.js';
import { platformClientAddress } from './client-address.js';
import type { AppEnv } from './context.js';
import { auditActions } from './middleware/audit-actions.js';
import { auditSignIn } from './middleware/audit-sign-in.js';
import { authenticate } from './middleware/authenticate.js';
import { requireSameOrigin } from './middleware/same-origin.js';
import { problemFrom, problemResponse } from './problem.js';
import { openRoutes, verifyRoutes } from './routes/access.js';
import { type AdminDeps, adminRoutes } from './routes/admin/index.js';
import { authRoutes } from './routes/auth.js';
import { type EnvironmentRouteDeps, environmentRoutes } from './routes/environments.js';
import { meRoutes } from './routes/me.js';
import { validationHook } from './validation.js';

/** Which real services this deployment talks to, as /api/v1/info reports them. */
export interface Backends {
  dynamodb: { engine: string; endpoint?: string; table: string };
  queue: { engine: string; endpoint?: string; url?: string };
  cluster: { kind: string; server?: string };
  /** The local stack's router in front of environment hosts (absent where a gateway does it). */
  router?: { engine: string; environments: string };
}

export interface AppDeps {
  config: Config;
  backends: Backends;
  auth: Auth;
  environments: Omit<EnvironmentRouteDeps, 'users'>;
  /** Administration (/api/v1/admin); absent in apps built for a narrower test. */
  admin?: AdminDeps;
  /** Environment access (forward auth, Open, activity); absent in apps built for a narrower test. */
  access?: Access;
  /** The client's address as the platform saw it (API Gateway's sourceIp, the socket locally) — never a header a client can set. */
  clientAddress?: (c: Context) => string;
  now?: () => Date;
  log?: (level: 'info' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

const Health = z.object({ status: z.literal('ok') }).openapi('Health');

const Info = z
  .object({
    name: z.literal('lablease'),
    version: z.string(),
    commit: z.string(),
    stage: z.string(),
    backends: z.object({
      dynamodb: z.object({
        engine: z.string(),
        endpoint: z.string().optional(),
        table: z.string(),
      }),
      queue: z.object({
        engine: z.string(),
        endpoint: z.string().optional(),
        url: z.string().optional(),
      }),
      cluster: z.object({ kind: z.string(), server: z.string().optional() }),
      router: z.object({ engine: z.string(), environments: z.string() }).optional(),
    }),
    /** How people sign in here, for the dashboard's sign-in page. */
    signIn: z.object({
      localAccounts: z.boolean(),
      oidc: z.object({ name: z.string() }).nullable(),
    }),
  })
  .openapi('Info');

export function createApp(deps: AppDeps) {
  const log = deps.log ?? defaultLog;
  const now = deps.now ?? (() => new Date());
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use(requestId());
  // The dashboard is served from its own origin; it alone may call with credentials.
  app.use(
    '/api/*',
    cors({
      origin: deps.config.webOrigin,
      credentials: true,
      maxAge: 600,
      exposeHeaders: ['ETag', 'Location', 'Retry-After'],
    }),
  );
  app.use('/auth/*', cors({ origin: deps.config.webOrigin, credentials: true, maxAge: 600 }));

  app.onError((err, c) => {
    const problem = problemFrom(err, c.req.path);
    if (problem.status >= 500) {
      log('error', 'request failed', {
        path: c.req.path,
        requestId: c.get('requestId'),
        err: String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
    }
    const retryAfter =
      err instanceof TooManyAttempts ? { 'retry-after': String(err.retryAfterSeconds) } : undefined;
    return problemResponse(c, problem, retryAfter);
  });

  app.notFound((c) =>
    problemResponse(c, {
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: `No route for ${c.req.method} ${c.req.path}.`,
      instance: c.req.path,
    }),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      responses: {
        200: { description: 'The API is up.', content: { 'application/json': { schema: Health } } },
      },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/info',
      responses: {
        200: {
          description: 'Version and the backends in use.',
          content: { 'application/json': { schema: Info } },
        },
      },
    }),
    (c) =>
      c.json(
        {
          name: 'lablease' as const,
          version: deps.config.version,
          commit: deps.config.commit,
          stage: deps.config.stage,
          backends: deps.backends,
          signIn: {
            localAccounts: deps.config.auth.localAccounts,
            oidc: deps.config.auth.oidc ? { name: deps.config.auth.oidc.providerName } : null,
          },
        },
        200,
      ),
  );

  // Forward auth and the pod's activity reports carry their own credentials
  // (environment cookie, activity token): registered before the auth routes'
  // same-origin check and the user guard, they answer without either.
  if (deps.access)
    app.route('/', verifyRoutes({ access: deps.access, webOrigin: deps.config.webOrigin }));

  if (deps.admin) {
    app.use(
      '/auth/*',
      auditSignIn({
        audit: deps.admin.audit,
        accessTokens: deps.auth.accessTokens,
        now,
        log: (message, fields) => log('error', message, fields),
      }),
    );
  }
  app.route(
    '/auth',
    authRoutes({
      auth: deps.auth,
      webOrigin: deps.config.webOrigin,
      clientAddress: deps.clientAddress ?? platformClientAddress,
      now,
    }),
  );

  // Every resource under /api/v1 (all but info and the OpenAPI document) needs a credential.
  const guard = [requireSameOrigin(deps.config.webOrigin), authenticate(deps.auth)] as const;
  for (const prefix of [
    '/api/v1/me',
    '/api/v1/templates',
    '/api/v1/environments',
    '/api/v1/admin',
  ]) {
    app.use(prefix, ...guard);
    app.use(`${prefix}/*`, ...guard);
  }
  if (deps.admin) {
    const audit = auditActions({
      audit: deps.admin.audit,
      now,
      log: (message, fields) => log('error', message, fields),
    });
    // '/x/*' also matches '/x' itself: one registration each, so one record per request.
    app.use('/api/v1/environments/*', audit);
    app.use('/api/v1/me/tokens/*', audit);
  }
  app.route('/api/v1/me', meRoutes({ auth: deps.auth }));
  if (deps.access) app.route('/api/v1', openRoutes({ access: deps.access }));
  app.route('/api/v1', environmentRoutes({ ...deps.environments, users: deps.auth.users }));
  if (deps.admin) app.route('/api/v1/admin', adminRoutes(deps.admin));

  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Lablease API', version: deps.config.version },
  });

  return app;
}

export type App = ReturnType<typeof createApp>;

function defaultLog(level: 'info' | 'error', message: string, fields?: Record<string, unknown>) {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
}
