// /api/v1/admin/users: local accounts, roles, tiers, disable and enable.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AdminDeps } from '../../../admin/deps.js';
import { changeUser, createLocalUser, disableUser, enableUser } from '../../../admin/users.js';
import { Role } from '../../../auth/access-token.js';
import { DisplayName, UserId } from '../../../environment/model.js';
import { NotFound } from '../../../errors.js';
import type { User } from '../../../store/users.js';
import type { AppEnv } from '../../context.js';
import { validationHook } from '../../validation.js';
import { actorOf, json, jsonBody, PageQuery, page, problem, refusals } from './shared.js';

const UserView = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: Role,
    tier: z.string(),
    disabled: z.boolean(),
    mustChangePassword: z.boolean(),
    createdAt: z.string(),
    lastSeenAt: z.string().nullable(),
  })
  .openapi('AdminUser');

const toUserView = (u: User): z.infer<typeof UserView> => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  tier: u.tier,
  disabled: u.disabled,
  mustChangePassword: u.mustChangePassword === true,
  createdAt: u.createdAt,
  lastSeenAt: u.lastSeenAt ?? null,
});

const TierName = z.string().min(1).max(40);

const NewUser = z
  .object({
    email: z.email().max(254),
    name: DisplayName,
    role: Role.default('user'),
    tier: TierName,
  })
  .strict()
  .openapi('NewLocalUser');

const UserChange = z
  .object({ role: Role.optional(), tier: TierName.optional() })
  .strict()
  .refine((c) => c.role !== undefined || c.tier !== undefined, {
    message: 'name a role or a tier to change',
  })
  .openapi('UserChange');

const ListQuery = z.object({
  ...PageQuery,
  email: z
    .string()
    .max(254)
    .optional()
    .openapi({ description: 'Only users whose email starts with this (case-insensitive).' }),
});

const Params = z.object({ id: UserId });

export function adminUserRoutes(deps: AdminDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users',
      tags: ['admin'],
      request: { query: ListQuery },
      responses: {
        200: { description: 'Users by email.', ...json(page(UserView)) },
        ...refusals,
        422: problem,
      },
    }),
    async (c) => {
      const { limit, cursor, email } = c.req.valid('query');
      const result = await deps.users.list({ limit, cursor, emailPrefix: email });
      return c.json({ items: result.items.map(toUserView), nextCursor: result.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      tags: ['admin'],
      request: jsonBody(NewUser),
      responses: {
        201: {
          description:
            'Created. The temporary password is shown this once; it must be changed at first sign-in.',
          ...json(z.object({ user: UserView, temporaryPassword: z.string() })),
        },
        ...refusals,
        404: { description: 'Local accounts are turned off here.' },
        409: { description: 'The email is taken.' },
        422: problem,
      },
    }),
    async (c) => {
      const created = await createLocalUser(deps, actorOf(c), c.req.valid('json'));
      c.header('location', `/api/v1/admin/users/${created.user.id}`);
      c.header('cache-control', 'no-store');
      return c.json(
        { user: toUserView(created.user), temporaryPassword: created.temporaryPassword },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users/{id}',
      tags: ['admin'],
      request: { params: Params },
      responses: {
        200: { description: 'The user.', ...json(UserView) },
        ...refusals,
        404: problem,
      },
    }),
    async (c) => {
      const user = await deps.users.get(c.req.valid('param').id);
      if (!user) throw new NotFound('The user');
      return c.json(toUserView(user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/users/{id}',
      tags: ['admin'],
      request: { params: Params, ...jsonBody(UserChange) },
      responses: {
        200: {
          description: 'Changed. A role change ends the user’s sessions.',
          ...json(UserView),
        },
        ...refusals,
        404: problem,
        409: { description: 'Changed by someone else meanwhile, or your own demotion.' },
        422: problem,
      },
    }),
    async (c) =>
      c.json(
        toUserView(
          await changeUser(deps, actorOf(c), c.req.valid('param').id, c.req.valid('json')),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users/{id}/disable',
      tags: ['admin'],
      request: { params: Params },
      responses: {
        200: {
          description:
            'Disabled: sessions and API tokens revoked, running environments stopped (volumes kept).',
          ...json(UserView),
        },
        ...refusals,
        404: problem,
        409: { description: 'Your own account.' },
      },
    }),
    async (c) =>
      c.json(toUserView(await disableUser(deps, actorOf(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users/{id}/enable',
      tags: ['admin'],
      request: { params: Params },
      responses: {
        200: { description: 'Enabled: the user may sign in again.', ...json(UserView) },
        ...refusals,
        404: problem,
      },
    }),
    async (c) =>
      c.json(toUserView(await enableUser(deps, actorOf(c), c.req.valid('param').id)), 200),
  );

  return app;
}
