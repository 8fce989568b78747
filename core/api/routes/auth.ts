// Sign-in with a local account, refresh, logout, password change.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { TooManyAttempts, Unauthenticated } from '../../auth/errors.js';
import type { Auth } from '../../auth/index.js';
import { PASSWORD_MAX_LENGTH } from '../../auth/password.js';
import { DomainError } from '../../errors.js';
import type { User } from '../../store/users.js';
import type { AppEnv } from '../context.js';
import {
  clearOidcStateCookie,
  clearSessionCookies,
  oidcStateCookie,
  refreshCookie,
  setOidcStateCookie,
  setSessionCookies,
} from '../cookies.js';
import { principalOf } from '../middleware/authenticate.js';
import { requireSameOrigin } from '../middleware/same-origin.js';
import { validationHook } from '../validation.js';
import { MeSchema, toMe } from './me.js';

export interface AuthRouteDeps {
  auth: Auth;
  webOrigin: string;
  clientAddress: (c: Context) => string;
  now: () => Date;
}

const PasswordSignIn = z
  .object({
    email: z.string().trim().min(3).max(254).openapi({ example: 'ada@example.org' }),
    password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  })
  .strict()
  .openapi('PasswordSignIn');

const PasswordChange = z
  .object({
    currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
    newPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  })
  .strict()
  .openapi('PasswordChange');

const SignedIn = z.object({ user: MeSchema }).openapi('SignedIn');

/** Per client address: refreshes are cheap but unauthenticated, so bound them. */
const REFRESH_WINDOW = { limit: 60, seconds: 60 };

export function authRoutes(deps: AuthRouteDeps) {
  const { auth, now } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  // Every route here reads or sets the session cookies: all are CSRF-checked.
  app.use('*', requireSameOrigin(deps.webOrigin));

  const signedIn = async (c: Context, user: User) => {
    setSessionCookies(c, await auth.sessions.start(user), now());
    await auth.users.touch(user.id, now());
    return c.json({ user: toMe(user, { via: 'session' }) }, 200);
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/password',
      request: {
        body: { content: { 'application/json': { schema: PasswordSignIn } }, required: true },
      },
      responses: {
        200: {
          description: 'Signed in; session cookies set.',
          content: { 'application/json': { schema: SignedIn } },
        },
      },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      const user = await auth.localAccounts.verify(email, password, deps.clientAddress(c));
      return signedIn(c, user);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/password/change',
      request: {
        body: { content: { 'application/json': { schema: PasswordChange } }, required: true },
      },
      responses: {
        200: {
          description: 'Password changed; a new session replaces every old one.',
          content: { 'application/json': { schema: SignedIn } },
        },
      },
    }),
    async (c) => {
      const principal = await principalOf(c, auth);
      if (principal.via !== 'session')
        throw new Unauthenticated('Change your password from a signed-in session.');
      const user = await auth.users.get(principal.userId);
      if (!user || user.disabled) throw new Unauthenticated();
      const { currentPassword, newPassword } = c.req.valid('json');
      await auth.localAccounts.changePassword(user, currentPassword, newPassword);
      const changed = await auth.users.get(user.id);
      if (!changed) throw new Unauthenticated();
      return signedIn(c, changed);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/refresh',
      responses: {
        200: {
          description: 'New session cookies set.',
          content: { 'application/json': { schema: SignedIn } },
        },
      },
    }),
    async (c) => {
      const rate = await auth.limits.hit(
        `refresh-ip#${deps.clientAddress(c)}`,
        REFRESH_WINDOW,
        now(),
      );
      if (!rate.allowed) throw new TooManyAttempts(rate.retryAfterSeconds);
      const token = refreshCookie(c);
      if (!token) throw new Unauthenticated();
      try {
        const session = await auth.sessions.refresh(token);
        setSessionCookies(c, session, now());
        const user = await auth.users.get(
          (await auth.accessTokens.verify(session.accessToken)).sub,
        );
        if (!user) throw new Unauthenticated();
        return c.json({ user: toMe(user, { via: 'session' }) }, 200);
      } catch (err) {
        if (err instanceof Unauthenticated) clearSessionCookies(c);
        throw err;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/logout',
      responses: { 204: { description: 'Signed out; the session is revoked.' } },
    }),
    async (c) => {
      const token = refreshCookie(c);
      const familyId = token?.split('.')[0];
      if (familyId) await auth.sessions.end(familyId);
      clearSessionCookies(c);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/login',
      request: { query: z.object({ returnTo: z.string().max(2048).optional() }) },
      responses: { 302: { description: "Redirect to the identity provider's sign-in." } },
    }),
    async (c) => {
      const { url, state } = await auth.oidc.begin(c.req.valid('query').returnTo);
      setOidcStateCookie(c, state);
      return c.redirect(url, 302);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/callback',
      responses: {
        302: { description: 'Signed in: redirect to the dashboard (or to it with signin_error).' },
      },
    }),
    async (c) => {
      const browserState = oidcStateCookie(c);
      clearOidcStateCookie(c);
      try {
        const { user, returnTo } = await auth.oidc.complete(new URL(c.req.url), browserState);
        setSessionCookies(c, await auth.sessions.start(user), now());
        await auth.users.touch(user.id, now());
        return c.redirect(returnTo, 302);
      } catch (err) {
        // A browser landed here: send it to the dashboard with a reason, not to a JSON page.
        if (!(err instanceof DomainError) || err.status >= 500) throw err;
        const to = new URL('/', deps.webOrigin);
        to.searchParams.set('signin_error', err.code);
        return c.redirect(to.href, 302);
      }
    },
  );

  return app;
}
