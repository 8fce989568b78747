// /api/v1/admin/environments: every live environment, an overview, and
// start / stop / delete on anyone's environment.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AdminDeps } from '../../../admin/deps.js';
import {
  actOnEnvironment,
  type FleetOperation,
  fleetOverview,
  listFleet,
} from '../../../admin/fleet.js';
import { EnvironmentId, Phase, TemplateId, UserId } from '../../../environment/model.js';
import type { AppEnv } from '../../context.js';
import { validationHook } from '../../validation.js';
import { EnvironmentView, toView } from '../environments.js';
import { actorOf, json, PageQuery, page, problem, refusals } from './shared.js';

const Owner = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    tier: z.string(),
    disabled: z.boolean(),
  })
  .nullable();
const FleetItem = z.object({ environment: EnvironmentView, owner: Owner }).openapi('FleetEntry');

const FleetQuery = z.object({
  ...PageQuery,
  phase: Phase.optional(),
  ownerId: UserId.optional(),
  templateId: TemplateId.optional(),
});

const Overview = z
  .object({
    total: z.number(),
    byPhase: z.record(z.string(), z.number()),
    running: z.object({ count: z.number(), limit: z.number() }),
    resources: z.object({ cpu: z.string(), memory: z.string() }),
  })
  .openapi('FleetOverview');

const Params = z.object({ id: EnvironmentId });

export function adminFleetRoutes(deps: AdminDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/environments',
      tags: ['admin'],
      request: { query: FleetQuery },
      responses: {
        200: {
          description: 'Live environments with their owners, filtered by phase, owner or template.',
          ...json(page(FleetItem)),
        },
        ...refusals,
        422: problem,
      },
    }),
    async (c) => {
      const { limit, cursor, phase, ownerId, templateId } = c.req.valid('query');
      const result = await listFleet(deps, {
        limit,
        cursor,
        filter: { phase, ownerId, templateId },
      });
      return c.json(
        {
          items: result.items.map((e) => ({ environment: toView(e.environment), owner: e.owner })),
          nextCursor: result.nextCursor,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/environments/overview',
      tags: ['admin'],
      responses: {
        200: {
          description:
            'Counts by phase; running environments and their resources against the limit.',
          ...json(Overview),
        },
        ...refusals,
      },
    }),
    async (c) => c.json(await fleetOverview(deps), 200),
  );

  const act = (
    operation: FleetOperation,
    method: 'post' | 'delete',
    path: string,
    description: string,
  ) =>
    app.openapi(
      createRoute({
        method,
        path,
        tags: ['admin'],
        request: { params: Params },
        responses: {
          202: { description, ...json(EnvironmentView) },
          ...refusals,
          404: problem,
          409: { description: 'Not allowed in its state, or a limit of its owner is reached.' },
        },
      }),
      async (c) =>
        c.json(
          toView(await actOnEnvironment(deps, actorOf(c), c.req.valid('param').id, operation)),
          202,
        ),
    );
  act('start', 'post', '/environments/{id}/start', 'Starting (within its owner’s limits).');
  act('stop', 'post', '/environments/{id}/stop', 'Stopping; the volume is kept.');
  act('delete', 'delete', '/environments/{id}', 'Deleting: compute removed, the volume kept.');

  return app;
}
