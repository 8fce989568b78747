// Who am I, and my personal API tokens.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { MAX_TOKEN_DAYS } from '../../auth/api-tokens.js';
import { Unauthenticated } from '../../auth/errors.js';
import type { Auth } from '../../auth/index.js';
import { type Principal, sessionScopes } from '../../auth/principal.js';
import { Scope } from '../../store/api-tokens.js';
import type { User } from '../../store/users.js';
import type { AppEnv } from '../context.js';
import { validationHook } from '../validation.js';

export const MeSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(['admin', 'user']),
    tier: z.string(),
    mustChangePassword: z.boolean(),
    via: z.enum(['session', 'token']),
    scopes: z.array(Scope),
  })
  .openapi('Me');

export function toMe(
  user: User,
  credential: Pick<Principal, 'via'> & Partial<Pick<Principal, 'scopes'>>,
) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    tier: user.tier,
    mustChangePassword: user.mustChangePassword === true,
    via: credential.via,
    scopes: [...(credential.scopes ?? sessionScopes(user.role))],
  };
}

const TokenInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(Scope).min(1).max(3),
    expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).default(90),
  })
  .strict()
  .openapi('ApiTokenInput');

const TokenInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(Scope),
    createdAt: z.string(),
    expiresAt: z.string(),
    lastUsedAt: z.string().optional(),
  })
  .openapi('ApiToken');

const CreatedToken = z
  .object({
    id: z.string(),
    token: z.string(),
    name: z.string(),
    scopes: z.array(Scope),
    expiresAt: z.string(),
  })
  .openapi('CreatedApiToken');

export function meRoutes(deps: { auth: Auth }) {
  const { auth } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      responses: {
        200: {
          description: 'The signed-in user.',
          content: { 'application/json': { schema: MeSchema } },
        },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const user = await auth.users.get(principal.userId);
      if (!user || user.disabled) throw new Unauthenticated();
      return c.json(toMe(user, principal), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tokens',
      responses: {
        200: {
          description: 'Your live API tokens (never their secrets).',
          content: {
            'application/json': {
              schema: z.object({ items: z.array(TokenInfo), nextCursor: z.null() }),
            },
          },
        },
      },
    }),
    async (c) =>
      c.json({ items: await auth.apiTokens.list(c.get('principal')), nextCursor: null }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tokens',
      request: {
        body: { content: { 'application/json': { schema: TokenInput } }, required: true },
      },
      responses: {
        201: {
          description: 'The token; its secret is shown only now.',
          content: { 'application/json': { schema: CreatedToken } },
        },
      },
    }),
    async (c) => {
      const created = await auth.apiTokens.create(c.get('principal'), c.req.valid('json'));
      return c.json(created, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/tokens/{id}',
      request: { params: z.object({ id: z.string().regex(/^[0-9a-f]{32}$/) }) },
      responses: { 204: { description: 'Revoked.' } },
    }),
    async (c) => {
      await auth.apiTokens.revoke(c.get('principal'), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  return app;
}
