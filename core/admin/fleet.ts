// The fleet: every live environment with its owner, a small overview of what
// runs against the installation's limit, and acting on anyone's environment
// through the lifecycle verb (the same transitions and counters as the owner's).
import { changeEnvironment } from '../environment/lifecycle.js';
import type { Environment, Phase } from '../environment/model.js';
import { formatCpu, formatMemory, parseCpu, parseMemory } from '../environment/quantity.js';
import { DomainError, NotFound, ValidationFailed } from '../errors.js';
import type { FleetFilter } from '../store/fleet.js';
import type { OrphanVolume } from '../store/orphans.js';
import type { User } from '../store/users.js';
import { type Actor, audited } from './audited.js';
import type { AdminDeps } from './deps.js';

export interface FleetEntry {
  environment: Environment;
  owner: Pick<User, 'id' | 'email' | 'name' | 'tier' | 'disabled'> | null;
}

export async function listFleet(
  deps: Pick<AdminDeps, 'fleet' | 'users'>,
  opts: { limit: number; cursor?: string; filter: FleetFilter },
): Promise<{ items: FleetEntry[]; nextCursor: string | null }> {
  const page = await deps.fleet.page(opts);
  const ownerIds = [...new Set(page.items.map((e) => e.ownerId))];
  const owners = new Map(
    await Promise.all(ownerIds.map(async (id) => [id, await deps.users.get(id)] as const)),
  );
  return {
    items: page.items.map((environment) => {
      const o = owners.get(environment.ownerId);
      return {
        environment,
        owner: o
          ? { id: o.id, email: o.email, name: o.name, tier: o.tier, disabled: o.disabled }
          : null,
      };
    }),
    nextCursor: page.nextCursor,
  };
}

export interface FleetOverview {
  /** Live environments (not deleted). */
  total: number;
  byPhase: Partial<Record<Phase, number>>;
  /** Environments meant to run (desired state running), against the installation's limit. */
  running: { count: number; limit: number };
  /** cpu and memory those environments hold (their requests = limits). */
  resources: { cpu: string; memory: string };
}

export async function fleetOverview(
  deps: Pick<AdminDeps, 'fleet' | 'catalog'>,
): Promise<FleetOverview> {
  const [environments, settings] = await Promise.all([deps.fleet.all(), deps.catalog.settings()]);
  const byPhase: Partial<Record<Phase, number>> = {};
  let running = 0;
  let cpu = 0;
  let memory = 0;
  for (const env of environments) {
    byPhase[env.status.phase] = (byPhase[env.status.phase] ?? 0) + 1;
    if (env.desiredState !== 'running') continue;
    running++;
    cpu += parseCpu(env.spec.resources.cpu) ?? 0;
    memory += parseMemory(env.spec.resources.memory) ?? 0;
  }
  return {
    total: environments.length,
    byPhase,
    running: { count: running, limit: settings.maxRunningGlobal },
    resources: { cpu: formatCpu(cpu), memory: formatMemory(memory) },
  };
}

export type FleetOperation = 'start' | 'stop' | 'delete';

/** start / stop / delete on anyone's environment, within its owner's tier limits. */
export function actOnEnvironment(
  deps: AdminDeps,
  actor: Actor,
  envId: string,
  operation: FleetOperation,
): Promise<Environment> {
  return audited(
    deps,
    actor,
    { action: `environment.${operation}`, target: `environment:${envId}` },
    async () => {
      // The id index is eventually consistent; the owner's item is then read consistently.
      const found = await deps.environments.findById(envId);
      const env = found && (await deps.environments.get(found.ownerId, envId));
      if (!env) throw new NotFound('The environment');
      const owner = await deps.users.get(env.ownerId);
      if (!owner) throw new NotFound("The environment's owner");
      return changeEnvironment(deps.lifecycle, env, operation, owner.tier);
    },
  );
}

/** How far ahead an admin may exempt an environment from the reaper. */
export const MAX_KEEP_ALIVE_DAYS = 30;

/**
 * An admin's keep-alive: the reaper neither warns nor culls the environment
 * before `until` (null clears it). `until` must be in the future and at most
 * MAX_KEEP_ALIVE_DAYS ahead: an exemption always ends.
 */
export function keepEnvironmentAlive(
  deps: AdminDeps,
  actor: Actor,
  envId: string,
  until: string | null,
): Promise<Environment> {
  return audited(
    deps,
    actor,
    {
      action: until ? 'environment.keep-alive' : 'environment.keep-alive-clear',
      target: `environment:${envId}`,
      ...(until ? { detail: `until ${new Date(until).toISOString()}` } : {}),
    },
    async () => {
      const at = until === null ? undefined : checkKeepAlive(until, deps.now());
      const found = await deps.environments.findById(envId);
      const env = found && (await deps.environments.get(found.ownerId, envId));
      if (!env) throw new NotFound('The environment');
      if (env.desiredState === 'deleted')
        throw new DomainError(
          'environment-deleted',
          'Environment deleted',
          409,
          'A deleted environment runs no more: there is nothing to keep alive.',
        );
      return deps.environments.setKeepAlive(env, at);
    },
  );
}

function checkKeepAlive(until: string, now: Date): string {
  const at = Date.parse(until);
  const latest = now.getTime() + MAX_KEEP_ALIVE_DAYS * 86_400_000;
  if (!(at > now.getTime()))
    throw new ValidationFailed([{ field: 'until', message: 'must be in the future' }]);
  if (at > latest)
    throw new ValidationFailed([
      { field: 'until', message: `must be at most ${MAX_KEEP_ALIVE_DAYS} days ahead` },
    ]);
  return new Date(at).toISOString();
}

/** Workspace volumes the reconciler found without an environment: kept, for an admin to review. */
export function orphanVolumes(
  deps: Pick<AdminDeps, 'orphanVolumes'>,
): Promise<{ volumes: OrphanVolume[]; count: number; since?: string }> {
  return deps.orphanVolumes.list();
}
