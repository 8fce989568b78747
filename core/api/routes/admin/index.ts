// /api/v1/admin/*: administration. Every route needs the admin role and a
// credential carrying the admin scope (a session of an admin, or an admin's
// token created with that scope) — checked once here for the whole subtree.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AdminDeps } from '../../../admin/deps.js';
import { requireScope } from '../../../auth/principal.js';
import { newId } from '../../../auth/secrets.js';
import type { AppEnv } from '../../context.js';
import { validationHook } from '../../validation.js';
import { adminActivityRoutes } from './activity.js';
import { adminFleetRoutes } from './fleet.js';
import { adminSettingsRoutes } from './settings.js';
import { adminTemplateRoutes } from './templates.js';
import { adminUserRoutes } from './users.js';

export type { AdminDeps };

export function adminRoutes(deps: AdminDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('*', async (c, next) => {
    const principal = c.get('principal');
    try {
      requireScope(principal, 'admin');
    } catch (err) {
      // Someone without the right tried administration: that belongs in the trail.
      await deps.audit.record({
        id: newId(),
        at: deps.now().toISOString(),
        actorId: principal.userId,
        action: 'admin.denied',
        target: `${c.req.method} ${c.req.path}`.slice(0, 300),
        result: 'failure',
        requestId: c.get('requestId'),
        detail: principal.via === 'token' ? 'token' : 'session',
      });
      throw err;
    }
    await next();
  });
  app.route('/', adminTemplateRoutes(deps));
  app.route('/', adminSettingsRoutes(deps));
  app.route('/', adminUserRoutes(deps));
  app.route('/', adminFleetRoutes(deps));
  app.route('/', adminActivityRoutes(deps));
  return app;
}
