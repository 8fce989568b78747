// /api/v1/admin/activity: the audit log, newest first, filtered by actor,
// target (a user, an environment, a template), action and time.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AdminDeps } from '../../../admin/deps.js';
import { ValidationFailed } from '../../../errors.js';
import { AuditEvent } from '../../../store/audit.js';
import type { AppEnv } from '../../context.js';
import { validationHook } from '../../validation.js';
import { json, PageQuery, page, problem, refusals } from './shared.js';

const ActivityQuery = z.object({
  ...PageQuery,
  actorId: z.string().max(64).optional(),
  target: z
    .string()
    .max(300)
    .optional()
    .openapi({ description: 'e.g. user:<id>, environment:<id>, template:<id>, settings' }),
  action: z
    .string()
    .max(64)
    .optional()
    .openapi({ description: 'e.g. user.disable, template.create, auth.sign-in' }),
  since: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Only events at or after this time (ISO 8601).' }),
  until: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Only events at or before this time (ISO 8601).' }),
});

export function adminActivityRoutes(deps: AdminDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/activity',
      tags: ['admin'],
      request: { query: ActivityQuery },
      responses: {
        200: {
          description: `Who did what, when — newest first, kept ${deps.audit.retentionDays} days. A page may be short and still have a next cursor when a filter matches little.`,
          ...json(page(AuditEvent)),
        },
        ...refusals,
        422: problem,
      },
    }),
    async (c) => {
      const { limit, cursor, actorId, target, action, since, until } = c.req.valid('query');
      const window = {
        since: since === undefined ? undefined : new Date(since),
        until: until === undefined ? undefined : new Date(until),
      };
      if (window.since && window.until && window.since > window.until)
        throw new ValidationFailed([{ field: 'since', message: 'must not be after until' }]);
      const result = await deps.audit.list(
        { limit, cursor, filter: { actorId, target, action }, window },
        deps.now(),
      );
      return c.json(result, 200);
    },
  );

  return app;
}
