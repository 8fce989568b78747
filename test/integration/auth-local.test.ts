// Local accounts, sessions, refresh rotation, logout, CSRF and API tokens,
// through the HTTP API on DynamoDB Local.
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '../../core/api/cookies.js';
import { ACCOUNT_FAILURES } from '../../core/auth/local-accounts.js';
import { CookieJar, createTestApp, type TestApp, WEB_ORIGIN } from '../support/app.js';

let t: TestApp;
let admin: { email: string; password: string };
const NEW_PASSWORD = 'a-much-better-passphrase-42';

const json = (body: unknown) => JSON.stringify(body);

async function call(
  path: string,
  init: {
    method?: string;
    body?: unknown;
    jar?: CookieJar;
    origin?: string | null;
    bearer?: string;
  } = {},
) {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.origin !== null) headers.origin = init.origin ?? WEB_ORIGIN;
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
          : json(init.body),
  });
  init.jar?.store(res);
  return res;
}

async function signIn(email: string, password: string) {
  const jar = new CookieJar();
  const res = await call('/auth/password', { method: 'POST', body: { email, password }, jar });
  return { jar, res };
}

beforeAll(async () => {
  t = await createTestApp();
  const created = await t.auth.localAccounts.ensureBootstrapAdmin('admin@lablease.test', 'pro');
  if (!created) throw new Error('expected a new bootstrap admin');
  admin = created;
});

describe('the bootstrap admin', () => {
  it('is created once, with a one-time password', async () => {
    expect(admin.password).toHaveLength(20);
    expect(
      await t.auth.localAccounts.ensureBootstrapAdmin('admin@lablease.test', 'pro'),
    ).toBeUndefined();
    const user = await t.auth.users.getByEmail('ADMIN@lablease.test');
    expect(user).toMatchObject({ role: 'admin', mustChangePassword: true, tier: 'pro' });
    expect(user?.id).not.toContain('admin');
    expect(user?.passwordHash).not.toContain(admin.password);
  });

  it('must change the password before doing anything else', async () => {
    const { jar, res } = await signIn(admin.email, admin.password);
    expect(res.status).toBe(200);
    expect((await res.json()).user).toMatchObject({
      email: admin.email,
      role: 'admin',
      mustChangePassword: true,
    });

    const me = await call('/api/v1/me', { jar });
    expect(me.status).toBe(200);
    const tokens = await call('/api/v1/me/tokens', { jar });
    expect(tokens.status).toBe(403);
    expect(await tokens.json()).toMatchObject({
      type: expect.stringContaining('password-change-required'),
    });

    const wrong = await call('/auth/password/change', {
      method: 'POST',
      jar,
      body: { currentPassword: 'nope', newPassword: NEW_PASSWORD },
    });
    expect(wrong.status).toBe(422);
    expect((await wrong.json()).errors).toEqual([
      { field: 'currentPassword', message: 'is not correct' },
    ]);
    const weak = await call('/auth/password/change', {
      method: 'POST',
      jar,
      body: { currentPassword: admin.password, newPassword: 'short' },
    });
    expect(weak.status).toBe(422);
    expect((await weak.json()).errors[0].field).toBe('newPassword');

    const oldRefresh = jar.get(REFRESH_COOKIE)!;
    const changed = await call('/auth/password/change', {
      method: 'POST',
      jar,
      body: { currentPassword: admin.password, newPassword: NEW_PASSWORD },
    });
    expect(changed.status).toBe(200);
    expect((await changed.json()).user.mustChangePassword).toBe(false);
    expect((await call('/api/v1/me/tokens', { jar })).status).toBe(200);

    // Sessions from before the change are over; the one-time password is gone.
    const stale = new CookieJar();
    stale.set(REFRESH_COOKIE, oldRefresh);
    expect((await call('/auth/refresh', { method: 'POST', jar: stale })).status).toBe(401);
    expect((await signIn(admin.email, admin.password)).res.status).toBe(401);
    expect((await signIn(admin.email, NEW_PASSWORD)).res.status).toBe(200);
  });
});

