// Custom images through the API on DynamoDB Local: off by default; an admin
// names the tiers and the registries; a user of such a tier launches an image
// of their own on top of a template; everything else is refused with a 4xx
// problem that creates nothing; a withdrawn registry stops the next start.
import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAdmin, type Call, caller, createUser } from '../support/admin.js';
import { type CookieJar, createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let call: Call;
let admin: { jar: CookieJar; id: string };
let pro: { jar: CookieJar; id: string };
let free: { jar: CookieJar; id: string };

async function saveCustomImages(customImages: unknown) {
  const read = await call('/api/v1/admin/settings', { jar: admin.jar });
  const body = await read.json();
  return call('/api/v1/admin/settings', {
    method: 'PUT',
    jar: admin.jar,
    headers: { 'if-match': read.headers.get('etag')! },
    body: { ...body, customImages },
  });
}

const launch = (jar: CookieJar, image: unknown) =>
  call('/api/v1/environments', {
    method: 'POST',
    jar,
    body: { name: 'Own image', templateId: 'jupyterlab', image },
  });

const countOf = async (userId: string) =>
  (await t.services.environments.listByOwner(userId, { limit: 100 })).items.length;

beforeAll(async () => {
  t = await createTestApp();
  call = caller(t);
  admin = await bootstrapAdmin(t, call);
  pro = await createUser(call, admin.jar, { email: 'pro@lab.test', tier: 'pro' });
  free = await createUser(call, admin.jar, { email: 'free@lab.test', tier: 'free' });
});

describe('custom images', () => {
  it('are off by default: a launch with an image is refused (403) and creates nothing', async () => {
    const settings = await (await call('/api/v1/admin/settings', { jar: admin.jar })).json();
    expect(settings.customImages).toEqual({ tiers: [], allowedRegistries: [] });
    const limits = await (await call('/api/v1/me/limits', { jar: pro.jar })).json();
    expect(limits.customImages).toBeNull();
    const res = await launch(pro.jar, 'ghcr.io/mylab/torch:2');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await res.json()).detail).toContain('may not launch custom images');
    expect(await countOf(pro.id)).toBe(0);
  });

  it.each([
    ['an unknown tier', { tiers: ['gold'], allowedRegistries: ['ghcr.io/mylab'] }],
    ['tiers with no registry', { tiers: ['pro'], allowedRegistries: [] }],
    ['a prefix without a registry', { tiers: ['pro'], allowedRegistries: ['mylab'] }],
    ['a prefix with a tag', { tiers: ['pro'], allowedRegistries: ['ghcr.io/mylab:1'] }],
    ['a prefix with a space', { tiers: ['pro'], allowedRegistries: ['ghcr.io/my lab'] }],
    ['an unknown field', { tiers: ['pro'], allowedRegistries: ['ghcr.io/mylab'], all: true }],
    ['a string', 'on'],
  ])('settings refuse %s (422, unchanged)', async (_what, customImages) => {
    const before = await t.services.catalog.versionedSettings();
    const res = await saveCustomImages(customImages);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await t.services.catalog.versionedSettings()).toEqual(before);
  });

  it('an admin turns them on for a tier and a registry prefix', async () => {
    const res = await saveCustomImages({
      tiers: ['pro'],
      allowedRegistries: ['ghcr.io/mylab/', 'registry.lab.example:5000/images'],
    });
    expect(res.status).toBe(200);
    expect((await res.json()).customImages).toEqual({
      tiers: ['pro'],
      allowedRegistries: ['ghcr.io/mylab', 'registry.lab.example:5000/images'],
    });
    // A client that does not know the section leaves it as it is.
    const read = await call('/api/v1/admin/settings', { jar: admin.jar });
    const { customImages: _, ...rest } = await read.json();
    const unaware = await call('/api/v1/admin/settings', {
      method: 'PUT',
      jar: admin.jar,
      headers: { 'if-match': read.headers.get('etag')! },
      body: { ...rest, maxRunningGlobal: 99 },
    });
    expect(unaware.status).toBe(200);
    expect((await t.services.catalog.settings()).customImages.tiers).toEqual(['pro']);
    const limits = await (await call('/api/v1/me/limits', { jar: pro.jar })).json();
    expect(limits.customImages).toEqual({
      allowedRegistries: ['ghcr.io/mylab', 'registry.lab.example:5000/images'],
    });
  });

  it('a user of the tier launches an allowed image on top of a template', async () => {
    const res = await launch(pro.jar, 'ghcr.io/mylab/torch:2');
    expect(res.status).toBe(202);
    const view = await res.json();
    expect(view).toMatchObject({ templateId: 'jupyterlab', image: 'ghcr.io/mylab/torch:2' });
    expect((await t.services.environments.get(pro.id, view.id))?.spec.image).toBe(
      'ghcr.io/mylab/torch:2',
    );
    // The trail says who ran which image.
    const trail = await (
      await call(`/api/v1/admin/activity?target=environment:${view.id}`, { jar: admin.jar })
    ).json();
    expect(trail.items).toMatchObject([
      {
        actorId: pro.id,
        action: 'environment.create',
        result: 'success',
        detail: 'image ghcr.io/mylab/torch:2',
      },
    ]);
    const plain = await call('/api/v1/environments', {
      method: 'POST',
      jar: pro.jar,
      body: { name: 'Catalog', templateId: 'jupyterlab' },
    });
    expect((await plain.json()).image).toBeNull();
  });

  it.each([
    ['a look-alike repository', 'ghcr.io/mylab-evil/torch:2', 422],
    ['another registry', 'docker.io/mylab/torch:2', 422],
    ['a registry prefix of the path only', 'registry.lab.example:5000/other/x', 422],
    ['a trailing space', 'ghcr.io/mylab/torch:2 ', 422],
    ['a newline', 'ghcr.io/mylab/torch\n:2', 422],
    ['a shell character', 'ghcr.io/mylab/torch:2;id', 422],
    ['no registry', 'mylab/torch:2', 422],
    ['a number', 7, 422],
  ])('refuses %s (%s), creating nothing', async (_what, image, status) => {
    const before = await countOf(pro.id);
    const res = await launch(pro.jar, image);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = await res.json();
    expect(problem.errors.map((e: { field: string }) => e.field)).toContain('image');
    expect(await countOf(pro.id)).toBe(before);
  });

  it('refuses a tier that is not named (403), even with an allowed image', async () => {
    const res = await launch(free.jar, 'ghcr.io/mylab/torch:2');
    expect(res.status).toBe(403);
    expect(await countOf(free.id)).toBe(0);
  });

  it('a withdrawn registry refuses the next start (409); stop and delete still work', async () => {
    const created = await (await launch(pro.jar, 'registry.lab.example:5000/images/r:4')).json();
    const stop = await call(`/api/v1/environments/${created.id}/stop`, {
      method: 'POST',
      jar: pro.jar,
    });
    expect(stop.status).toBe(202);
    expect(
      (await saveCustomImages({ tiers: ['pro'], allowedRegistries: ['ghcr.io/mylab'] })).status,
    ).toBe(200);
    const start = await call(`/api/v1/environments/${created.id}/start`, {
      method: 'POST',
      jar: pro.jar,
    });
    expect(start.status).toBe(409);
    expect(start.headers.get('content-type')).toBe('application/problem+json');
    expect((await start.json()).detail).toContain('no longer allowed');
    expect((await t.services.environments.get(pro.id, created.id))?.desiredState).toBe('stopped');
    const deleted = await call(`/api/v1/environments/${created.id}`, {
      method: 'DELETE',
      jar: pro.jar,
    });
    expect(deleted.status).toBe(202);
  });
});
