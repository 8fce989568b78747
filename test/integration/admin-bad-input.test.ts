// Bad input to every admin endpoint answers a 4xx problem+json and changes
// nothing — over generated input: bodies (a valid body with one field,
// anywhere in it, replaced by any JSON, or any JSON at all), path ids and
// query strings of every admin route the OpenAPI document lists, and If-Match
// headers of the versioned writes.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAdmin, type Call, caller, createUser } from '../support/admin.js';
import { type CookieJar, createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let call: Call;
let admin: { jar: CookieJar; id: string };
let memberId: string;
let environmentId: string;
let routes: { method: string; path: string; query: string[] }[];
/** Generous: each property makes a few hundred requests, on a machine that may be busy. */
const PROPERTY_TIMEOUT = 120_000;

const template = {
  id: 'prop-template',
  name: 'Prop',
  image: 'registry.example.org/lab/prop:1',
  port: 8080,
  defaultResources: { cpu: '250m', memory: '256Mi' },
  maxResources: { cpu: '1', memory: '1Gi' },
  volumeSizeGi: 1,
  tiers: ['free'],
};

/** Everything an admin write could change, read back. */
async function state() {
  const [templates, settings, users, fleet] = await Promise.all([
    Promise.all(
      (await t.services.catalog.list()).map((x) => t.services.catalog.getVersioned(x.id)),
    ),
    t.services.catalog.versionedSettings(),
    t.auth.users.list({ limit: 100 }),
    t.services.admin.fleet.all(),
  ]);
  return JSON.stringify({ templates, settings, users: users.items, fleet });
}

/** Every path to a leaf (or a whole object / array) of a JSON value. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys: (string | number)[] = Array.isArray(value)
    ? value.map((_v, i) => i)
    : Object.keys(value as object);
  return [
    ...(prefix.length ? [prefix] : []),
    ...keys.flatMap((k) => pathsOf((value as Record<string | number, unknown>)[k], [...prefix, k])),
  ];
}

function setAt(value: unknown, path: (string | number)[], leaf: unknown): unknown {
  if (path.length === 0) return leaf;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = leaf;
  return copy;
}

/** A valid body with one field — at any depth, or a new one — replaced with any JSON value. */
const oneFieldBroken = (valid: Record<string, unknown>) =>
  fc
    .tuple(fc.constantFrom(...pathsOf(valid), ['unexpected']), fc.jsonValue())
    .map(([path, leaf]) => setAt(valid, path, leaf));

const anyBody = (valid: Record<string, unknown>) =>
  fc.oneof(
    { arbitrary: oneFieldBroken(valid), weight: 3 },
    { arbitrary: fc.jsonValue(), weight: 1 },
    { arbitrary: fc.string(), weight: 1 },
  );

async function expectProblem(res: Response, what: string) {
  expect(res.status, what).toBeGreaterThanOrEqual(400);
  expect(res.status, what).toBeLessThan(500);
  expect(res.headers.get('content-type'), what).toBe('application/problem+json');
  const problem = await res.json();
  expect(problem, what).toMatchObject({ status: res.status, title: expect.any(String) });
}

beforeAll(async () => {
  t = await createTestApp();
  call = caller(t);
  admin = await bootstrapAdmin(t, call);
  const member = await createUser(call, admin.jar, { email: 'member@lab.test' });
  memberId = member.id;
  const launched = await call('/api/v1/environments', {
    method: 'POST',
    jar: member.jar,
    body: { name: 'Member work', templateId: 'jupyterlab' },
  });
  environmentId = (await launched.json()).id;
  const doc = await (await t.app.request('/api/v1/openapi.json')).json();
  routes = Object.entries(doc.paths as Record<string, Record<string, { parameters?: [] }>>)
    .filter(([path]) => path.startsWith('/api/v1/admin/'))
    .flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map(([method, op]) => ({
          method: method.toUpperCase(),
          path,
          query: ((op.parameters ?? []) as { in: string; name: string }[])
            .filter((p) => p.in === 'query')
            .map((p) => p.name),
        })),
    );
});

