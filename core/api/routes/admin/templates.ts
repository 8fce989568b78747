// /api/v1/admin/templates: the whole catalog, disabled templates included.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  createTemplate,
  deleteTemplate,
  listAllTemplates,
  readTemplate,
  replaceTemplate,
  setTemplateEnabled,
  type VersionedTemplate,
} from '../../../admin/catalog.js';
import type { AdminDeps } from '../../../admin/deps.js';
import { etagOf } from '../../../admin/versioning.js';
import { Template, TemplateId } from '../../../environment/model.js';
import { ValidationFailed } from '../../../errors.js';
import type { AppEnv } from '../../context.js';
import { validationHook } from '../../validation.js';
import { actorOf, json, jsonBody, problem, refusals } from './shared.js';

const Params = z.object({ id: TemplateId });
/** What an admin sends: the Template schema, and no field it does not know (a typo is an error, not a no-op). */
const TemplateInput = Template.strict();
const Collection = z.object({ items: z.array(Template), nextCursor: z.null() });

const ifMatch = (required: boolean) =>
  z.object({
    'if-match': z
      .string()
      .optional()
      .openapi({
        description: required
          ? 'The ETag of the template you read (required).'
          : 'The ETag of the template you read (optional; checked when sent).',
      }),
  });
const etagHeader = { etag: { schema: { type: 'string' as const } } };
const stale = {
  412: { description: 'Someone saved the template since your read: reload and retry.' },
};

/** The template with its version as the ETag, for the next If-Match. */
function versioned(c: Context<AppEnv>, saved: VersionedTemplate, status: 200 | 201) {
  c.header('etag', etagOf(saved.version));
  c.header('cache-control', 'private, no-cache');
  return c.json(saved.template, status);
}

export function adminTemplateRoutes(deps: AdminDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/templates',
      tags: ['admin'],
      responses: {
        200: { description: 'Every template, enabled or not.', ...json(Collection) },
        ...refusals,
      },
    }),
    async (c) => c.json({ items: await listAllTemplates(deps), nextCursor: null }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/templates',
      tags: ['admin'],
      request: jsonBody(TemplateInput),
      responses: {
        201: {
          description: 'Created (version 1, in the ETag).',
          headers: etagHeader,
          ...json(Template),
        },
        ...refusals,
        409: { description: 'A template with this id exists.' },
        422: problem,
      },
    }),
    async (c) => {
      const created = await createTemplate(deps, actorOf(c), c.req.valid('json'));
      c.header('location', `/api/v1/admin/templates/${created.template.id}`);
      return versioned(c, created, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/templates/{id}',
      tags: ['admin'],
      request: { params: Params },
      responses: {
        200: {
          description: 'The template; the ETag header is its version, for If-Match.',
          headers: etagHeader,
          ...json(Template),
        },
        ...refusals,
        404: problem,
      },
    }),
    async (c) => versioned(c, await readTemplate(deps, c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/templates/{id}',
      tags: ['admin'],
      request: { params: Params, headers: ifMatch(true), ...jsonBody(TemplateInput) },
      responses: {
        200: {
          description:
            'Replaced (fields left out take their defaults); the new ETag is in the header.',
          headers: etagHeader,
          ...json(Template),
        },
        ...refusals,
        404: problem,
        ...stale,
        422: problem,
        428: { description: 'If-Match is missing.' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      if (body.id !== id)
        throw new ValidationFailed([
          { field: 'id', message: "must match the template's id in the path" },
        ]);
      return versioned(
        c,
        await replaceTemplate(deps, actorOf(c), body, c.req.header('if-match')),
        200,
      );
    },
  );

  for (const enabled of [true, false]) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/templates/{id}/${enabled ? 'enable' : 'disable'}`,
        tags: ['admin'],
        request: { params: Params, headers: ifMatch(false) },
        responses: {
          200: {
            headers: etagHeader,
            description: enabled
              ? 'Enabled: its tiers may launch it again.'
              : 'Disabled: no new environment starts from it; existing ones keep running.',
            ...json(Template),
          },
          ...refusals,
          404: problem,
          ...stale,
          422: problem,
        },
      }),
      async (c) =>
        versioned(
          c,
          await setTemplateEnabled(
            deps,
            actorOf(c),
            c.req.valid('param').id,
            enabled,
            c.req.header('if-match'),
          ),
          200,
        ),
    );
  }

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/templates/{id}',
      tags: ['admin'],
      request: { params: Params, headers: ifMatch(false) },
      responses: {
        204: { description: 'Deleted.' },
        ...refusals,
        404: problem,
        409: { description: 'Environments still use it: disable it instead.' },
        ...stale,
      },
    }),
    async (c) => {
      await deleteTemplate(deps, actorOf(c), c.req.valid('param').id, c.req.header('if-match'));
      return c.body(null, 204);
    },
  );

  return app;
}
