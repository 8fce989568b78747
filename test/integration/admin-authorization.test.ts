// Who may reach administration, over every admin route the OpenAPI document
// lists — so a route added later is covered without touching this test: a
// member's session answers 403, an admin's token without the admin scope
// (environments:read + environments:write) answers 403, no credential 401;
// each a problem+json that changes nothing. An admin's session passes the
// guard on every one (whatever the route then answers, never 401/403).
import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAdmin, type Call, caller, createUser } from '../support/admin.js';
import { type CookieJar, createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let call: Call;
let admin: { jar: CookieJar; id: string };
let member: { jar: CookieJar; id: string };
let writerToken: string;
let routes: { method: string; path: string }[];

/** Everything an admin route could change, read back. */
async function state() {
  const [templates, settings, users, fleet, tokens] = await Promise.all([
    t.services.catalog.list(),
    t.services.catalog.versionedSettings(),
    t.auth.users.list({ limit: 100 }),
    t.services.admin.fleet.all(),
    t.services.admin.apiTokens.list(admin.id),
  ]);
  // A token's lastUsedAt is bookkeeping of its use, not a change the route made.
  const tokenState = tokens.map(({ lastUsedAt: _, ...rest }) => rest);
  return JSON.stringify({ templates, settings, users: users.items, fleet, tokens: tokenState });
}

/** A concrete URL for a documented path: real ids, so only the guard can refuse. */
function urlOf(path: string, ids: { environment: string }) {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (path.includes('/templates/')) return 'jupyterlab';
    if (path.includes('/users/')) return member.id;
    if (path.includes('/environments/')) return ids.environment;
    throw new Error(`no id for {${name}} in ${path}: teach urlOf about it`);
  });
}

let environmentId: string;

beforeAll(async () => {
  t = await createTestApp();
  call = caller(t);
  admin = await bootstrapAdmin(t, call);
  member = await createUser(call, admin.jar, { email: 'member@lab.test', tier: 'free' });
  const launched = await call('/api/v1/environments', {
    method: 'POST',
    jar: member.jar,
    body: { name: 'Member work', templateId: 'jupyterlab' },
  });
  expect(launched.status).toBe(202);
  environmentId = (await launched.json()).id;
  const minted = await call('/api/v1/me/tokens', {
    method: 'POST',
    jar: admin.jar,
    body: { name: 'writer', scopes: ['environments:read', 'environments:write'] },
  });
  expect(minted.status).toBe(201);
  writerToken = (await minted.json()).token;
  const doc = await (await t.app.request('/api/v1/openapi.json')).json();
  routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .filter(([path]) => path.startsWith('/api/v1/admin/'))
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((method) => ({ method: method.toUpperCase(), path })),
    );
});

describe('every admin route in the OpenAPI document', () => {
  it('is documented (the enumeration is not empty)', () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    expect(names.length).toBeGreaterThanOrEqual(15);
    for (const known of [
      'GET /api/v1/admin/settings',
      'PUT /api/v1/admin/settings',
      'POST /api/v1/admin/templates',
      'DELETE /api/v1/admin/templates/{id}',
      'POST /api/v1/admin/users/{id}/disable',
      'POST /api/v1/admin/environments/{id}/stop',
      'GET /api/v1/admin/activity',
    ])
      expect(names).toContain(known);
  });

  const callers: [string, number, () => Parameters<Call>[1]][] = [
    ['a member’s session', 403, () => ({ jar: member.jar })],
    ['an environments:write token', 403, () => ({ bearer: writerToken })],
    ['no credential', 401, () => ({})],
  ];

  it.each(callers)('refuses %s (%i problem+json), changing nothing', async (_who, status, auth) => {
    const before = await state();
    for (const route of routes) {
      const res = await call(urlOf(route.path, { environment: environmentId }), {
        method: route.method,
        ...auth(),
        ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { body: {} } : {}),
      });
      expect(res.status, `${route.method} ${route.path}`).toBe(status);
      expect(res.headers.get('content-type'), `${route.method} ${route.path}`).toBe(
        'application/problem+json',
      );
    }
    expect(await state()).toBe(before);
  });

  it('lets an admin’s session past the guard on every one (reads only: nothing is changed)', async () => {
    for (const route of routes.filter((r) => r.method === 'GET')) {
      const res = await call(urlOf(route.path, { environment: environmentId }), {
        jar: admin.jar,
      });
      expect(res.status, `GET ${route.path}`).toBe(200);
    }
  });
});
