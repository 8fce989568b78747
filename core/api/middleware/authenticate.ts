// Who is asking: a personal API token (Authorization: Bearer) or the
// dashboard's access cookie. Anything else is 401.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { InvalidAccessToken } from '../../auth/access-token.js';
import { PasswordChangeRequired, Unauthenticated } from '../../auth/errors.js';
import type { Auth } from '../../auth/index.js';
import { type Principal, sessionScopes } from '../../auth/principal.js';
import type { AppEnv } from '../context.js';
import { accessCookie } from '../cookies.js';

export async function principalOf(c: Context, auth: Auth): Promise<Principal> {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const m = /^Bearer ([^\s]+)$/i.exec(header.trim());
    if (!m?.[1]) throw new Unauthenticated('The Authorization header must be "Bearer <token>".');
    return auth.apiTokens.authenticate(m[1]);
  }
  const cookie = accessCookie(c);
  if (!cookie) throw new Unauthenticated();
  let claims: Awaited<ReturnType<typeof auth.accessTokens.verify>>;
  try {
    claims = await auth.accessTokens.verify(cookie);
  } catch (err) {
    if (err instanceof InvalidAccessToken)
      throw new Unauthenticated('The session expired; refresh it or sign in again.');
    throw err;
  }
  // One read of the user per API request: a disabled account or a changed role
  // takes effect at once, not when the access token expires. (/auth/verify, the
  // hot path of environment traffic, does not come through here.)
  const user = await auth.users.get(claims.sub);
  if (!user || user.disabled) throw new Unauthenticated('This account is disabled.');
  return {
    userId: user.id,
    role: user.role,
    via: 'session',
    scopes: sessionScopes(user.role),
    sessionId: claims.sid,
    ...(user.mustChangePassword ? { mustChangePassword: true } : {}),
  };
}

/**
 * Requires a credential. While a one-time password is in use, only the
 * routes in `allowDuringPasswordChange` answer (reading who you are).
 */
export const authenticate = (
  auth: Auth,
  allowDuringPasswordChange: readonly string[] = ['/api/v1/me'],
) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const principal = await principalOf(c, auth);
    if (
      principal.mustChangePassword &&
      !(c.req.method === 'GET' && allowDuringPasswordChange.includes(c.req.path))
    ) {
      throw new PasswordChangeRequired();
    }
    c.set('principal', principal);
    await next();
  });
