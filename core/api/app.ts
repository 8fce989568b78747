// The Hono app: the whole HTTP surface of Lablease. It knows nothing of Lambda
// or Node's http server — functions/api.ts and stacks/local serve this same app.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import type { Config } from '../config.js';
import { ValidationFailed } from '../errors.js';
import { problemFrom, problemResponse } from './problem.js';

/** Which real services this deployment talks to, as /api/v1/info reports them. */
export interface Backends {
  dynamodb: { engine: string; endpoint?: string; table: string };
  queue: { engine: string; endpoint?: string; url?: string };
  cluster: { kind: string; server?: string };
}

export interface AppDeps {
  config: Config;
  backends: Backends;
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
    }),
  })
  .openapi('Info');

export function createApp(deps: AppDeps) {
  const log = deps.log ?? defaultLog;
  const app = new OpenAPIHono({
    // Schema failures become 422 problem+json with one entry per field.
    defaultHook: (result) => {
      if (!result.success) {
        throw new ValidationFailed(
          result.error.issues.map((i) => ({
            field: i.path.join('.') || '(body)',
            message: i.message,
          })),
        );
      }
    },
  });

  app.use(requestId());
  // The dashboard is served from its own origin; it alone may call with credentials.
  app.use('/api/*', cors({ origin: deps.config.webOrigin, credentials: true, maxAge: 600 }));
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
    return problemResponse(c, problem);
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
        },
        200,
      ),
  );

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
