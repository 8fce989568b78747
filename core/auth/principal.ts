// Who is asking, as every route sees it after authentication.
import type { Scope } from '../store/api-tokens.js';
import type { Role } from './access-token.js';
import { Forbidden } from './errors.js';

export interface Principal {
  userId: string;
  role: Role;
  /** session: the dashboard's cookie; token: a personal API token. */
  via: 'session' | 'token';
  /** What this credential may do. A session may do everything its role allows. */
  scopes: readonly Scope[];
  /** The refresh family behind a session (logout revokes it). */
  sessionId?: string;
  tokenId?: string;
  /** A one-time password is in use: only changing it is allowed. */
  mustChangePassword?: boolean;
}

const ALL_SCOPES: readonly Scope[] = ['environments:read', 'environments:write', 'admin'];

export function sessionScopes(role: Role): readonly Scope[] {
  return role === 'admin' ? ALL_SCOPES : ALL_SCOPES.filter((s) => s !== 'admin');
}

/** Throws Forbidden unless the principal holds the scope (and, for admin, the role). */
export function requireScope(principal: Principal, scope: Scope): void {
  if (scope === 'admin' && principal.role !== 'admin')
    throw new Forbidden('This needs an administrator.');
  if (!principal.scopes.includes(scope)) {
    throw new Forbidden(`This credential lacks the "${scope}" scope.`);
  }
}

/**
 * The one ownership check every environment route uses. Another user's
 * resource is reported as missing (404 by the caller), never as forbidden:
 * its existence is not the asker's business. Admins see everything.
 */
export function canSee(principal: Principal, ownerId: string): boolean {
  return (
    principal.userId === ownerId ||
    (principal.role === 'admin' && principal.scopes.includes('admin'))
  );
}
