// The environment verbs the API calls: create, start, stop, delete, delete
// and restore data. Each validates, authorizes by tier, writes the new intent
// (generation + 1, counters) through the repository, and then enqueues it.
// The repository and the queue are ports: this module imports no SDK.
import type { Intent as QueueIntent } from '../queue/intent.js';
import { CustomImageNoLongerAllowed, isAllowedImage, mayUseCustomImages } from './custom-images.js';
import { type Environment, initialStatus, type Settings, type Template } from './model.js';
import { newEnvironmentId, volumeNameFor } from './naming.js';
import { availableTemplates, resolveSpec, type SpecRequest, tierLimits } from './policies.js';
import { uncull } from './reaper.js';
import { type Operation, transition } from './state-machine.js';

export interface EnvironmentRepository {
  create(
    env: Environment,
    limits: { maxRunning: number; maxTotal: number; maxRunningGlobal: number },
    idempotency?: { key: string; requestHash: string; now: Date },
  ): Promise<{ env: Environment; replayed: boolean }>;
  changeDesired(
    current: Environment,
    next: Pick<Environment, 'desiredState' | 'dataDeletion' | 'status'>,
    limits: { maxRunning: number; maxTotal: number; maxRunningGlobal: number },
    now: Date,
  ): Promise<Environment>;
}

export interface CatalogRepository {
  list(): Promise<Template[]>;
  get(id: string): Promise<Template | undefined>;
  settings(): Promise<Settings>;
}

export interface LifecycleDeps {
  environments: EnvironmentRepository;
  catalog: CatalogRepository;
  queue: { publish(intent: QueueIntent): Promise<boolean> };
  now: () => Date;
}

export interface Requester {
  userId: string;
  tier: string;
}

const limitsOf = (settings: Settings, tier: string) => {
  const t = tierLimits(settings, tier);
  return {
    maxRunning: t.maxRunning,
    maxTotal: t.maxTotal,
    maxRunningGlobal: settings.maxRunningGlobal,
  };
};

const intentOf = (env: Environment): QueueIntent => ({
  envId: env.id,
  ownerId: env.ownerId,
  generation: env.generation,
});

export async function templatesFor(
  deps: Pick<LifecycleDeps, 'catalog'>,
  tier: string,
): Promise<Template[]> {
  return availableTemplates(await deps.catalog.list(), tier).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
}

export async function createEnvironment(
  deps: LifecycleDeps,
  requester: Requester,
  request: SpecRequest,
  idempotency?: { key: string; requestHash: string },
): Promise<{ env: Environment; replayed: boolean }> {
  const settings = await deps.catalog.settings();
  const limits = tierLimits(settings, requester.tier);
  const template = await deps.catalog.get(request.templateId);
  const id = newEnvironmentId();
  const spec = resolveSpec(request, {
    template,
    tier: requester.tier,
    limits,
    volumeName: volumeNameFor(id),
    customImages: settings.customImages,
  });
  const now = deps.now();
  const at = now.toISOString();
  const env: Environment = {
    id,
    ownerId: requester.userId,
    spec,
    desiredState: 'running',
    generation: 1,
    status: {
      ...initialStatus(),
      events: [{ at, type: 'Normal', reason: 'Queued', message: 'Waiting for the provisioner.' }],
    },
    createdAt: at,
    updatedAt: at,
  };
  const created = await deps.environments.create(
    env,
    limitsOf(settings, requester.tier),
    idempotency ? { ...idempotency, now } : undefined,
  );
  if (!created.replayed) await deps.queue.publish(intentOf(created.env));
  return created;
}

/** start / stop / delete / deleteData / restoreData / purgeData on an environment the caller may act on. */
export async function changeEnvironment(
  deps: LifecycleDeps,
  env: Environment,
  operation: Operation,
  ownerTier: string,
): Promise<Environment> {
  const settings = await deps.catalog.settings();
  // A custom image is checked again at every start: an admin may have withdrawn it since.
  if (
    operation === 'start' &&
    env.spec.image &&
    !(
      mayUseCustomImages(settings.customImages, ownerTier) &&
      isAllowedImage(settings.customImages.allowedRegistries, env.spec.image)
    )
  )
    throw new CustomImageNoLongerAllowed(env.spec.image);
  const now = deps.now();
  const next = transition(env, operation, now, { dataRetentionDays: settings.dataRetentionDays });
  if (!next.changed) return env;
  // A start ends what a cull did: Culled goes False.
  const status = next.desiredState === 'running' ? uncull(env.status, now) : env.status;
  const updated = await deps.environments.changeDesired(
    env,
    { desiredState: next.desiredState, dataDeletion: next.dataDeletion, status },
    limitsOf(settings, ownerTier),
    now,
  );
  await deps.queue.publish(intentOf(updated));
  return updated;
}
