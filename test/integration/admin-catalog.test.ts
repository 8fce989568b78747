// The catalog and the settings through the admin API on DynamoDB Local:
// full validation of templates, enable/disable, delete refused while in use,
// settings versioned with ETag / If-Match, and the two kept consistent.
import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAdmin, type Call, caller, createUser } from '../support/admin.js';
import { type CookieJar, createTestApp, type TestApp } from '../support/app.js';

// biome-ignore lint/suspicious/noExplicitAny: settings are mutated here as the plain JSON a client sends
type Json = any;

let t: TestApp;
let call: Call;
let admin: { jar: CookieJar; id: string };

const rstudio = {
  id: 'rstudio',
  name: 'RStudio',
  description: 'R and RStudio Server.',
  icon: 'https://example.org/rstudio.svg',
  image: `registry.lab.example:5000/images/rstudio:4.4@sha256:${'a'.repeat(64)}`,
  port: 8787,
  command: ['/init'],
  args: ['--www-port=8787'],
  env: [{ name: 'DISABLE_AUTH', value: 'true' }],
  defaultResources: { cpu: '500m', memory: '1Gi' },
  maxResources: { cpu: '2', memory: '4Gi' },
  volumeSizeGi: 5,
  tiers: ['pro'],
  imagePullSecret: 'lab-registry',
};

async function settings() {
  const res = await call('/api/v1/admin/settings', { jar: admin.jar });
  expect(res.status).toBe(200);
  return { etag: res.headers.get('etag')!, body: await res.json() };
}

beforeAll(async () => {
  t = await createTestApp();
  call = caller(t);
  admin = await bootstrapAdmin(t, call);
});