describe('admin writes under generated bad bodies', () => {
  const writes: [string, string, string, () => Record<string, unknown>][] = [
    ['POST', '/api/v1/admin/templates', 'create a template', () => template],
    [
      'PUT',
      '/api/v1/admin/templates/jupyterlab',
      'replace a template',
      () => ({ ...template, id: 'jupyterlab' }),
    ],
    [
      'POST',
      '/api/v1/admin/users',
      'create a user',
      () => ({ email: 'x@lab.test', name: 'X', tier: 'free' }),
    ],
    ['PATCH', '/api/v1/admin/users/:member', 'change a user', () => ({ tier: 'pro' })],
  ];

  it.each(writes)(
    '%s %s (%s): a refusal is a 4xx problem and changes nothing',
    async (method, path, _what, valid) => {
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(anyBody(valid()), async (body) => {
          // A versioned write names the current version: only the body can be wrong.
          const current = method === 'PUT' ? await call(path, { jar: admin.jar }) : undefined;
          const before = await state();
          const res = await call(path.replace(':member', memberId), {
            method,
            jar: admin.jar,
            headers: current ? { 'if-match': current.headers.get('etag')! } : {},
            body: typeof body === 'string' ? JSON.stringify(body) : body,
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            refused++;
            await expectProblem(res, JSON.stringify(body));
            expect(await state()).toBe(before);
          } else {
            // It was valid after all: the next run compares against the new state.
            expect([200, 201]).toContain(res.status);
          }
        }),
        { numRuns: 25 },
      );
      expect(refused).toBeGreaterThan(12);
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'PUT /api/v1/admin/settings (tiers, limits, custom images): a refusal is a 4xx problem and changes nothing',
    async () => {
      const read = await call('/api/v1/admin/settings', { jar: admin.jar });
      const valid = await read.json();
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(anyBody(valid), async (body) => {
          const current = await call('/api/v1/admin/settings', { jar: admin.jar });
          const before = await state();
          const res = await call('/api/v1/admin/settings', {
            method: 'PUT',
            jar: admin.jar,
            headers: { 'if-match': current.headers.get('etag')! },
            body: typeof body === 'string' ? JSON.stringify(body) : body,
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            refused++;
            await expectProblem(res, JSON.stringify(body));
            expect(await state()).toBe(before);
          }
        }),
        { numRuns: 30 },
      );
      expect(refused).toBeGreaterThan(15);
    },
    PROPERTY_TIMEOUT,
  );
});

describe('versioned writes under generated If-Match headers', () => {
  const writes: [string, string, () => Promise<unknown>][] = [
    [
      'PUT',
      '/api/v1/admin/settings',
      async () => (await call('/api/v1/admin/settings', { jar: admin.jar })).json(),
    ],
    [
      'PUT',
      '/api/v1/admin/templates/streamlit',
      async () => (await call('/api/v1/admin/templates/streamlit', { jar: admin.jar })).json(),
    ],
    ['POST', '/api/v1/admin/templates/streamlit/disable', async () => undefined],
    ['DELETE', '/api/v1/admin/templates/streamlit', async () => undefined],
  ];

  it.each(writes)(
    '%s %s: any If-Match but the current ETag is 412 and changes nothing',
    async (method, path, body) => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string(),
            fc.nat().map((n) => `"${n}"`),
            fc.nat().map((n) => `W/"${n}"`),
            fc.constantFrom('*', '""', '"-1"', '"1.0"', '"01"x'),
          ),
          async (ifMatch) => {
            const current = await call(path.replace(/\/disable$/, ''), { jar: admin.jar });
            const etag = current.headers.get('etag');
            fc.pre(ifMatch.trim() !== etag && ifMatch.trim() !== `W/${etag}`);
            const before = await state();
            let res: Response;
            try {
              res = await call(path, {
                method,
                jar: admin.jar,
                headers: { 'if-match': ifMatch },
                body: await body(),
              });
            } catch (err) {
              // A header value fetch itself refuses (a newline) never reaches the API.
              fc.pre(!(err instanceof TypeError));
              throw err;
            }
            expect(res.status, ifMatch).toBe(412);
            await expectProblem(res, ifMatch);
            expect(await state()).toBe(before);
          },
        ),
        { numRuns: 15 },
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('every admin route under generated path ids', () => {
  const idArbitrary = fc
    .oneof(
      fc.string({ minLength: 1, maxLength: 80 }),
      fc.string({ minLength: 1, maxLength: 300, unit: 'binary' }),
      // Well-formed ids of nothing that exists.
      fc.constantFrom(`e${'a'.repeat(16)}`, '0'.repeat(32), 'no-such-template', 'JUPYTERLAB'),
    )
    // "", "." and ".." would name another route once the URL is resolved.
    .filter((id) => !/^\.*$/.test(id.trim()));

  it(
    'answers 404 or 422 problem+json for an id that names nothing, changing nothing',
    async () => {
      const withIds = routes.filter((r) => r.path.includes('{'));
      expect(withIds.length).toBeGreaterThanOrEqual(8);
      for (const route of withIds) {
        await fc.assert(
          fc.asyncProperty(idArbitrary, async (id) => {
            const before = await state();
            const url = route.path.replace(/\{\w+\}/g, encodeURIComponent(id));
            const res = await call(url, {
              method: route.method,
              jar: admin.jar,
              ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { body: {} } : {}),
            });
            const what = `${route.method} ${url}`;
            expect([400, 404, 405, 422, 428], what).toContain(res.status);
            await expectProblem(res, what);
            expect(await state()).toBe(before);
          }),
          { numRuns: 6 },
        );
      }
    },
    3 * PROPERTY_TIMEOUT,
  );
});

describe('every admin list under generated query strings', () => {
  it(
    'answers 200 or a 422 problem+json, never a 5xx',
    async () => {
      const lists = routes.filter((r) => r.method === 'GET' && r.query.length > 0);
      expect(lists.map((r) => r.path)).toEqual(
        expect.arrayContaining([
          '/api/v1/admin/users',
          '/api/v1/admin/environments',
          '/api/v1/admin/activity',
        ]),
      );
      for (const route of lists) {
        const value = fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.integer().map(String),
          fc.constantFrom(
            '0',
            '101',
            '-1',
            '1e2',
            'NaN',
            '',
            'eyJkIjoibm9wZSJ9',
            '2026-13-01T00:00:00Z',
          ),
        );
        await fc.assert(
          fc.asyncProperty(
            fc.dictionary(fc.constantFrom(...route.query), value, { minKeys: 1 }),
            async (query) => {
              const qs = new URLSearchParams(query).toString();
              const res = await call(`${route.path}?${qs}`, { jar: admin.jar });
              const what = `GET ${route.path}?${qs}`;
              expect([200, 422], what).toContain(res.status);
              if (res.status === 422) await expectProblem(res, what);
            },
          ),
          { numRuns: 25 },
        );
      }
      // And a few that are wrong for certain.
      for (const url of [
        '/api/v1/admin/users?limit=0',
        '/api/v1/admin/users?limit=abc',
        '/api/v1/admin/environments?phase=Sleeping',
        '/api/v1/admin/environments?ownerId=nobody',
        '/api/v1/admin/activity?since=yesterday',
        '/api/v1/admin/activity?cursor=not-a-cursor',
      ]) {
        const res = await call(url, { jar: admin.jar });
        expect(res.status, url).toBe(422);
        await expectProblem(res, url);
      }
    },
    PROPERTY_TIMEOUT,
  );
});

it('keeps the environment the member launched untouched throughout', async () => {
  const env = await t.services.environments.get(memberId, environmentId);
  expect(env).toMatchObject({ desiredState: 'running', generation: 1 });
});
