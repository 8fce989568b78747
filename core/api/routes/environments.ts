// The environment routes of the API contract. Handlers stay thin: they
// authenticate, check scope and visibility, and call a lifecycle verb.
import { createHash } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { Unauthenticated } from '../../auth/errors.js';
import type { Principal } from '../../auth/principal.js';
import { requireScope } from '../../auth/principal.js';
import { mayUseCustomImages } from '../../environment/custom-images.js';
import {
  changeEnvironment,
  createEnvironment,
  type LifecycleDeps,
  templatesFor,
} from '../../environment/lifecycle.js';
import type { Environment, Template } from '../../environment/model.js';
import { cullWarningOf, tierLimits } from '../../environment/policies.js';
import type { Operation } from '../../environment/state-machine.js';
import { visibleEnvironment } from '../../environment/visible.js';
import { ValidationFailed } from '../../errors.js';
import type { EnvironmentStore } from '../../store/environments.js';
import type { UserStore } from '../../store/users.js';
import type { AppEnv } from '../context.js';
import { validationHook } from '../validation.js';

export interface EnvironmentRouteDeps {
  lifecycle: LifecycleDeps;
  environments: Pick<
    EnvironmentStore,
    'get' | 'findById' | 'listByOwner' | 'recordActivity' | 'usage'
  >;
  users: Pick<UserStore, 'get'>;
}

// ---- shapes ----

const ConditionView = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
});
const EventView = z.object({
  at: z.string(),
  type: z.string(),
  reason: z.string(),
  message: z.string(),
});

export const EnvironmentView = z
  .object({
    id: z.string(),
    name: z.string(),
    templateId: z.string(),
    /** The custom image it runs in place of the template's; null for the template's own. */
    image: z.string().nullable(),
    resources: z.object({ cpu: z.string(), memory: z.string() }),
    volume: z.object({ name: z.string(), sizeGi: z.number() }),
    desiredState: z.enum(['running', 'stopped', 'deleted']),
    generation: z.number(),
    ownerId: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    dataDeletion: z.object({ requestedAt: z.string(), purgeAfter: z.string() }).nullable(),
    /** An admin exempted it from idle and lifetime culls until then. */
    keepAliveUntil: z.string().nullable(),
    status: z.object({
      phase: z.string(),
      conditions: z.array(ConditionView),
      observedGeneration: z.number(),
      url: z.string().nullable(),
      events: z.array(EventView),
      lastActivityAt: z.string().nullable(),
      startedAt: z.string().nullable(),
      cullAt: z.string().nullable(),
      failure: z.object({ reason: z.string(), message: z.string() }).nullable(),
    }),
  })
  .openapi('Environment');

export function toView(env: Environment): z.infer<typeof EnvironmentView> {
  const s = env.status;
  return {
    id: env.id,
    name: env.spec.name,
    templateId: env.spec.templateId,
    image: env.spec.image ?? null,
    resources: env.spec.resources,
    volume: env.spec.volume,
    desiredState: env.desiredState,
    generation: env.generation,
    ownerId: env.ownerId,
    createdAt: env.createdAt,
    updatedAt: env.updatedAt,
    dataDeletion: env.dataDeletion ?? null,
    keepAliveUntil: env.keepAliveUntil ?? null,
    status: {
      phase: s.phase,
      conditions: s.conditions,
      observedGeneration: s.observedGeneration,
      url: s.url ?? null,
      events: s.events,
      lastActivityAt: s.lastActivityAt ?? null,
      startedAt: s.startedAt ?? null,
      cullAt: s.cullAt ?? null,
      failure: s.failure ?? null,
    },
  };
}

const LimitsView = z
  .object({
    tier: z.string(),
    limits: z.object({
      maxRunning: z.number(),
      maxTotal: z.number(),
      maxCpu: z.string(),
      maxMemory: z.string(),
      idleTimeoutMinutes: z.number(),
      maxLifetimeHours: z.number(),
      volumeSizeGi: z.number(),
      /** How long before a cull you are warned (your tier's, or the installation's). */
      cullWarningMinutes: z.number(),
    }),
    usage: z.object({ running: z.number(), total: z.number() }),
    customImages: z
      .object({ allowedRegistries: z.array(z.string()) })
      .nullable()
      .openapi({
        description:
          'Where your tier may launch images of its own from (POST /environments with image); null when it may not.',
      }),
  })
  .openapi('Limits');

