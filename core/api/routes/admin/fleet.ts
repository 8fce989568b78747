// /api/v1/admin/environments: every live environment, an overview, and
// start / stop / delete on anyone's environment.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AdminDeps } from '../../../admin/deps.js';
import {
  actOnEnvironment,
  type FleetOperation,
  fleetOverview,
  keepEnvironmentAlive,
  listFleet,
  MAX_KEEP_ALIVE_DAYS,
  orphanVolumes,
} from '../../../admin/fleet.js';
import { EnvironmentId, Phase, TemplateId, UserId } from '../../../environment/model.js';
import type { AppEnv } from '../../context.js';
import { validationHook } from '../../validation.js';
import { EnvironmentView, toView } from '../environments.js';
import { actorOf, json, jsonBody, PageQuery, page, problem, refusals } from './shared.js';

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

const KeepAlive = z
  .object({
    until: z.iso
      .datetime({ offset: true })
      .nullable()
      .describe(
        `No warning and no cull before this time: in the future, at most ${MAX_KEEP_ALIVE_DAYS} days ahead; null ends the exemption.`,
      ),
  })
  .strict()
  .openapi('KeepAlive');

const OrphanVolumes = z
  .object({
    items: z.array(
      z.object({
        namespace: z.string(),
        name: z.string(),
        envId: z.string(),
        ownerId: z.string().nullable(),
        createdAt: z.string().nullable(),
      }),
    ),
    /** All of them; `items` holds at most 1,000. */
    count: z.number(),
    /** When the reconciler last saw the list change. */
    since: z.string().nullable(),
  })
  .openapi('OrphanVolumes');

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
  app.openapi(
    createRoute({
      method: 'post',
      path: '/environments/{id}/keep-alive',
      tags: ['admin'],
      request: { params: Params, ...jsonBody(KeepAlive) },
      responses: {
        200: {
          description: 'Exempted from the reaper until then (or no longer, with null).',
          ...json(EnvironmentView),
        },
        ...refusals,
        404: problem,
        409: { description: 'The environment is deleted.' },
        422: problem,
      },
    }),
    async (c) =>
      c.json(
        toView(
          await keepEnvironmentAlive(
            deps,
            actorOf(c),
            c.req.valid('param').id,
            c.req.valid('json').until,
          ),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/volumes/orphans',
      tags: ['admin'],
      responses: {
        200: {
          description:
            'Workspace volumes the reconciler found without an environment. Never deleted automatically: they may hold someone’s data.',
          ...json(OrphanVolumes),
        },
        ...refusals,
      },
    }),
    async (c) => {
      const found = await orphanVolumes(deps);
      return c.json(
        {
          items: found.volumes.map((v) => ({
            namespace: v.namespace,
            name: v.name,
            envId: v.envId,
            ownerId: v.ownerId ?? null,
            createdAt: v.createdAt ?? null,
          })),
          count: found.count,
          since: found.since ?? null,
        },
        200,
      );
    },
  );

  act('start', 'post', '/environments/{id}/start', 'Starting (within its owner’s limits).');
  act('stop', 'post', '/environments/{id}/stop', 'Stopping; the volume is kept.');
  act('delete', 'delete', '/environments/{id}', 'Deleting: compute removed, the volume kept.');

  return app;
}
