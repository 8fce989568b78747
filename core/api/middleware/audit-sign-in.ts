// Sign-ins and password changes belong in the audit trail, refused ones
// included. This middleware watches the auth routes from outside: after the
// route answered, a new access cookie says who signed in; a problem answer is
// a failure (with the email that was tried, never the password).
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AccessTokens } from '../../auth/access-token.js';
import { newId } from '../../auth/secrets.js';
import type { AuditStore } from '../../store/audit.js';
import { ACCESS_COOKIE } from '../cookies.js';

const ACTIONS: Record<string, string> = {
  '/auth/password': 'auth.sign-in',
  '/auth/callback': 'auth.sign-in',
  '/auth/password/change': 'auth.password-change',
};

export const auditSignIn = (deps: {
  audit: Pick<AuditStore, 'record'>;
  accessTokens: Pick<AccessTokens, 'verify'>;
  now: () => Date;
  log: (message: string, fields: Record<string, unknown>) => void;
}) =>
  createMiddleware(async (c, next) => {
    const action = ACTIONS[c.req.path];
    const isAttempt = action && (c.req.method === 'POST' || c.req.path === '/auth/callback');
    const email = isAttempt && c.req.path === '/auth/password' ? await triedEmail(c) : undefined;
    await next();
    if (!isAttempt) return;
    const userId = await signedInUser(c, deps.accessTokens);
    const failed =
      c.res.status >= 400 ||
      (c.req.path === '/auth/callback' &&
        (c.res.headers.get('location') ?? '').includes('signin_error='));
    try {
      await deps.audit.record({
        id: newId(),
        at: deps.now().toISOString(),
        actorId: userId ?? 'anonymous',
        action,
        target: email ? `email:${email}` : userId ? `user:${userId}` : 'unknown',
        result: failed || !userId ? 'failure' : 'success',
        requestId: c.get('requestId'),
        ...(failed ? { detail: `status ${c.res.status}` } : {}),
      });
    } catch (err) {
      // The sign-in already happened (or was refused); a lost audit line must not change its answer.
      deps.log('audit of a sign-in failed', { action, err: String(err) });
    }
  });

/** The email of a password sign-in, read from a copy of the body (the route reads the original). */
async function triedEmail(c: Context): Promise<string | undefined> {
  try {
    const body = await c.req.raw.clone().json();
    const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : undefined;
    return email && email.length <= 254 ? email : undefined;
  } catch {
    return undefined;
  }
}

/** The user a fresh access cookie in the answer belongs to, if the route set one. */
async function signedInUser(c: Context, tokens: Pick<AccessTokens, 'verify'>) {
  for (const line of c.res.headers.getSetCookie()) {
    if (!line.startsWith(`${ACCESS_COOKIE}=`)) continue;
    const value = line.slice(ACCESS_COOKIE.length + 1).split(';')[0];
    if (!value) continue;
    try {
      return (await tokens.verify(value)).sub;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
