// The fleet: every live environment with its owner, a small overview of what
// runs against the installation's limit, and acting on anyone's environment
// through the lifecycle verb (the same transitions and counters as the owner's).
import { changeEnvironment } from '../environment/lifecycle.js';
import type { Environment, Phase } from '../environment/model.js';
import { formatCpu, formatMemory, parseCpu, parseMemory } from '../environment/quantity.js';
import { NotFound } from '../errors.js';
import type { FleetFilter } from '../store/fleet.js';
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
