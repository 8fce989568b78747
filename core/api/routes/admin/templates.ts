// /api/v1/admin/templates: the whole catalog, disabled templates included.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  createTemplate,
  deleteTemplate,
  listAllTemplates,
  replaceTemplate,
  setTemplateEnabled,
} from '../../../admin/catalog.js';
import type { AdminDeps } from '../../../admin/deps.js';
import { Template, TemplateId } from '../../../environment/model.js';
import { NotFound, ValidationFailed } from '../../../errors.js';
import type { AppEnv } from '../../context.js';
import { validationHook } from '../../validation.js';
import { actorOf, json, jsonBody, problem, refusals } from './shared.js';

const Params = z.object({ id: TemplateId });
/** What an admin sends: the Template schema, and no field it does not know (a typo is an error, not a no-op). */
const TemplateInput = Template.strict();
const Collection = z.object({ items: z.array(Template), nextCursor: z.null() });

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
        201: { description: 'Created.', ...json(Template) },
        ...refusals,
        409: { description: 'A template with this id exists.' },
        422: problem,
      },
    }),
    async (c) => {
      const template = await createTemplate(deps, actorOf(c), c.req.valid('json'));
      c.header('location', `/api/v1/admin/templates/${template.id}`);
      return c.json(template, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/templates/{id}',
      tags: ['admin'],
      request: { params: Params },
      responses: {
        200: { description: 'The template.', ...json(Template) },
        ...refusals,
        404: problem,
      },
    }),
    async (c) => {
      const template = await deps.catalog.get(c.req.valid('param').id);
      if (!template) throw new NotFound('The template');
      return c.json(template, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/templates/{id}',
      tags: ['admin'],
      request: { params: Params, ...jsonBody(TemplateInput) },
      responses: {
        200: { description: 'Replaced (fields left out take their defaults).', ...json(Template) },
        ...refusals,
        404: problem,
        422: problem,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      if (body.id !== id)
        throw new ValidationFailed([
          { field: 'id', message: "must match the template's id in the path" },
        ]);
      return c.json(await replaceTemplate(deps, actorOf(c), body), 200);
    },
  );

  for (const enabled of [true, false]) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/templates/{id}/${enabled ? 'enable' : 'disable'}`,
        tags: ['admin'],
        request: { params: Params },
        responses: {
          200: {
            description: enabled
              ? 'Enabled: its tiers may launch it again.'
              : 'Disabled: no new environment starts from it; existing ones keep running.',
            ...json(Template),
          },
          ...refusals,
          404: problem,
          422: problem,
        },
      }),
      async (c) =>
        c.json(await setTemplateEnabled(deps, actorOf(c), c.req.valid('param').id, enabled), 200),
    );
  }

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/templates/{id}',
      tags: ['admin'],
      request: { params: Params },
      responses: {
        204: { description: 'Deleted.' },
        ...refusals,
        404: problem,
        409: { description: 'Environments still use it: disable it instead.' },
      },
    }),
    async (c) => {
      await deleteTemplate(deps, actorOf(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  return app;
}
