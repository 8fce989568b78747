// The environment as clients see it (DESIGN.md, "Shapes"): the spec
// flattened, the status without the planner's bookkeeping (progress). One
// schema, so the OpenAPI document and the responses cannot drift apart.
import { z } from 'zod';
import {
  Condition,
  DataDeletion,
  DesiredState,
  type Environment,
  Failure,
  Phase,
  ProgressEvent,
  Resources,
} from './model.js';

export const EnvironmentView = z.object({
  id: z.string(),
  name: z.string(),
  templateId: z.string(),
  resources: Resources,
  desiredState: DesiredState,
  generation: z.number().int(),
  status: z.object({
    phase: Phase,
    conditions: z.array(Condition),
    observedGeneration: z.number().int(),
    url: z.string().nullable(),
    events: z.array(ProgressEvent),
    lastActivityAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    cullAt: z.string().nullable(),
    /** Why the last start failed, in the cluster's words; null unless Failed. */
    failure: Failure.nullable(),
  }),
  /** Present once the data was deleted: restorable until purgeAfter. */
  dataDeletion: DataDeletion.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EnvironmentView = z.infer<typeof EnvironmentView>;

export function toView(env: Environment): EnvironmentView {
  const s = env.status;
  return {
    id: env.id,
    name: env.spec.name,
    templateId: env.spec.templateId,
    resources: { cpu: env.spec.resources.cpu, memory: env.spec.resources.memory },
    desiredState: env.desiredState,
    generation: env.generation,
    status: {
      phase: s.phase,
      conditions: s.conditions,
      observedGeneration: s.observedGeneration,
      url: s.url ?? null,
      events: s.events,
      lastActivityAt: s.lastActivityAt ?? null,
      startedAt: s.startedAt ?? null,
      cullAt: s.cullAt ?? null,
      failure: s.phase === 'Failed' ? (s.failure ?? null) : null,
    },
    dataDeletion: env.dataDeletion ?? null,
    createdAt: env.createdAt,
    updatedAt: env.updatedAt,
  };
}
