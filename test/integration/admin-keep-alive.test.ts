// What the admin API offers around the reaper and the reconciler, on DynamoDB
// Local: a keep-alive that exempts an environment from culls until a time
// (validated, audited, shown in the environment), and the workspace volumes
// the reconciler found without an environment (listed, never deleted).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../core/environment/model.js';
import { OrphanVolumeStore } from '../../core/store/orphans.js';
import { bootstrapAdmin, type Call, caller, createUser } from '../support/admin.js';
import { type CookieJar, createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let call: Call;
let admin: { jar: CookieJar; id: string };
let ann: { id: string; jar: CookieJar };
let envId: string;

const inMinutes = (m: number) => new Date(t.clock.now.getTime() + m * 60_000).toISOString();

function keepAlive(id: string, body: unknown, jar = admin.jar) {
  return call(`/api/v1/admin/environments/${id}/keep-alive`, { method: 'POST', jar, body });
}

beforeAll(async () => {
  t = await createTestApp();
  call = caller(t);
  admin = await bootstrapAdmin(t, call);
  ann = await createUser(call, admin.jar, { email: 'ann@keep.test', tier: 'pro' });
  const res = await call('/api/v1/environments', {
    method: 'POST',
    jar: ann.jar,
    body: { name: 'Long training', templateId: 'jupyterlab' },
  });
  expect(res.status).toBe(202);
  envId = (await res.json()).id;
  // The provisioner is not running here: say it runs, with a cull warning showing.
  const store = t.services.environments;
  const read = async () => (await store.get(ann.id, envId)) as Environment;
  await store.writeStatus(await read(), {
    ...(await read()).status,
    phase: 'Running',
    startedAt: t.clock.now.toISOString(),
  });
  await store.setCullAt(await read(), inMinutes(5));
});

describe('keep-alive', () => {
  it('exempts an environment until a time: shown to its owner, the warning cleared, audited', async () => {
    const until = inMinutes(3 * 24 * 60);
    const res = await keepAlive(envId, { until });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: envId,
      keepAliveUntil: until,
      status: { cullAt: null },
    });
    const mine = await call(`/api/v1/environments/${envId}`, { jar: ann.jar });
    expect(await mine.json()).toMatchObject({ keepAliveUntil: until });
    const stored = (await t.services.environments.get(ann.id, envId))!;
    // Not a change of intent: the generation stays.
    expect(stored).toMatchObject({ keepAliveUntil: until, generation: 1, desiredState: 'running' });

    const trail = await (
      await call(`/api/v1/admin/activity?target=environment:${envId}`, { jar: admin.jar })
    ).json();
    expect(trail.items[0]).toMatchObject({
      action: 'environment.keep-alive',
      actorId: admin.id,
      result: 'success',
      detail: `until ${until}`,
    });
  });

  it('refuses a time in the past, beyond 30 days, or not a time, and changes nothing', async () => {
    const before = (await t.services.environments.get(ann.id, envId))!.keepAliveUntil;
    for (const body of [
      { until: inMinutes(-1) },
      { until: inMinutes(31 * 24 * 60) },
      { until: 'tomorrow' },
      { until: inMinutes(60), extra: true },
      {},
    ]) {
      const res = await keepAlive(envId, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await t.services.environments.get(ann.id, envId))!.keepAliveUntil).toBe(before);
    // Not an admin, or no such environment.
    expect((await keepAlive(envId, { until: inMinutes(60) }, ann.jar)).status).toBe(403);
    expect((await keepAlive('eaaaaaaaaaaaaaaaa', { until: inMinutes(60) })).status).toBe(404);
  });

  it('is ended with null; a stop by the owner keeps an exemption set before', async () => {
    const cleared = await keepAlive(envId, { until: null });
    expect(cleared.status).toBe(200);
    expect((await cleared.json()).keepAliveUntil).toBeNull();
    expect((await t.services.environments.get(ann.id, envId))!.keepAliveUntil).toBeUndefined();

    const until = inMinutes(60);
    await keepAlive(envId, { until });
    const stop = await call(`/api/v1/environments/${envId}/stop`, {
      method: 'POST',
      jar: ann.jar,
    });
    expect(stop.status).toBe(202);
    expect(await t.services.environments.get(ann.id, envId)).toMatchObject({
      desiredState: 'stopped',
      keepAliveUntil: until,
    });
  });

  it('is not undone by a change of intent that read the environment before it', async () => {
    const store = t.services.environments;
    const read = (await store.get(ann.id, envId))!;
    await store.setKeepAlive(read, inMinutes(120));
    await expect(
      store.changeDesired(
        read,
        { desiredState: 'running', status: read.status },
        { maxRunning: 10, maxTotal: 10, maxRunningGlobal: 100 },
        t.clock.now,
      ),
    ).rejects.toMatchObject({ code: 'environment-changed' });
    expect((await store.get(ann.id, envId))!.keepAliveUntil).toBe(inMinutes(120));
  });

  it('is refused for a deleted environment', async () => {
    const del = await call(`/api/v1/environments/${envId}`, { method: 'DELETE', jar: ann.jar });
    expect(del.status).toBe(202);
    expect((await keepAlive(envId, { until: inMinutes(60) })).status).toBe(409);
  });
});

describe("a template's own cull policy", () => {
  it('is accepted on a template, validated, and stored', async () => {
    const all = await (await call('/api/v1/admin/templates', { jar: admin.jar })).json();
    const { id: _id, ...base } = all.items[0];
    const post = (body: unknown) =>
      call('/api/v1/admin/templates', { method: 'POST', jar: admin.jar, body });
    for (const bad of [
      { idleTimeoutMinutes: 0 },
      { idleTimeoutMinutes: 1.5 },
      { maxLifetimeHours: -1 },
      { maxLifetimeHours: '12' },
    ]) {
      const res = await post({ ...base, id: 'gpu-bad', ...bad });
      expect(res.status, JSON.stringify(bad)).toBe(422);
    }
    expect(await t.services.catalog.get('gpu-bad')).toBeUndefined();
    const created = await post({ ...base, id: 'gpu', idleTimeoutMinutes: 15, maxLifetimeHours: 8 });
    expect(created.status).toBe(201);
    expect(await t.services.catalog.get('gpu')).toMatchObject({
      idleTimeoutMinutes: 15,
      maxLifetimeHours: 8,
    });
  });
});

describe('orphaned volumes', () => {
  it('lists what the reconciler recorded, for admins only', async () => {
    const empty = await call('/api/v1/admin/volumes/orphans', { jar: admin.jar });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ items: [], count: 0, since: null });

    const store = new OrphanVolumeStore(t.doc, t.tableName);
    await store.replace(
      [
        {
          namespace: `lab-${ann.id}`,
          name: 'eqqqqqqqqqqqqqqqq-workspace',
          envId: 'eqqqqqqqqqqqqqqqq',
          ownerId: ann.id,
          createdAt: '2026-01-01T00:00:00Z',
        },
      ],
      t.clock.now,
    );
    const listed = await call('/api/v1/admin/volumes/orphans', { jar: admin.jar });
    expect(await listed.json()).toEqual({
      items: [
        {
          namespace: `lab-${ann.id}`,
          name: 'eqqqqqqqqqqqqqqqq-workspace',
          envId: 'eqqqqqqqqqqqqqqqq',
          ownerId: ann.id,
          createdAt: '2026-01-01T00:00:00Z',
        },
      ],
      count: 1,
      since: t.clock.now.toISOString(),
    });
    expect((await call('/api/v1/admin/volumes/orphans', { jar: ann.jar })).status).toBe(403);
  });
});
