// Helpers for the admin API tests: a request helper bound to a test app, and
// signed-in people (the bootstrap admin, users an admin creates) with their
// one-time passwords already changed.
import { expect } from 'vitest';
import { CookieJar, type TestApp, WEB_ORIGIN } from './app.js';

/** The password every test person sets after their one-time password. */
export const PASSPHRASE = 'quiet-harbour-lantern-2026';

export type Call = (
  path: string,
  init?: {
    method?: string;
    body?: unknown;
    jar?: CookieJar;
    bearer?: string;
    headers?: Record<string, string>;
  },
) => Promise<Response>;

export function caller(t: TestApp): Call {
  return async (path, init = {}) => {
    const headers: Record<string, string> = { origin: WEB_ORIGIN, ...init.headers };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.jar) headers.cookie = init.jar.header();
    if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
    const res = await t.app.request(path, {
      method: init.method ?? 'GET',
      headers,
      body:
        init.body === undefined
          ? undefined
          : typeof init.body === 'string'
            ? init.body
            : JSON.stringify(init.body),
    });
    init.jar?.store(res);
    return res;
  };
}

/** Signs in with a one-time password and replaces it; answers the session's jar. */
export async function signInFirstTime(call: Call, email: string, oneTime: string) {
  const jar = new CookieJar();
  const signedIn = await call('/auth/password', {
    method: 'POST',
    body: { email, password: oneTime },
    jar,
  });
  expect(signedIn.status).toBe(200);
  const changed = await call('/auth/password/change', {
    method: 'POST',
    jar,
    body: { currentPassword: oneTime, newPassword: PASSPHRASE },
  });
  expect(changed.status).toBe(200);
  return jar;
}

export async function bootstrapAdmin(t: TestApp, call: Call, email = 'root@lablease.test') {
  const created = await t.auth.localAccounts.ensureBootstrapAdmin(email, 'pro');
  if (!created) throw new Error('expected a new bootstrap admin');
  const jar = await signInFirstTime(call, created.email, created.password);
  const me = await t.auth.users.getByEmail(email);
  return { jar, id: me!.id };
}

/** An admin creates a local user; the user signs in and sets a password. */
export async function createUser(
  call: Call,
  adminJar: CookieJar,
  input: { email: string; name?: string; role?: 'admin' | 'user'; tier?: string },
) {
  const res = await call('/api/v1/admin/users', {
    method: 'POST',
    jar: adminJar,
    body: { name: input.email.split('@')[0], tier: 'free', ...input },
  });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { user: { id: string }; temporaryPassword: string };
  const jar = await signInFirstTime(call, input.email, body.temporaryPassword);
  return { id: body.user.id, jar, temporaryPassword: body.temporaryPassword };
}
