// /api/v1/admin/settings: the installation's limits and tiers, versioned with
// ETag / If-Match (412 on a stale write, 428 without If-Match).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AdminDeps } from '../../../admin/deps.js';
import { readSettings, updateSettings } from '../../../admin/settings.js';
import { etagOf } from '../../../admin/versioning.js';
import { ImagePrefix, Settings, TierLimits } from '../../../environment/model.js';
import type { AppEnv } from '../../context.js';
import { validationHook } from '../../validation.js';
import { actorOf, json, jsonBody, problem, refusals } from './shared.js';

const TierName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/, 'must be a lowercase slug');

/** A PUT states every field: nothing silently falls back to a default. */
const SettingsInput = z
  .object({
    maxRunningGlobal: z.number().int().min(0),
    tiers: z
      .record(TierName, TierLimits.strict())
      .refine((t) => Object.keys(t).length > 0, { message: 'at least one tier is needed' }),
    cullWarningMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60),
    dataRetentionDays: z.number().int().min(0).max(3650),
    customImages: z
      .object({
        tiers: z.array(TierName).max(50),
        allowedRegistries: z.array(ImagePrefix).max(100),
      })
      .strict()
      .optional()
      .openapi({
        description:
          'Which tiers may launch an image of their own, and from which registries or repositories (prefixes of whole path segments, e.g. ghcr.io/mylab). Off with no tiers. Left out: unchanged.',
      }),
  })
  .strict()
  .openapi('SettingsInput');

const IfMatch = z.object({
  'if-match': z
    .string()
    .optional()
    .openapi({ description: 'The ETag of the settings you read (required).' }),
});

export function adminSettingsRoutes(deps: AdminDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/settings',
      tags: ['admin'],
      responses: {
        200: {
          description: 'The settings; the ETag header is their version, for If-Match.',
          headers: { etag: { schema: { type: 'string' } } },
          ...json(Settings),
        },
        ...refusals,
      },
    }),
    async (c) => {
      const { settings, version } = await readSettings(deps);
      c.header('etag', etagOf(version));
      c.header('cache-control', 'private, no-cache');
      return c.json(settings, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/settings',
      tags: ['admin'],
      request: { headers: IfMatch, ...jsonBody(SettingsInput) },
      responses: {
        200: { description: 'Saved; the new ETag is in the header.', ...json(Settings) },
        ...refusals,
        412: { description: 'Someone saved since your read: reload and retry.' },
        422: problem,
        428: { description: 'If-Match is missing.' },
      },
    }),
    async (c) => {
      const saved = await updateSettings(
        deps,
        actorOf(c),
        c.req.valid('json'),
        c.req.header('if-match'),
      );
      c.header('etag', etagOf(saved.version));
      return c.json(saved.settings, 200);
    },
  );

  return app;
}