describe('sign-in', () => {
  it('sets host-only, HttpOnly, Secure, SameSite=Lax cookies', async () => {
    const { res } = await signIn(admin.email, NEW_PASSWORD);
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(2);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/^__Host-lablease_(access|refresh)=/);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).not.toMatch(/Domain=/i);
    }
  });

  it('answers the same 401 for a wrong password and an unknown email', async () => {
    const wrong = await signIn(admin.email, 'not-the-password');
    const unknown = await signIn('nobody@lablease.test', 'not-the-password');
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(401);
    expect(wrong.res.headers.get('content-type')).toBe('application/problem+json');
    expect(await wrong.res.json()).toEqual(await unknown.res.json());
  });

  it('throttles guessing on one account, even when the right password comes next', async () => {
    const email = 'victim@lablease.test';
    await t.auth.users.create({
      id: 'victim000000000000000000000000001',
      email,
      name: 'Victim',
      role: 'user',
      tier: 'free',
      disabled: false,
      createdAt: new Date().toISOString(),
      passwordHash: await (await import('../../core/auth/password.js')).hashPassword(
        'victim-secret-password',
        { N: 1024, r: 8, p: 1 },
      ),
      authVersion: 0,
    });
    const statuses: number[] = [];
    for (let i = 0; i < ACCOUNT_FAILURES.limit + 2; i++)
      statuses.push((await signIn(email, `guess-${i}`)).res.status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const right = await signIn(email, 'victim-secret-password');
    expect(right.res.status).toBe(429);
    expect(Number(right.res.headers.get('retry-after'))).toBeGreaterThan(0);
    t.clock.advance(ACCOUNT_FAILURES.seconds * 1000);
    expect((await signIn(email, 'victim-secret-password')).res.status).toBe(200);
  });

  it('refuses a sign-in posted from another origin (login CSRF)', async () => {
    const res = await call('/auth/password', {
      method: 'POST',
      body: { email: admin.email, password: NEW_PASSWORD },
      origin: 'https://evil.example',
    });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe('sessions', () => {
  it('rotate on refresh; replaying a rotated refresh token revokes the family', async () => {
    const { jar } = await signIn(admin.email, NEW_PASSWORD);
    const first = jar.get(REFRESH_COOKIE)!;
    const refreshed = await call('/auth/refresh', { method: 'POST', jar });
    expect(refreshed.status).toBe(200);
    const second = jar.get(REFRESH_COOKIE)!;
    expect(second).not.toBe(first);
    expect(second.split('.')[0]).toBe(first.split('.')[0]);

    t.clock.advance(60_000);
    const thief = new CookieJar();
    thief.set(REFRESH_COOKIE, first);
    expect((await call('/auth/refresh', { method: 'POST', jar: thief })).status).toBe(401);
    // The legitimate holder's newer token dies with the family.
    expect((await call('/auth/refresh', { method: 'POST', jar })).status).toBe(401);
  });

  it('end on logout', async () => {
    const { jar } = await signIn(admin.email, NEW_PASSWORD);
    const refresh = jar.get(REFRESH_COOKIE)!;
    const out = await call('/auth/logout', { method: 'POST', jar });
    expect(out.status).toBe(204);
    expect(jar.get(ACCESS_COOKIE)).toBeUndefined();
    const replay = new CookieJar();
    replay.set(REFRESH_COOKIE, refresh);
    expect((await call('/auth/refresh', { method: 'POST', jar: replay })).status).toBe(401);
  });

  it('expire: an access token past its lifetime answers 401', async () => {
    const { jar } = await signIn(admin.email, NEW_PASSWORD);
    t.clock.advance((t.config.auth.accessTtlSeconds + 10) * 1000);
    const res = await call('/api/v1/me', { jar });
    expect(res.status).toBe(401);
  });

  it('of a disabled user end at once', async () => {
    const email = 'leaver@lablease.test';
    await t.auth.users.create({
      id: 'leaver00000000000000000000000001',
      email,
      name: 'Leaver',
      role: 'user',
      tier: 'free',
      disabled: false,
      createdAt: new Date().toISOString(),
      passwordHash: await (await import('../../core/auth/password.js')).hashPassword(
        'leaver-secret-password',
        { N: 1024, r: 8, p: 1 },
      ),
      authVersion: 0,
    });
    const { jar } = await signIn(email, 'leaver-secret-password');
    const user = (await t.auth.users.get('leaver00000000000000000000000001'))!;
    await t.auth.users.update(
      user.id,
      user.authVersion,
      { disabled: true },
      { bumpAuthVersion: true },
    );
    // The access cookie still in hand is refused at once, not when it expires.
    expect((await call('/api/v1/me/tokens', { jar })).status).toBe(401);
    expect((await call('/auth/refresh', { method: 'POST', jar })).status).toBe(401);
    expect((await signIn(email, 'leaver-secret-password')).res.status).toBe(401);
  });
});

describe('CSRF', () => {
  it('refuses cookie-authenticated unsafe requests from another origin or without Origin', async () => {
    const { jar } = await signIn(admin.email, NEW_PASSWORD);
    const body = { name: 'ci', scopes: ['environments:read'] };
    for (const origin of ['https://evil.example', 'http://abc.env.localhost', null]) {
      const res = await call('/api/v1/me/tokens', { method: 'POST', jar, body, origin });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await call('/api/v1/me/tokens', { jar })).status).toBe(200);
    const ok = await call('/api/v1/me/tokens', { method: 'POST', jar, body });
    expect(ok.status).toBe(201);
  });
});

describe('API tokens', () => {
  it('are shown once, authenticate as bearer, respect scopes, and stop working when revoked or expired', async () => {
    const { jar } = await signIn(admin.email, NEW_PASSWORD);
    const created = await call('/api/v1/me/tokens', {
      method: 'POST',
      jar,
      body: { name: 'laptop', scopes: ['environments:read'], expiresInDays: 1 },
    });
    expect(created.status).toBe(201);
    const { id, token, scopes, expiresAt } = await created.json();
    expect(token).toMatch(/^llpat_/);
    expect(scopes).toEqual(['environments:read']);
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(t.clock.now.getTime());

    const listed = await (await call('/api/v1/me/tokens', { jar })).json();
    expect(listed.items.find((i: { id: string }) => i.id === id)).toMatchObject({ name: 'laptop' });
    expect(JSON.stringify(listed)).not.toContain(token);

    // No Origin needed for a bearer request, and the token says it is one.
    const me = await call('/api/v1/me', { bearer: token, origin: null });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ via: 'token', scopes: ['environments:read'] });
    // A token cannot mint tokens.
    const mint = await call('/api/v1/me/tokens', {
      method: 'POST',
      bearer: token,
      origin: null,
      body: { name: 'x', scopes: ['environments:read'] },
    });
    expect(mint.status).toBe(403);

    expect((await call(`/api/v1/me/tokens/${id}`, { method: 'DELETE', jar })).status).toBe(204);
    expect((await call('/api/v1/me', { bearer: token, origin: null })).status).toBe(401);
    expect((await call(`/api/v1/me/tokens/${id}`, { method: 'DELETE', jar })).status).toBe(404);

    const short = await (
      await call('/api/v1/me/tokens', {
        method: 'POST',
        jar,
        body: { name: 'short', scopes: ['environments:read'], expiresInDays: 1 },
      })
    ).json();
    expect((await call('/api/v1/me', { bearer: short.token, origin: null })).status).toBe(200);
    t.clock.advance(86_400_000 + 1000);
    expect((await call('/api/v1/me', { bearer: short.token, origin: null })).status).toBe(401);
  });

  it('refuse malformed bearer headers and unknown tokens', async () => {
    for (const authorization of [
      'Bearer',
      'Basic abc',
      'Bearer llpat_nope',
      `Bearer llpat_${'A'.repeat(43)}`,
    ]) {
      const res = await t.app.request('/api/v1/me', { headers: { authorization } });
      expect(res.status).toBe(401);
    }
  });
});
