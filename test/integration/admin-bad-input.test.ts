// Bad input to every admin write answers a 4xx problem+json and changes
// nothing — over generated bodies: a valid body with one field replaced by
// anything, or any JSON at all.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAdmin, type Call, caller, createUser } from '../support/admin.js';
import { type CookieJar, createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let call: Call;
let admin: { jar: CookieJar; id: string };
let memberId: string;

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
  const [templates, settings, users] = await Promise.all([
    t.services.catalog.list(),
    t.services.catalog.versionedSettings(),
    t.auth.users.list({ limit: 100 }),
  ]);
  return JSON.stringify({ templates, settings, users: users.items });
}

/** A valid body with one top-level field replaced (or added) with any JSON value. */
const oneFieldBroken = (valid: Record<string, unknown>) =>
  fc
    .tuple(fc.constantFrom(...Object.keys(valid), 'unexpected'), fc.jsonValue())
    .map(([key, value]) => ({ ...valid, [key]: value }));

const anyBody = (valid: Record<string, unknown>) =>
  fc.oneof(oneFieldBroken(valid), fc.jsonValue(), fc.string());

beforeAll(async () => {
  t = await createTestApp();
  call = caller(t);
  admin = await bootstrapAdmin(t, call);
  memberId = (await createUser(call, admin.jar, { email: 'member@lab.test' })).id;
});

describe('admin writes under generated bad input', () => {
  const writes: [string, string, string, Record<string, unknown>][] = [
    ['POST', '/api/v1/admin/templates', 'create a template', template],
    [
      'PUT',
      '/api/v1/admin/templates/jupyterlab',
      'replace a template',
      { ...template, id: 'jupyterlab' },
    ],
    [
      'POST',
      '/api/v1/admin/users',
      'create a user',
      { email: 'x@lab.test', name: 'X', tier: 'free' },
    ],
    ['PATCH', '/api/v1/admin/users/:member', 'change a user', { tier: 'pro' }],
  ];

  it.each(writes)(
    '%s %s (%s): a refusal is a 4xx problem and changes nothing',
    async (method, path, _what, valid) => {
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(anyBody(valid), async (body) => {
          const before = await state();
          const res = await call(path.replace(':member', memberId), {
            method,
            jar: admin.jar,
            body: typeof body === 'string' ? JSON.stringify(body) : body,
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            refused++;
            expect(res.headers.get('content-type')).toBe('application/problem+json');
            expect(await state()).toBe(before);
          } else {
            // It was valid after all: undo nothing, the next run compares against the new state.
            expect([200, 201]).toContain(res.status);
          }
        }),
        { numRuns: 25 },
      );
      expect(refused).toBeGreaterThan(15);
    },
  );

  it('PUT /api/v1/admin/settings: a refusal is a 4xx problem and changes nothing', async () => {
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
          expect(await state()).toBe(before);
        }
      }),
      { numRuns: 25 },
    );
    expect(refused).toBeGreaterThan(15);
  });
});
