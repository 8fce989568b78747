// Managing people: local accounts created with a one-time password, role and
// tier changes, disable and enable. Disabling is thorough: the account is
// marked (no new sign-in, no refresh: authVersion moves on), its API tokens
// are revoked and its running environments are stopped through the same
// lifecycle verb a user would use — their volumes are kept.

import type { Role } from '../auth/access-token.js';
import { LocalAccountsDisabled } from '../auth/errors.js';
import { generatePassword, hashPassword } from '../auth/password.js';
import { newId } from '../auth/secrets.js';
import { changeEnvironment } from '../environment/lifecycle.js';
import type { Environment } from '../environment/model.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { EnvironmentChanged } from '../store/environments.js';
import { normalizeEmail, type User } from '../store/users.js';
import { type Actor, audited } from './audited.js';
import type { AdminDeps } from './deps.js';
import { SelfLockout } from './errors.js';

export interface NewLocalUser {
  email: string;
  name: string;
  role: Role;
  tier: string;
}

async function checkTier(deps: Pick<AdminDeps, 'catalog'>, tier: string) {
  const settings = await deps.catalog.settings();
  if (!Object.hasOwn(settings.tiers, tier))
    throw new ValidationFailed([{ field: 'tier', message: `tier "${tier}" is not configured` }]);
}

async function existing(deps: Pick<AdminDeps, 'users'>, id: string): Promise<User> {
  const user = await deps.users.get(id);
  if (!user) throw new NotFound('The user');
  return user;
}

/** Creates a local account; its temporary password is returned once and must be changed at first sign-in. */
export function createLocalUser(
  deps: AdminDeps,
  actor: Actor,
  input: NewLocalUser,
): Promise<{ user: User; temporaryPassword: string }> {
  return audited(
    deps,
    actor,
    { action: 'user.create', target: `email:${normalizeEmail(input.email)}` },
    async () => {
      if (!deps.localAccountsEnabled) throw new LocalAccountsDisabled();
      await checkTier(deps, input.tier);
      const temporaryPassword = generatePassword();
      const user: User = {
        id: newId(),
        email: input.email,
        name: input.name,
        role: input.role,
        tier: input.tier,
        disabled: false,
        createdAt: deps.now().toISOString(),
        passwordHash: await hashPassword(temporaryPassword, deps.scryptCost),
        mustChangePassword: true,
        authVersion: 0,
      };
      await deps.users.create(user);
      return { user: (await deps.users.get(user.id)) ?? user, temporaryPassword };
    },
  );
}

/** A role change ends the user's sessions (their access carries the old role); a tier change does not. */
export function changeUser(
  deps: AdminDeps,
  actor: Actor,
  id: string,
  changes: { role?: Role; tier?: string },
): Promise<User> {
  return audited(
    deps,
    actor,
    {
      action: 'user.update',
      target: `user:${id}`,
      detail: Object.entries(changes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    },
    async () => {
      const user = await existing(deps, id);
      if (changes.role === 'user' && id === actor.userId) throw new SelfLockout('demote');
      if (changes.tier !== undefined) await checkTier(deps, changes.tier);
      const roleChanges = changes.role !== undefined && changes.role !== user.role;
      await deps.users.update(id, user.authVersion, changes, { bumpAuthVersion: roleChanges });
      return existing(deps, id);
    },
  );
}

export function disableUser(deps: AdminDeps, actor: Actor, id: string): Promise<User> {
  return audited(deps, actor, { action: 'user.disable', target: `user:${id}` }, async () => {
    if (id === actor.userId) throw new SelfLockout('disable');
    const user = await existing(deps, id);
    // First the account, so nothing new starts while we stop what runs.
    if (!user.disabled)
      await deps.users.update(id, user.authVersion, { disabled: true }, { bumpAuthVersion: true });
    for (const token of await deps.apiTokens.list(id)) {
      await deps.apiTokens.revoke(id, token.id).catch((err) => {
        if (!(err instanceof NotFound)) throw err; // revoked meanwhile: fine
      });
    }
    for (const env of await allEnvironmentsOf(deps, id)) {
      if (env.desiredState === 'running') await stopEnvironment(deps, env, user.tier);
    }
    return existing(deps, id);
  });
}

export function enableUser(deps: AdminDeps, actor: Actor, id: string): Promise<User> {
  return audited(deps, actor, { action: 'user.enable', target: `user:${id}` }, async () => {
    const user = await existing(deps, id);
    if (user.disabled) await deps.users.update(id, user.authVersion, { disabled: false });
    return existing(deps, id);
  });
}

async function allEnvironmentsOf(deps: AdminDeps, ownerId: string): Promise<Environment[]> {
  const all: Environment[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.environments.listByOwner(ownerId, { limit: 100, cursor });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/** Stops one environment; a concurrent change (a heartbeat, the reaper) is re-read and retried once. */
async function stopEnvironment(deps: AdminDeps, env: Environment, tier: string) {
  try {
    await changeEnvironment(deps.lifecycle, env, 'stop', tier);
  } catch (err) {
    if (!(err instanceof EnvironmentChanged)) throw err;
    const fresh = await deps.environments.get(env.ownerId, env.id);
    if (fresh?.desiredState === 'running')
      await changeEnvironment(deps.lifecycle, fresh, 'stop', tier);
  }
}
