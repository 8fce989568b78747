// Administration of people through the HTTP API on DynamoDB Local: local
// accounts with a one-time password, the directory (pages, email prefix),
// role and tier changes, and disabling — which ends sessions, revokes tokens
// and stops environments while keeping them.
import { beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_COOKIE } from '../../core/api/cookies.js';
import { bootstrapAdmin, type Call, caller, createUser, PASSPHRASE } from '../support/admin.js';
import { CookieJar, createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let call: Call;
let admin: { jar: CookieJar; id: string };

beforeAll(async () => {
  t = await createTestApp();
  call = caller(t);
  admin = await bootstrapAdmin(t, call);
});

describe('creating a local account', () => {
  it('answers the temporary password once; the user must change it first', async () => {
    const res = await call('/api/v1/admin/users', {
      method: 'POST',
      jar: admin.jar,
      body: { email: 'Ada@Lab.test', name: 'Ada', role: 'user', tier: 'free' },
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.user).toMatchObject({
      email: 'ada@lab.test',
      name: 'Ada',
      role: 'user',
      tier: 'free',
      disabled: false,
      mustChangePassword: true,
    });
    expect(body.temporaryPassword).toHaveLength(20);
    const trail = await t.services.audit.list(
      { limit: 1, filter: { action: 'user.create' } },
      t.clock.now,
    );
    expect(trail.items[0]).toMatchObject({ actorId: admin.id, target: 'email:ada@lab.test' });
    expect(JSON.stringify(trail)).not.toContain(body.temporaryPassword);
    const stored = await t.auth.users.get(body.user.id);
    expect(stored?.passwordHash).not.toContain(body.temporaryPassword);

    const jar = new CookieJar();
    await call('/auth/password', {
      method: 'POST',
      jar,
      body: { email: 'ada@lab.test', password: body.temporaryPassword },
    });
    expect((await call('/api/v1/environments', { jar })).status).toBe(403);
  });

  it('refuses a taken email (409), an unknown tier and bad fields (422), creating nothing', async () => {
    const taken = await call('/api/v1/admin/users', {
      method: 'POST',
      jar: admin.jar,
      body: { email: 'ada@lab.test', name: 'Other Ada', tier: 'free' },
    });
    expect(taken.status).toBe(409);
    for (const body of [
      { email: 'new@lab.test', name: 'N', tier: 'platinum' },
      { email: 'not-an-email', name: 'N', tier: 'free' },
      { email: 'new@lab.test', name: '', tier: 'free' },
      { email: 'new@lab.test', name: 'N', tier: 'free', role: 'root' },
      { email: 'new@lab.test', name: 'N', tier: 'free', passwordHash: 'x' },
    ]) {
      const res = await call('/api/v1/admin/users', { method: 'POST', jar: admin.jar, body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    expect(await t.auth.users.getByEmail('new@lab.test')).toBeUndefined();
  });

  it('is refused where local accounts are turned off', async () => {
    const oidcOnly = await createTestApp({ LOCAL_ACCOUNTS: 'false' });
    const principal = { userId: admin.id, requestId: 'r' };
    const { createLocalUser } = await import('../../core/admin/users.js');
    await expect(
      createLocalUser(oidcOnly.services.admin, principal, {
        email: 'x@lab.test',
        name: 'X',
        role: 'user',
        tier: 'free',
      }),
    ).rejects.toMatchObject({ status: 404, code: 'local-accounts-disabled' });
  });
});

describe('the directory', () => {
  it('pages through users by email and searches by prefix', async () => {
    for (const email of ['bo@lab.test', 'bea@lab.test', 'cy@lab.test']) {
      await call('/api/v1/admin/users', {
        method: 'POST',
        jar: admin.jar,
        body: { email, name: email.slice(0, 2), tier: 'free' },
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const res = await call(`/api/v1/admin/users?limit=2${q}`, { jar: admin.jar });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((u: { email: string }) => u.email));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(
      expect.arrayContaining(['ada@lab.test', 'bea@lab.test', 'bo@lab.test', 'cy@lab.test']),
    );

    const b = await (await call('/api/v1/admin/users?email=B', { jar: admin.jar })).json();
    expect(b.items.map((u: { email: string }) => u.email)).toEqual(['bea@lab.test', 'bo@lab.test']);

    const forged = Buffer.from(JSON.stringify({ PK: 'USER#x', SK: 'PROFILE' })).toString(
      'base64url',
    );
    expect((await call(`/api/v1/admin/users?cursor=${forged}`, { jar: admin.jar })).status).toBe(
      422,
    );
  });
});

describe('a profile written before the directory', () => {
  it('joins the directory at its next sign-in', async () => {
    const { newId } = await import('../../core/auth/secrets.js');
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const id = newId();
    await t.doc.send(
      new PutCommand({
        TableName: t.tableName,
        Item: {
          PK: `USER#${id}`,
          SK: 'PROFILE',
          type: 'user',
          id,
          email: 'old@lab.test',
          name: 'Old',
          role: 'user',
          tier: 'free',
          disabled: false,
          createdAt: t.clock.now.toISOString(),
          authVersion: 0,
        },
      }),
    );
    const listed = async () =>
      (await (await call('/api/v1/admin/users?email=old', { jar: admin.jar })).json()).items;
    expect(await listed()).toEqual([]);
    await t.auth.users.touch(id, t.clock.now);
    expect(await listed()).toMatchObject([{ id, email: 'old@lab.test' }]);
  });
});

describe('changing role and tier', () => {
  it('changes the tier; a role change ends the user’s sessions', async () => {
    const user = await createUser(call, admin.jar, { email: 'dee@lab.test' });
    const tier = await call(`/api/v1/admin/users/${user.id}`, {
      method: 'PATCH',
      jar: admin.jar,
      body: { tier: 'pro' },
    });
    expect(tier.status).toBe(200);
    expect((await tier.json()).tier).toBe('pro');
    expect((await call('/auth/refresh', { method: 'POST', jar: user.jar })).status).toBe(200);

    const role = await call(`/api/v1/admin/users/${user.id}`, {
      method: 'PATCH',
      jar: admin.jar,
      body: { role: 'admin' },
    });
    expect((await role.json()).role).toBe('admin');
    expect((await call('/auth/refresh', { method: 'POST', jar: user.jar })).status).toBe(401);
  });

  it('refuses an unknown tier, an empty change and demoting yourself', async () => {
    const user = await t.auth.users.getByEmail('ada@lab.test');
    for (const body of [{ tier: 'gold' }, {}, { role: 'owner' }]) {
      const res = await call(`/api/v1/admin/users/${user!.id}`, {
        method: 'PATCH',
        jar: admin.jar,
        body,
      });
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    expect((await t.auth.users.get(user!.id))?.tier).toBe('free');
    const self = await call(`/api/v1/admin/users/${admin.id}`, {
      method: 'PATCH',
      jar: admin.jar,
      body: { role: 'user' },
    });
    expect(self.status).toBe(409);
    expect((await call(`/api/v1/admin/users/${'0'.repeat(32)}`, { jar: admin.jar })).status).toBe(
      404,
    );
  });
});

describe('disabling a user', () => {
  it('stops their environments (kept), ends sessions and tokens; enabling lets them back', async () => {
    const user = await createUser(call, admin.jar, { email: 'eve@lab.test', tier: 'pro' });
    const token = (
      await (
        await call('/api/v1/me/tokens', {
          method: 'POST',
          jar: user.jar,
          body: { name: 'ci', scopes: ['environments:read'] },
        })
      ).json()
    ).token as string;
    const created = await call('/api/v1/environments', {
      method: 'POST',
      jar: user.jar,
      body: { name: 'Thesis', templateId: 'jupyterlab' },
    });
    expect(created.status).toBe(202);
    const envId = (await created.json()).id as string;
    const refresh = user.jar.get(REFRESH_COOKIE)!;

    const res = await call(`/api/v1/admin/users/${user.id}/disable`, {
      method: 'POST',
      jar: admin.jar,
    });
    expect(res.status).toBe(200);
    expect((await res.json()).disabled).toBe(true);

    const env = await t.services.environments.get(user.id, envId);
    expect(env).toMatchObject({ desiredState: 'stopped', generation: 2 });
    const stale = new CookieJar();
    stale.set(REFRESH_COOKIE, refresh);
    expect((await call('/auth/refresh', { method: 'POST', jar: stale })).status).toBe(401);
    expect((await call('/api/v1/environments', { bearer: token })).status).toBe(401);
    expect(await t.services.admin.apiTokens.list(user.id)).toEqual([]);
    // The access cookie still in hand is refused at the next environment request.
    expect((await call('/api/v1/templates', { jar: user.jar })).status).toBe(401);

    const enabled = await call(`/api/v1/admin/users/${user.id}/enable`, {
      method: 'POST',
      jar: admin.jar,
    });
    expect((await enabled.json()).disabled).toBe(false);
    const again = new CookieJar();
    const signIn = await call('/auth/password', {
      method: 'POST',
      jar: again,
      body: { email: 'eve@lab.test', password: PASSPHRASE },
    });
    expect(signIn.status).toBe(200);
    // Data and environment are still there, stopped.
    expect((await t.services.environments.get(user.id, envId))?.desiredState).toBe('stopped');
  });

  it('refuses disabling yourself', async () => {
    const res = await call(`/api/v1/admin/users/${admin.id}/disable`, {
      method: 'POST',
      jar: admin.jar,
    });
    expect(res.status).toBe(409);
    expect((await t.auth.users.get(admin.id))?.disabled).toBe(false);
  });
});

describe('who may administer', () => {
  it('a member gets 403; an admin’s token without the admin scope gets 403; with it, 200', async () => {
    const member = await createUser(call, admin.jar, { email: 'fay@lab.test' });
    for (const path of [
      '/api/v1/admin/users',
      '/api/v1/admin/templates',
      '/api/v1/admin/settings',
      '/api/v1/admin/environments',
      '/api/v1/admin/environments/overview',
      '/api/v1/admin/activity',
    ]) {
      expect((await call(path, { jar: member.jar })).status, path).toBe(403);
    }
    const make = async (scopes: string[]) =>
      (
        await (
          await call('/api/v1/me/tokens', {
            method: 'POST',
            jar: admin.jar,
            body: { name: 'x', scopes },
          })
        ).json()
      ).token as string;
    const writer = await make(['environments:read', 'environments:write']);
    const refused = await call('/api/v1/admin/users', { bearer: writer });
    expect(refused.status).toBe(403);
    expect((await refused.json()).detail).toContain('admin');
    const creating = await call('/api/v1/admin/users', {
      method: 'POST',
      bearer: writer,
      body: { email: 'gil@lab.test', name: 'Gil', tier: 'free' },
    });
    expect(creating.status).toBe(403);
    expect(await t.auth.users.getByEmail('gil@lab.test')).toBeUndefined();
    const adminToken = await make(['admin']);
    expect((await call('/api/v1/admin/users', { bearer: adminToken })).status).toBe(200);
    expect((await call('/api/v1/admin/users')).status).toBe(401);
  });
});