const TemplateView = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    icon: z.string().nullable(),
    image: z.string(),
    defaultResources: z.object({ cpu: z.string(), memory: z.string() }),
    maxResources: z.object({ cpu: z.string(), memory: z.string() }),
    volumeSizeGi: z.number(),
  })
  .openapi('Template');

const toTemplateView = (t: Template): z.infer<typeof TemplateView> => ({
  id: t.id,
  name: t.name,
  description: t.description,
  icon: t.icon ?? null,
  image: t.image,
  defaultResources: t.defaultResources,
  maxResources: t.maxResources,
  volumeSizeGi: t.volumeSizeGi,
});

const CreateBody = z
  .object({
    name: z.string().openapi({ example: 'Thesis analysis' }),
    templateId: z.string().max(63),
    resources: z
      .object({ cpu: z.string().max(16).optional(), memory: z.string().max(16).optional() })
      .strict()
      .optional(),
    image: z.string().max(255).optional().openapi({
      description:
        "A custom image to run in place of the template's (registry/repository[:tag][@sha256:digest]), where your tier may and from an allowed registry (GET /me/limits); the template gives the port, command, workspace and resources.",
      example: 'ghcr.io/mylab/analysis:2026-01',
    }),
  })
  .strict()
  .openapi('CreateEnvironment');

/** An environment id in a path; a well-formed one that is not yours is a 404 later. */
export const IdParam = z.object({
  id: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'is not an environment id'),
});
const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(1024).optional(),
});
const DataDeleteBody = z
  .object({
    confirm: z
      .string()
      .openapi({ description: "The environment's name, typed by the owner to confirm." }),
  })
  .strict();

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const problem = { description: 'A problem (RFC 9457).' };

// ---- routes ----

