// What a request can never do: name its own image, namespace or privilege;
// act beyond its token's scopes; or get a secret into a log line.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../core/api/app.js';
import { backendsFromConfig } from '../../core/api/backends.js';
import { CookieJar, createTestApp, type TestApp, WEB_ORIGIN } from '../support/app.js';

let t: TestApp;
let jar: CookieJar;
const PASSWORD = 'guards-passphrase-2026!';

async function call(
  path: string,
  init: { method?: string; body?: unknown; bearer?: string; jar?: CookieJar } = {},
) {
  const headers: Record<string, string> = { origin: WEB_ORIGIN };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.jar) headers.cookie = init.jar.header();
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  const res = await t.app.request(path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  init.jar?.store(res);
  return res;
}

beforeAll(async () => {
  t = await createTestApp();
  const admin = await t.auth.localAccounts.ensureBootstrapAdmin('ops@lablease.test', 'pro');
  jar = new CookieJar();
  await call('/auth/password', { method: 'POST', body: admin, jar });
  const changed = await call('/auth/password/change', {
    method: 'POST',
    jar,
    body: { currentPassword: admin!.password, newPassword: PASSWORD },
  });
  expect(changed.status).toBe(200);
});

describe('a create request', () => {
  it.each([
    // Custom images are off unless an admin turns them on for the tier (admin-custom-images.test.ts).
    ['an image', { image: 'evil.example/miner:latest' }, 403],
    ['a namespace', { namespace: 'kube-system' }, 422],
    ['a privileged flag', { privileged: true }, 422],
    ['a host path', { volume: { hostPath: '/' } }, 422],
    ['a command', { command: ['sh', '-c', 'curl evil'] }, 422],
    ['an owner', { ownerId: '0123456789abcdef0123456789abcdef' }, 422],
  ])('cannot name %s', async (_what, extra, status) => {
    const res = await call('/api/v1/environments', {
      method: 'POST',
      jar,
      body: { name: 'x', templateId: 'agent-api', ...extra },
    });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await (await call('/api/v1/environments', { jar })).json()).items).toEqual([]);
  });

  it('cannot pick a template its tier may not use', async () => {
    const user = await t.auth.users.getByEmail('ops@lablease.test');
    await t.auth.users.update(user!.id, user!.authVersion, { tier: 'free' });
    const res = await call('/api/v1/environments', {
      method: 'POST',
      jar,
      body: { name: 'x', templateId: 'code-server' },
    });
    expect(res.status).toBe(422);
    expect((await res.json()).errors).toEqual([
      { field: 'templateId', message: 'no such template is available to you' },
    ]);
    await t.auth.users.update(user!.id, user!.authVersion, { tier: 'pro' });
  });
});

describe('token scopes', () => {
  it('a read-only token can list but not create; a write token can create', async () => {
    const make = async (scopes: string[]) =>
      (
        await (
          await call('/api/v1/me/tokens', {
            method: 'POST',
            jar,
            body: { name: scopes.join(), scopes },
          })
        ).json()
      ).token as string;
    const reader = await make(['environments:read']);
    const writer = await make(['environments:read', 'environments:write']);
    expect((await call('/api/v1/environments', { bearer: reader })).status).toBe(200);
    const refused = await call('/api/v1/environments', {
      method: 'POST',
      bearer: reader,
      body: { name: 'r', templateId: 'agent-api' },
    });
    expect(refused.status).toBe(403);
    expect((await refused.json()).detail).toContain('environments:write');
    const created = await call('/api/v1/environments', {
      method: 'POST',
      bearer: writer,
      body: { name: 'w', templateId: 'agent-api' },
    });
    expect(created.status).toBe(202);
    // A user token never acts as admin, even for an admin.
    expect(
      (
        await call(`/api/v1/environments/${(await created.json()).id}/data/purge`, {
          method: 'POST',
          bearer: writer,
        })
      ).status,
    ).toBe(403);
  });
});

describe('logs', () => {
  it('never carry a cookie, token or password, even on a 5xx', async () => {
    const lines: string[] = [];
    const app = createApp({
      config: t.config,
      backends: backendsFromConfig(t.config),
      auth: t.auth,
      environments: { lifecycle: t.services.lifecycle, environments: t.services.environments },
      log: (level, message, fields) => lines.push(JSON.stringify({ level, message, ...fields })),
    });
    app.post('/api/v1/boom', () => {
      throw new Error('database exploded');
    });
    const secretCookie = jar.header();
    const bearer = 'llpat_ThisIsASecretTokenValueThatMustNeverBeLogged0000';
    const res = await app.request('/api/v1/boom', {
      method: 'POST',
      headers: {
        cookie: secretCookie,
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        origin: WEB_ORIGIN,
      },
      body: JSON.stringify({ password: PASSWORD, code: 'oidc-code-123' }),
    });
    expect(res.status).toBe(500);
    expect(lines.length).toBeGreaterThan(0);
    const logged = lines.join('\n');
    for (const secret of [
      bearer,
      PASSWORD,
      'oidc-code-123',
      ...secretCookie.split('; ').map((c) => c.split('=')[1]!),
    ]) {
      expect(logged).not.toContain(secret);
    }
  });
});

describe('a role change', () => {
  it('takes effect at the next refresh', async () => {
    const email = 'promoted@lablease.test';
    const { hashPassword } = await import('../../core/auth/password.js');
    await t.auth.users.create({
      id: 'b0000000000000000000000000000001',
      email,
      name: 'Promoted',
      role: 'user',
      tier: 'free',
      disabled: false,
      createdAt: new Date().toISOString(),
      passwordHash: await hashPassword('promoted-passphrase-1', { N: 1024, r: 8, p: 1 }),
      authVersion: 0,
    });
    const session = new CookieJar();
    await call('/auth/password', {
      method: 'POST',
      jar: session,
      body: { email, password: 'promoted-passphrase-1' },
    });
    expect((await (await call('/api/v1/me', { jar: session })).json()).role).toBe('user');
    const user = (await t.auth.users.get('b0000000000000000000000000000001'))!;
    await t.auth.users.update(user.id, user.authVersion, { role: 'admin' });
    expect((await call('/auth/refresh', { method: 'POST', jar: session })).status).toBe(200);
    const me = await (await call('/api/v1/me', { jar: session })).json();
    expect(me).toMatchObject({ role: 'admin', scopes: expect.arrayContaining(['admin']) });
  });
});
