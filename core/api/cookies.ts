// The session cookies. `__Host-` pins them to the API's host (no Domain, Path
// /, Secure), so they never reach an environment host or a sibling subdomain.
// Browsers treat http://localhost as secure, so this holds locally too.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { IssuedSession } from '../auth/sessions.js';

export const ACCESS_COOKIE = '__Host-lablease_access';
export const REFRESH_COOKIE = '__Host-lablease_refresh';

const base = {
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'Lax',
  prefix: undefined,
} as const;

export function setSessionCookies(c: Context, session: IssuedSession, now: Date) {
  setCookie(c, ACCESS_COOKIE, session.accessToken, {
    ...base,
    maxAge: session.accessExpiresInSeconds,
  });
  setCookie(c, REFRESH_COOKIE, session.refreshToken, {
    ...base,
    maxAge: Math.max(0, Math.floor((session.refreshExpiresAt.getTime() - now.getTime()) / 1000)),
  });
}

export function clearSessionCookies(c: Context) {
  deleteCookie(c, ACCESS_COOKIE, base);
  deleteCookie(c, REFRESH_COOKIE, base);
}

export const accessCookie = (c: Context) => getCookie(c, ACCESS_COOKIE);
export const refreshCookie = (c: Context) => getCookie(c, REFRESH_COOKIE);

/** Binds an OIDC sign-in to the browser that started it (login CSRF). Lax: it must ride the provider's top-level redirect back. */
export const OIDC_STATE_COOKIE = '__Host-lablease_oidc';

export function setOidcStateCookie(c: Context, state: string) {
  setCookie(c, OIDC_STATE_COOKIE, state, { ...base, maxAge: 600 });
}

export const oidcStateCookie = (c: Context) => getCookie(c, OIDC_STATE_COOKIE);

export function clearOidcStateCookie(c: Context) {
  deleteCookie(c, OIDC_STATE_COOKIE, base);
}