describe('templates', () => {
  it('lists every template, creates one, and a tier it names can launch it', async () => {
    const before = await (await call('/api/v1/admin/templates', { jar: admin.jar })).json();
    expect(before.items.map((x: { id: string }) => x.id)).toContain('code-server');

    const res = await call('/api/v1/admin/templates', {
      method: 'POST',
      jar: admin.jar,
      body: rstudio,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      ...rstudio,
      enabled: true,
      workspacePath: '/home/jovyan',
    });
    expect((await t.services.catalog.get('rstudio'))?.imagePullSecret).toBe('lab-registry');

    const again = await call('/api/v1/admin/templates', {
      method: 'POST',
      jar: admin.jar,
      body: rstudio,
    });
    expect(again.status).toBe(409);

    // A free user does not see it; the (pro) admin does.
    const free = await createUser(call, admin.jar, { email: 'free@lab.test', tier: 'free' });
    const freeIds = (await (await call('/api/v1/templates', { jar: free.jar })).json()).items.map(
      (x: { id: string }) => x.id,
    );
    expect(freeIds).not.toContain('rstudio');
    const mine = (await (await call('/api/v1/templates', { jar: admin.jar })).json()).items;
    expect(mine.map((x: { id: string }) => x.id)).toContain('rstudio');
  });

  it.each([
    ['an image without a registry', { image: 'rstudio:latest' }, 'image'],
    ['an image with a shell character', { image: 'docker.io/x/y;rm -rf' }, 'image'],
    ['port 0', { port: 0 }, 'port'],
    [
      'a default above the maximum',
      { defaultResources: { cpu: '3', memory: '1Gi' } },
      'defaultResources.cpu',
    ],
    ['a bad quantity', { maxResources: { cpu: 'lots', memory: '1Gi' } }, 'maxResources.cpu'],
    ['a bad env name', { env: [{ name: '1X', value: '' }] }, 'env.0.name'],
    ['an http icon', { icon: 'http://example.org/x.svg' }, 'icon'],
    ['no tiers', { tiers: [] }, 'tiers'],
    ['an unknown tier', { tiers: ['gold'] }, 'tiers'],
    [
      'a default above the tier',
      { defaultResources: { cpu: '2', memory: '1Gi' }, tiers: ['free'] },
      'defaultResources.cpu',
    ],
    ['a bad pull secret', { imagePullSecret: 'Has Spaces' }, 'imagePullSecret'],
    ['a zero volume', { volumeSizeGi: 0 }, 'volumeSizeGi'],
    ['an unknown field', { privileged: true }, undefined],
  ])('refuses %s (422, nothing stored)', async (_what, patch, field) => {
    const body = { ...rstudio, id: 'bad-one', ...patch };
    const res = await call('/api/v1/admin/templates', { method: 'POST', jar: admin.jar, body });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    if (field)
      expect((await res.json()).errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await t.services.catalog.get('bad-one')).toBeUndefined();
  });

  it('replaces, disables and enables a template', async () => {
    const read = await call('/api/v1/admin/templates/rstudio', { jar: admin.jar });
    const put = await call('/api/v1/admin/templates/rstudio', {
      method: 'PUT',
      jar: admin.jar,
      headers: { 'if-match': read.headers.get('etag')! },
      body: { ...rstudio, description: 'R, edited.', port: 8788 },
    });
    expect(put.status).toBe(200);
    expect(await t.services.catalog.get('rstudio')).toMatchObject({
      description: 'R, edited.',
      port: 8788,
    });

    const mismatch = await call('/api/v1/admin/templates/rstudio', {
      method: 'PUT',
      jar: admin.jar,
      headers: { 'if-match': put.headers.get('etag')! },
      body: { ...rstudio, id: 'other' },
    });
    expect(mismatch.status).toBe(422);
    const missing = await call('/api/v1/admin/templates/nope', {
      method: 'PUT',
      jar: admin.jar,
      headers: { 'if-match': '"1"' },
      body: { ...rstudio, id: 'nope' },
    });
    expect(missing.status).toBe(404);

    const disabled = await call('/api/v1/admin/templates/rstudio/disable', {
      method: 'POST',
      jar: admin.jar,
    });
    expect((await disabled.json()).enabled).toBe(false);
    const launch = await call('/api/v1/environments', {
      method: 'POST',
      jar: admin.jar,
      body: { name: 'R', templateId: 'rstudio' },
    });
    expect(launch.status).toBe(422);
    const enabled = await call('/api/v1/admin/templates/rstudio/enable', {
      method: 'POST',
      jar: admin.jar,
    });
    expect((await enabled.json()).enabled).toBe(true);
  });

  it('versions a template: ETag on read and every save, If-Match required on PUT (412 stale, 428 missing)', async () => {
    const read = await call('/api/v1/admin/templates/rstudio', { jar: admin.jar });
    expect(read.status).toBe(200);
    const etag = read.headers.get('etag')!;
    expect(etag).toMatch(/^"\d+"$/);
    const body = await read.json();

    const missing = await call('/api/v1/admin/templates/rstudio', {
      method: 'PUT',
      jar: admin.jar,
      body: { ...body, description: 'No If-Match.' },
    });
    expect(missing.status).toBe(428);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');

    // Two admins read the same version; the first save wins, the second is stale.
    const first = await call('/api/v1/admin/templates/rstudio', {
      method: 'PUT',
      jar: admin.jar,
      headers: { 'if-match': etag },
      body: { ...body, description: 'First admin.' },
    });
    expect(first.status).toBe(200);
    const next = first.headers.get('etag')!;
    expect(next).not.toBe(etag);
    for (const [method, path, payload] of [
      ['PUT', '/api/v1/admin/templates/rstudio', { ...body, description: 'Second admin.' }],
      ['POST', '/api/v1/admin/templates/rstudio/disable', undefined],
      ['DELETE', '/api/v1/admin/templates/rstudio', undefined],
    ] as const) {
      const stale = await call(path, {
        method,
        jar: admin.jar,
        headers: { 'if-match': etag },
        body: payload,
      });
      expect(stale.status, `${method} ${path}`).toBe(412);
      expect((await stale.json()).detail).toContain('The template changed');
    }
    const garbage = await call('/api/v1/admin/templates/rstudio', {
      method: 'PUT',
      jar: admin.jar,
      headers: { 'if-match': '*' },
      body: { ...body, description: 'Any version.' },
    });
    expect(garbage.status).toBe(412);
    const after = await call('/api/v1/admin/templates/rstudio', { jar: admin.jar });
    expect(after.headers.get('etag')).toBe(next);
    expect((await after.json()).description).toBe('First admin.');

    // A toggle without If-Match is fine (it loses nothing) and moves the version on.
    const toggled = await call('/api/v1/admin/templates/rstudio/enable', {
      method: 'POST',
      jar: admin.jar,
    });
    expect(toggled.status).toBe(200);
    expect(toggled.headers.get('etag')).not.toBe(next);
    const created = await call('/api/v1/admin/templates', {
      method: 'POST',
      jar: admin.jar,
      body: { ...rstudio, id: 'rstudio-two' },
    });
    expect(created.headers.get('etag')).toBe('"1"');
  });

  it('refuses to delete a template in use (409, disable instead), deletes one that is not', async () => {
    const env = await call('/api/v1/environments', {
      method: 'POST',
      jar: admin.jar,
      body: { name: 'R work', templateId: 'rstudio' },
    });
    expect(env.status).toBe(202);
    const refused = await call('/api/v1/admin/templates/rstudio', {
      method: 'DELETE',
      jar: admin.jar,
    });
    expect(refused.status).toBe(409);
    expect((await refused.json()).detail).toContain('disable it instead');
    expect(await t.services.catalog.get('rstudio')).toBeDefined();

    const deleted = await call('/api/v1/admin/templates/streamlit', {
      method: 'DELETE',
      jar: admin.jar,
    });
    expect(deleted.status).toBe(204);
    expect(await t.services.catalog.get('streamlit')).toBeUndefined();
    expect(
      (await call('/api/v1/admin/templates/streamlit', { method: 'DELETE', jar: admin.jar }))
        .status,
    ).toBe(404);
  });
});