export function environmentRoutes(deps: EnvironmentRouteDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  const visible = (principal: Principal, id: string) =>
    visibleEnvironment(deps.environments, principal, id);

  async function tierOf(userId: string) {
    const user = await deps.users.get(userId);
    if (!user || user.disabled) throw new Unauthenticated();
    return user.tier;
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/templates',
      responses: {
        200: {
          description: 'Templates your tier may launch.',
          ...json(z.object({ items: z.array(TemplateView), nextCursor: z.null() })),
        },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireScope(principal, 'environments:read');
      const templates = await templatesFor(deps.lifecycle, await tierOf(principal.userId));
      return c.json({ items: templates.map(toTemplateView), nextCursor: null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/me/limits',
      responses: {
        200: {
          description:
            "Your tier's limits and what you use of them, so a client can tell before it asks.",
          ...json(LimitsView),
        },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireScope(principal, 'environments:read');
      const [tier, settings, usage] = await Promise.all([
        tierOf(principal.userId),
        deps.lifecycle.catalog.settings(),
        deps.environments.usage(principal.userId),
      ]);
      const own = tierLimits(settings, tier);
      const limits = { ...own, ...cullWarningOf(settings, own) };
      const custom = settings.customImages;
      return c.json(
        {
          tier,
          limits,
          usage: { running: usage.running, total: usage.total },
          customImages: mayUseCustomImages(custom, tier)
            ? { allowedRegistries: custom.allowedRegistries }
            : null,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/environments',
      request: { query: ListQuery },
      responses: {
        200: {
          description: 'Your environments.',
          ...json(z.object({ items: z.array(EnvironmentView), nextCursor: z.string().nullable() })),
        },
        422: problem,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireScope(principal, 'environments:read');
      const { limit, cursor } = c.req.valid('query');
      const page = await deps.environments.listByOwner(principal.userId, { limit, cursor });
      return c.json({ items: page.items.map(toView), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/environments',
      request: {
        body: { content: { 'application/json': { schema: CreateBody } }, required: true },
      },
      responses: {
        202: { description: 'Accepted: the environment will start.', ...json(EnvironmentView) },
        409: problem,
        422: problem,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireScope(principal, 'environments:write');
      const body = c.req.valid('json');
      const key = c.req.header('idempotency-key');
      if (key !== undefined && !/^[\x21-\x7e]{1,128}$/.test(key)) {
        throw new ValidationFailed([
          { field: 'Idempotency-Key', message: 'must be 1-128 visible ASCII characters' },
        ]);
      }
      const { env } = await createEnvironment(
        deps.lifecycle,
        { userId: principal.userId, tier: await tierOf(principal.userId) },
        body,
        key ? { key, requestHash: hashOf(body) } : undefined,
      );
      c.header('location', `/api/v1/environments/${env.id}`);
      return c.json(toView(env), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/environments/{id}',
      request: { params: IdParam },
      responses: {
        200: { description: 'The environment (with an ETag).', ...json(EnvironmentView) },
        304: { description: 'Not modified.' },
        404: problem,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireScope(principal, 'environments:read');
      const view = toView(await visible(principal, c.req.valid('param').id));
      return withETag(c, view);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/environments/{id}/events',
      request: { params: IdParam },
      responses: {
        200: {
          description: 'Recent progress events, newest last.',
          ...json(z.object({ items: z.array(EventView), nextCursor: z.null() })),
        },
        404: problem,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireScope(principal, 'environments:read');
      const env = await visible(principal, c.req.valid('param').id);
      return c.json({ items: env.status.events, nextCursor: null }, 200);
    },
  );

  const change = (
    path: string,
    operation: Operation,
    opts: {
      method?: 'post' | 'delete';
      description?: string;
      scope?: 'environments:write' | 'admin';
    } = {},
  ) =>
    app.openapi(
      createRoute({
        method: opts.method ?? 'post',
        path,
        request: { params: IdParam },
        responses: {
          202: {
            description: opts.description ?? `${operation}: accepted.`,
            ...json(EnvironmentView),
          },
          403: problem,
          404: problem,
          409: problem,
        },
      }),
      async (c) => {
        const principal = c.get('principal');
        requireScope(principal, opts.scope ?? 'environments:write');
        const env = await visible(principal, c.req.valid('param').id);
        const updated = await changeEnvironment(
          deps.lifecycle,
          env,
          operation,
          await tierOf(env.ownerId),
        );
        return c.json(toView(updated), 202);
      },
    );

  change('/environments/{id}/start', 'start');
  change('/environments/{id}/stop', 'stop');
  change('/environments/{id}', 'delete', {
    method: 'delete',
    description: 'Deleting: compute is removed; the workspace volume is kept.',
  });
  change('/environments/{id}/data/restore', 'restoreData', {
    description: 'The data deletion is cancelled.',
  });
  change('/environments/{id}/data/purge', 'purgeData', {
    scope: 'admin',
    description:
      'Admins only: purge the deleted environment’s volume now, skipping the retention window.',
  });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/environments/{id}/heartbeat',
      request: { params: IdParam },
      responses: {
        204: {
          description:
            'Activity recorded (at most once a minute); a cull warning is cleared ("keep it running").',
        },
        403: problem,
        404: problem,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireScope(principal, 'environments:write');
      const env = await visible(principal, c.req.valid('param').id);
      // Not running, or recorded less than a minute ago: nothing to write, same answer.
      await deps.environments.recordActivity(env, deps.lifecycle.now());
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/environments/{id}/data/delete',
      request: {
        params: IdParam,
        body: { content: { 'application/json': { schema: DataDeleteBody } }, required: true },
      },
      responses: {
        202: {
          description:
            'The volume is scheduled for purge after the retention window; restorable until then.',
          ...json(EnvironmentView),
        },
        404: problem,
        409: problem,
        422: problem,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireScope(principal, 'environments:write');
      const env = await visible(principal, c.req.valid('param').id);
      // Deleting data is the one irreversible act: the owner types the name to confirm.
      if (c.req.valid('json').confirm !== env.spec.name) {
        throw new ValidationFailed([
          { field: 'confirm', message: "must be the environment's name" },
        ]);
      }
      const updated = await changeEnvironment(
        deps.lifecycle,
        env,
        'deleteData',
        await tierOf(env.ownerId),
      );
      return c.json(toView(updated), 202);
    },
  );

  return app;
}

/** A stable hash of a JSON body, for Idempotency-Key replays. */
function hashOf(value: unknown): string {
  const canonical = JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/** Answers 304 when the client already has this representation. */
function withETag(c: Context<AppEnv>, view: unknown) {
  const body = JSON.stringify(view);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  c.header('etag', etag);
  c.header('cache-control', 'private, no-cache');
  const inm = c.req.header('if-none-match');
  if (inm?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return c.body(null, 304);
  return c.body(body, 200, { 'content-type': 'application/json' });
}
