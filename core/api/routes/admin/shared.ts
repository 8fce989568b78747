// What every admin route shares: the actor for the audit trail, cursor pages
// and the problem response's description.
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Actor } from '../../../admin/audited.js';
import type { AppEnv } from '../../context.js';

export const actorOf = (c: Context<AppEnv>): Actor => ({
  userId: c.get('principal').userId,
  requestId: c.get('requestId'),
});

export const json = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/json': { schema } },
});
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const problem = { description: 'A problem (RFC 9457), application/problem+json.' };
/** Every admin route can answer these. */
export const refusals = {
  401: { description: 'Not signed in.' },
  403: { description: 'Not an administrator, or a credential without the admin scope.' },
};

export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
};

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
