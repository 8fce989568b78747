// The one lookup every environment route and Open share: the environment if
// the principal may see it, otherwise NotFound — another user's environment
// answers 404, as if it did not exist; admins see everything.
import { canSee, type Principal } from '../auth/principal.js';
import { NotFound } from '../errors.js';
import type { EnvironmentStore } from '../store/environments.js';
import type { Environment } from './model.js';

export async function visibleEnvironment(
  environments: Pick<EnvironmentStore, 'get' | 'findById'>,
  principal: Principal,
  id: string,
): Promise<Environment> {
  const own = await environments.get(principal.userId, id);
  if (own) return own;
  if (principal.role === 'admin') {
    const any = await environments.findById(id);
    if (any && canSee(principal, any.ownerId)) return any;
  }
  throw new NotFound('The environment');
}
