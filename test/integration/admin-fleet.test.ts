// The fleet and the audit log through the admin API on DynamoDB Local: every
// live environment with its owner, filters, the overview, acting on anyone's
// environment through the lifecycle, and the trail of who did what, when.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../core/environment/model.js';
import { bootstrapAdmin, type Call, caller, createUser, PASSPHRASE } from '../support/admin.js';
import { type CookieJar, createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let call: Call;
let admin: { jar: CookieJar; id: string };
let ann: { id: string; jar: CookieJar };
let ben: { id: string; jar: CookieJar };
let annEnv: string;
let benEnv: string;

async function launch(jar: CookieJar, name: string, templateId: string) {
  const res = await call('/api/v1/environments', {
    method: 'POST',
    jar,
    body: { name, templateId },
  });
  expect(res.status).toBe(202);
  return (await res.json()).id as string;
}

async function fleet(query = '') {
  const res = await call(`/api/v1/admin/environments${query}`, { jar: admin.jar });
  expect(res.status).toBe(200);
  return res.json();
}

beforeAll(async () => {
  t = await createTestApp();
  call = caller(t);
  admin = await bootstrapAdmin(t, call);
  ann = await createUser(call, admin.jar, { email: 'ann@lab.test', tier: 'pro' });
  ben = await createUser(call, admin.jar, { email: 'ben@lab.test', tier: 'free' });
  annEnv = await launch(ann.jar, 'Ann notebook', 'jupyterlab');
  benEnv = await launch(ben.jar, 'Ben agent', 'agent-api');
  // The provisioner is not running here: say Ann's is Running, as it would.
  const store = t.services.environments;
  const read = async () => (await store.get(ann.id, annEnv)) as Environment;
  await store.writeStatus(await read(), { ...(await read()).status, phase: 'Running' });
  await store.recordActivity(await read(), t.clock.now);
  await store.setCullAt(await read(), new Date(t.clock.now.getTime() + 3600_000).toISOString());
});

describe('the fleet', () => {
  it('lists everyone’s environments with owner, template, phase, resources and times', async () => {
    const body = await fleet();
    expect(body.nextCursor).toBeNull();
    const byId = new Map(
      body.items.map((i: { environment: { id: string } }) => [i.environment.id, i]),
    );
    expect(byId.get(annEnv)).toMatchObject({
      owner: { id: ann.id, email: 'ann@lab.test', tier: 'pro', disabled: false },
      environment: {
        templateId: 'jupyterlab',
        resources: { cpu: '500m', memory: '1Gi' },
        status: {
          phase: 'Running',
          lastActivityAt: expect.any(String),
          cullAt: expect.any(String),
        },
      },
    });
    expect(byId.get(benEnv)).toMatchObject({
      owner: { email: 'ben@lab.test' },
      environment: { templateId: 'agent-api', status: { phase: 'Pending' } },
    });
  });

  it('filters by phase, owner and template, and pages with a cursor', async () => {
    const ids = (b: { items: { environment: { id: string } }[] }) =>
      b.items.map((i) => i.environment.id);
    expect(ids(await fleet('?phase=Running'))).toEqual([annEnv]);
    expect(ids(await fleet(`?ownerId=${ben.id}`))).toEqual([benEnv]);
    expect(ids(await fleet('?templateId=jupyterlab'))).toEqual([annEnv]);
    expect(ids(await fleet('?templateId=code-server'))).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { environment: { id: string } }[]; nextCursor: string | null } =
        await fleet(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([annEnv, benEnv].sort());

    for (const bad of ['?phase=Sleeping', '?ownerId=ben', '?limit=0', '?cursor=bm90LWEtY3Vyc29y']) {
      const res = await call(`/api/v1/admin/environments${bad}`, { jar: admin.jar });
      expect(res.status, bad).toBe(422);
    }
  });

  it('gives an overview: counts by phase, running against the limit, resources held', async () => {
    const res = await call('/api/v1/admin/environments/overview', { jar: admin.jar });
    expect(await res.json()).toEqual({
      total: 2,
      byPhase: { Running: 1, Pending: 1 },
      running: { count: 2, limit: 100 },
      resources: { cpu: '1', memory: '1536Mi' },
    });
  });

  it('stops, starts and deletes anyone’s environment through the lifecycle', async () => {
    const stop = await call(`/api/v1/admin/environments/${benEnv}/stop`, {
      method: 'POST',
      jar: admin.jar,
    });
    expect(stop.status).toBe(202);
    expect((await t.services.environments.get(ben.id, benEnv))?.desiredState).toBe('stopped');
    const start = await call(`/api/v1/admin/environments/${benEnv}/start`, {
      method: 'POST',
      jar: admin.jar,
    });
    expect(start.status).toBe(202);
    expect((await t.services.environments.get(ben.id, benEnv))?.desiredState).toBe('running');
    const del = await call(`/api/v1/admin/environments/${benEnv}`, {
      method: 'DELETE',
      jar: admin.jar,
    });
    expect(del.status).toBe(202);
    expect(await t.services.environments.get(ben.id, benEnv)).toMatchObject({
      desiredState: 'deleted',
      generation: 4,
    });
    // Ben's counters moved with it: he may launch again within his tier.
    expect((await t.services.environments.usage(ben.id)).running).toBe(0);
    const missing = await call('/api/v1/admin/environments/eaaaaaaaaaaaaaaaa/stop', {
      method: 'POST',
      jar: admin.jar,
    });
    expect(missing.status).toBe(404);
    // A member acting through the admin route is refused, and nothing changes.
    const member = await call(`/api/v1/admin/environments/${annEnv}/stop`, {
      method: 'POST',
      jar: ben.jar,
    });
    expect(member.status).toBe(403);
    expect((await t.services.environments.get(ann.id, annEnv))?.desiredState).toBe('running');
  });
});

describe('the audit log', () => {
  it('shows each admin action, newest first, with actor, target, result and request id', async () => {
    const res = await call('/api/v1/admin/activity?limit=100', { jar: admin.jar });
    expect(res.status).toBe(200);
    const { items } = await res.json();
    const mine = items.filter(
      (e: { actorId: string; action: string }) =>
        e.actorId === admin.id && !e.action.startsWith('auth.'),
    );
    expect(mine.slice(0, 4).map((e: { action: string }) => e.action)).toEqual([
      'environment.stop', // the 404: a refusal is recorded too
      'environment.delete',
      'environment.start',
      'environment.stop',
    ]);
    expect(mine[0]).toMatchObject({ result: 'failure', detail: 'not-found' });
    expect(mine[1]).toMatchObject({
      target: `environment:${benEnv}`,
      result: 'success',
      requestId: expect.any(String),
    });
    expect(mine.at(-1)).toMatchObject({ action: 'user.create', target: 'email:ann@lab.test' });
    const times = items.map((e: { at: string }) => e.at);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('filters by action, target and actor, and pages across days', async () => {
    const creates = await (
      await call('/api/v1/admin/activity?action=user.create', { jar: admin.jar })
    ).json();
    expect(creates.items.map((e: { target: string }) => e.target)).toEqual([
      'email:ben@lab.test',
      'email:ann@lab.test',
    ]);
    const onBen = await (
      await call(`/api/v1/admin/activity?target=environment:${benEnv}`, { jar: admin.jar })
    ).json();
    expect(onBen.items.map((e: { action: string }) => e.action)).toEqual([
      'environment.delete',
      'environment.start',
      'environment.stop',
      'environment.create',
    ]);
    const byBen = await (
      await call(`/api/v1/admin/activity?actorId=${ben.id}`, { jar: admin.jar })
    ).json();
    // Ben's own actions are in the trail too: his launch, and his refused try at administration.
    expect(
      byBen.items
        .filter((e: { action: string }) => !e.action.startsWith('auth.'))
        .map((e: { action: string; target: string; result: string }) => [
          e.action,
          e.target,
          e.result,
        ]),
    ).toEqual([
      ['admin.denied', `POST /api/v1/admin/environments/${annEnv}/stop`, 'failure'],
      ['environment.create', `environment:${benEnv}`, 'success'],
    ]);

    // A day later: a new action lands in the next day's partition; pages walk back across days.
    t.clock.advance(24 * 3600_000);
    await call('/auth/refresh', { method: 'POST', jar: admin.jar });
    await call(`/api/v1/admin/users/${ben.id}/disable`, { method: 'POST', jar: admin.jar });
    const all: { action: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { action: string }[]; nextCursor: string | null } = await (
        await call(`/api/v1/admin/activity?limit=3${cursor ? `&cursor=${cursor}` : ''}`, {
          jar: admin.jar,
        })
      ).json();
      expect(page.items.length).toBeLessThanOrEqual(3);
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(all[0]?.action).toBe('user.disable');
    expect(all.filter((e) => e.action === 'user.create')).toHaveLength(2);

    const forged = await call('/api/v1/admin/activity?cursor=eyJkIjoibm9wZSJ9', {
      jar: admin.jar,
    });
    expect(forged.status).toBe(422);
  });

  it('narrows to a time window (since / until, inclusive), across days', async () => {
    // The test above moved the clock a day on and disabled Ben then.
    const hour = 3600_000;
    const at = (ms: number) => new Date(t.clock.now.getTime() + ms).toISOString();
    const actions = async (query: string) => {
      const res = await call(`/api/v1/admin/activity?limit=100&${query}`, { jar: admin.jar });
      expect(res.status).toBe(200);
      return (await res.json()).items as { action: string; at: string }[];
    };
    const recent = await actions(`since=${at(-hour)}`);
    expect(recent.map((e) => e.action)).toContain('user.disable');
    expect(recent.map((e) => e.action)).not.toContain('user.create');
    expect(recent.every((e) => e.at >= at(-hour))).toBe(true);
    const before = await actions(`until=${at(-12 * hour)}`);
    expect(before.filter((e) => e.action === 'user.create')).toHaveLength(2);
    expect(before.map((e) => e.action)).not.toContain('user.disable');
    const disable = recent.find((e) => e.action === 'user.disable')!;
    const exactly = await actions(`since=${disable.at}&until=${disable.at}&action=user.disable`);
    expect(exactly).toHaveLength(1);
    for (const query of [
      `since=${at(0)}&until=${at(-hour)}`,
      'since=yesterday',
      'until=2026-13-01T00:00:00Z',
    ]) {
      const res = await call(`/api/v1/admin/activity?${query}`, { jar: admin.jar });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('records sign-ins, refused ones included, and password changes', async () => {
    const wrong = await call('/auth/password', {
      method: 'POST',
      body: { email: 'Ann@lab.test', password: 'not-her-password-at-all' },
    });
    expect(wrong.status).toBe(401);
    const right = await call('/auth/password', {
      method: 'POST',
      body: { email: 'ann@lab.test', password: PASSPHRASE },
    });
    expect(right.status).toBe(200);
    const signIns = await (
      await call('/api/v1/admin/activity?action=auth.sign-in&limit=2', { jar: admin.jar })
    ).json();
    expect(signIns.items).toMatchObject([
      { actorId: ann.id, target: 'email:ann@lab.test', result: 'success' },
      {
        actorId: 'anonymous',
        target: 'email:ann@lab.test',
        result: 'failure',
        detail: 'status 401',
      },
    ]);
    expect(JSON.stringify(signIns)).not.toContain('not-her-password');
    // createUser changed Ann's one-time password at the start.
    const changes = await (
      await call(`/api/v1/admin/activity?action=auth.password-change&actorId=${ann.id}`, {
        jar: admin.jar,
      })
    ).json();
    expect(changes.items).toMatchObject([{ result: 'success', target: `user:${ann.id}` }]);
  });

  it('forgets events past the retention period', async () => {
    const later = new Date(t.clock.now.getTime() + 91 * 24 * 3600_000);
    const page = await t.services.audit.list({ limit: 100 }, later);
    expect(page).toEqual({ items: [], nextCursor: null });
  });
});