describe('settings', () => {
  it('answers the settings with an ETag and saves with a matching If-Match', async () => {
    const { etag, body } = await settings();
    expect(etag).toBe('"0"');
    const next = { ...body, maxRunningGlobal: 42 };
    const res = await call('/api/v1/admin/settings', {
      method: 'PUT',
      jar: admin.jar,
      headers: { 'if-match': etag },
      body: next,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    expect((await t.services.catalog.settings()).maxRunningGlobal).toBe(42);
  });

  it('refuses a stale If-Match (412) and a missing one (428), changing nothing', async () => {
    const { body } = await settings();
    const stale = await call('/api/v1/admin/settings', {
      method: 'PUT',
      jar: admin.jar,
      headers: { 'if-match': '"0"' },
      body: { ...body, maxRunningGlobal: 7 },
    });
    expect(stale.status).toBe(412);
    const missing = await call('/api/v1/admin/settings', {
      method: 'PUT',
      jar: admin.jar,
      body: { ...body, maxRunningGlobal: 7 },
    });
    expect(missing.status).toBe(428);
    expect((await t.services.catalog.settings()).maxRunningGlobal).toBe(42);
  });

  it('two admins at once: the second write with the old ETag answers 412', async () => {
    const { etag, body } = await settings();
    const write = (n: number) =>
      call('/api/v1/admin/settings', {
        method: 'PUT',
        jar: admin.jar,
        headers: { 'if-match': etag },
        body: { ...body, maxRunningGlobal: n },
      });
    const statuses = (await Promise.all([write(50), write(60)])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412]);
    expect([50, 60]).toContain((await t.services.catalog.settings()).maxRunningGlobal);
  });

  it.each([
    [
      'a zero idle timeout',
      (s: Json) => {
        s.tiers.free.idleTimeoutMinutes = 0;
      },
      'tiers.free.idleTimeoutMinutes',
    ],
    [
      'a negative global maximum',
      (s: Json) => {
        s.maxRunningGlobal = -1;
      },
      'maxRunningGlobal',
    ],
    [
      'running above total',
      (s: Json) => {
        s.tiers.free.maxRunning = 9;
      },
      'tiers.free.maxRunning',
    ],
    [
      'a cpu limit below a template default',
      (s: Json) => {
        s.tiers.free.maxCpu = '100m';
      },
      'tiers.free.maxCpu',
    ],
    [
      'a memory limit below a template default',
      (s: Json) => {
        s.tiers.pro.maxMemory = '256Mi';
      },
      'tiers.pro.maxMemory',
    ],
    [
      'a negative warning lead time for a tier',
      (s: Json) => {
        s.tiers.free.cullWarningMinutes = -5;
      },
      'tiers.free.cullWarningMinutes',
    ],
    [
      'removing a tier templates use',
      (s: Json) => {
        delete s.tiers.free;
      },
      'tiers.free',
    ],
    [
      'a missing field',
      (s: Json) => {
        delete s.dataRetentionDays;
      },
      'dataRetentionDays',
    ],
    [
      'an unknown field',
      (s: Json) => {
        s.extra = 1;
      },
      undefined,
    ],
  ])('refuses %s (422, nothing changes)', async (_what, mutate, field) => {
    const { etag, body } = await settings();
    const next = structuredClone(body);
    mutate(next);
    const res = await call('/api/v1/admin/settings', {
      method: 'PUT',
      jar: admin.jar,
      headers: { 'if-match': etag },
      body: next,
    });
    expect(res.status).toBe(422);
    if (field)
      expect((await res.json()).errors.map((e: { field: string }) => e.field)).toContain(field);
    const after = await settings();
    expect(after.etag).toBe(etag);
    expect(after.body).toEqual(body);
  });

  it('a tier may warn earlier than the installation; /me/limits tells its users', async () => {
    const before = await (await call('/api/v1/me/limits', { jar: admin.jar })).json();
    expect(before.limits.cullWarningMinutes).toBe(10); // the installation's, for pro
    const { etag, body } = await settings();
    const next = structuredClone(body);
    next.tiers.pro.cullWarningMinutes = 45;
    const saved = await call('/api/v1/admin/settings', {
      method: 'PUT',
      jar: admin.jar,
      headers: { 'if-match': etag },
      body: next,
    });
    expect(saved.status).toBe(200);
    const after = await (await call('/api/v1/me/limits', { jar: admin.jar })).json();
    expect(after.limits.cullWarningMinutes).toBe(45);
  });

  it('a lowered running limit refuses further starts with a clear problem', async () => {
    const { etag, body } = await settings();
    const next = structuredClone(body);
    next.tiers.pro.maxRunning = 1;
    const saved = await call('/api/v1/admin/settings', {
      method: 'PUT',
      jar: admin.jar,
      headers: { 'if-match': etag },
      body: next,
    });
    expect(saved.status).toBe(200);
    // The admin (pro) already runs the R environment from the delete test.
    const res = await call('/api/v1/environments', {
      method: 'POST',
      jar: admin.jar,
      body: { name: 'One more', templateId: 'jupyterlab' },
    });
    expect(res.status).toBe(409);
    expect((await res.json()).detail).toContain('limit of 1 running environment');
  });
});

describe('the OpenAPI document', () => {
  it('documents the admin routes', async () => {
    const doc = await (await t.app.request('/api/v1/openapi.json')).json();
    for (const path of [
      '/api/v1/admin/templates',
      '/api/v1/admin/templates/{id}',
      '/api/v1/admin/settings',
      '/api/v1/admin/users',
      '/api/v1/admin/users/{id}/disable',
      '/api/v1/admin/environments',
      '/api/v1/admin/environments/overview',
      '/api/v1/admin/environments/{id}/stop',
      '/api/v1/admin/activity',
    ])
      expect(doc.paths, path).toHaveProperty([path]);
    expect(doc.paths['/api/v1/admin/settings'].put.responses).toHaveProperty('412');
    expect(doc.paths['/api/v1/admin/templates/{id}'].put.responses).toHaveProperty('412');
    expect(doc.paths['/api/v1/admin/templates/{id}'].put.responses).toHaveProperty('428');
  });
});
