// Bad input to every auth endpoint answers a 4xx problem+json and changes
// nothing (rate-limit counters aside: counting attempts is their job).
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, createTestApp, type TestApp, WEB_ORIGIN } from '../support/app.js';

let t: TestApp;
let jar: CookieJar;

async function snapshot() {
  const { Items = [] } = await t.doc.send(
    new ScanCommand({ TableName: t.tableName, ConsistentRead: true }),
  );
  // Rate-limit counters and the audit trail record attempts by design; nothing else may change.
  return Items.filter((i) => !/^(RATE|AUDIT)#/.test(String(i.PK)))
    .map((i) => JSON.stringify(i, Object.keys(i).sort()))
    .sort();
}

beforeAll(async () => {
  t = await createTestApp();
  const admin = await t.auth.localAccounts.ensureBootstrapAdmin('admin@lablease.test', 'free');
  jar = new CookieJar();
  const res = await t.app.request('/auth/password', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: WEB_ORIGIN },
    body: JSON.stringify(admin),
  });
  jar.store(res);
  const changed = await t.app.request('/auth/password/change', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: WEB_ORIGIN, cookie: jar.header() },
    body: JSON.stringify({
      currentPassword: admin!.password,
      newPassword: 'a-good-long-passphrase-1',
    }),
  });
  jar.store(changed);
  expect(changed.status).toBe(200);
});

const endpoints = [
  { method: 'POST', path: '/auth/password', signedIn: false },
  { method: 'POST', path: '/auth/password/change', signedIn: true },
  { method: 'POST', path: '/api/v1/me/tokens', signedIn: true },
];

const body = fc.oneof(
  fc.json(),
  fc.string(),
  fc.constantFrom(
    '',
    '{',
    '{"email":',
    'null',
    '[]',
    '{"email":"a@b.c","password":""}',
    '{"email":"a@b.c"}',
  ),
  fc.record({ email: fc.string(), password: fc.string() }).map((o) => JSON.stringify(o)),
  fc
    .record({ currentPassword: fc.string(), newPassword: fc.string({ maxLength: 8 }) })
    .map((o) => JSON.stringify(o)),
  fc
    .record({ name: fc.string(), scopes: fc.array(fc.string()), expiresInDays: fc.integer() })
    .map((o) => JSON.stringify(o)),
);
const contentType = fc.constantFrom(
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  undefined,
);

describe('bad input to auth endpoints', () => {
  it('answers 4xx problem+json and changes nothing', async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...endpoints),
        body,
        contentType,
        async (endpoint, payload, type) => {
          const headers: Record<string, string> = { origin: WEB_ORIGIN };
          if (type) headers['content-type'] = type;
          if (endpoint.signedIn) headers.cookie = jar.header();
          const res = await t.app.request(endpoint.path, {
            method: endpoint.method,
            headers,
            body: payload,
          });
          // Random strings may by chance be valid token names: those create a token, legitimately.
          if (endpoint.path === '/api/v1/me/tokens' && res.status === 201) return;
          expect(res.status, `${endpoint.path} ${payload}`).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(res.headers.get('content-type')).toBe('application/problem+json');
          const problem = await res.json();
          expect(problem).toMatchObject({ status: res.status, title: expect.any(String) });
        },
      ),
      { numRuns: 150 },
    );
    const after = (await snapshot()).filter((i) => !i.includes('"api-token'));
    expect(after).toEqual(before.filter((i) => !i.includes('"api-token')));
  });

  it('answers 4xx problem+json to random token ids and refresh cookies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), async (junk) => {
        const del = await t.app.request(`/api/v1/me/tokens/${encodeURIComponent(junk)}`, {
          method: 'DELETE',
          headers: { origin: WEB_ORIGIN, cookie: jar.header() },
        });
        expect([404, 422]).toContain(del.status);
        expect(del.headers.get('content-type')).toBe('application/problem+json');
        const refresh = await t.app.request('/auth/refresh', {
          method: 'POST',
          headers: {
            origin: WEB_ORIGIN,
            cookie: `__Host-lablease_refresh=${encodeURIComponent(junk)}`,
          },
        });
        expect(refresh.status).toBe(401);
        expect(refresh.headers.get('content-type')).toBe('application/problem+json');
      }),
      { numRuns: 50 },
    );
  });
});
