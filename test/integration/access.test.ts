// Opening an environment through the API on DynamoDB Local: Open mints a
// one-time code, /auth/verify turns it into the environment cookie and checks
// that cookie afterwards; activity is written at most once a minute.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapAdmin, type Call, caller, createUser } from '../support/admin.js';
import type { CookieJar } from '../support/app.js';
import { createTestApp, type TestApp, WEB_ORIGIN } from '../support/app.js';

let t: TestApp;
let call: Call;
let admin: { jar: CookieJar; id: string };
let ann: { jar: CookieJar; id: string };
let bob: { jar: CookieJar; id: string };
let annEnv: string;
let annOther: string;
let bobEnv: string;
/** DynamoDB commands sent by the app's client since the last reset, by name. */
const dynamo: Record<string, number> = {};
const resetCounts = () => {
  for (const k of Object.keys(dynamo)) delete dynamo[k];
};
const total = () => Object.values(dynamo).reduce((a, b) => a + b, 0);

async function launch(jar: CookieJar, name: string) {
  const res = await call('/api/v1/environments', {
    method: 'POST',
    jar,
    body: { name, templateId: 'jupyterlab' },
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const hostOf = (envId: string) => `${envId}.env.localhost`;

/** A top-level navigation to Open: the session cookie, no Origin (a GET is safe). */
function open(envId: string, jar: CookieJar, query = '') {
  return t.app.request(`/api/v1/environments/${envId}/open${query}`, {
    headers: { cookie: jar.header() },
  });
}

/** The proxy's check of one request to an environment host, as nginx sends it. */
function verify(envId: string, uri: string, cookie?: string, host = hostOf(envId)) {
  return t.app.request('/auth/verify', {
    headers: {
      'x-forwarded-host': host,
      'x-forwarded-uri': uri,
      'x-forwarded-method': 'GET',
      'x-forwarded-proto': 'http',
      ...(cookie ? { cookie } : {}),
    },
  });
}

/** Open, then the code through verify: the env cookie as the browser would hold it. */
async function enter(envId: string, jar: CookieJar) {
  const location = (await open(envId, jar)).headers.get('location')!;
  const url = new URL(location);
  const res = await verify(envId, `${url.pathname}${url.search}`);
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

beforeAll(async () => {
  t = await createTestApp();
  call = caller(t);
  admin = await bootstrapAdmin(t, call, 'root@access.test');
  ann = await createUser(call, admin.jar, { email: 'ann@access.test', tier: 'pro' });
  bob = await createUser(call, admin.jar, { email: 'bob@access.test' });
  annEnv = await launch(ann.jar, 'Ann notebook');
  annOther = await launch(ann.jar, 'Ann second');
  bobEnv = await launch(bob.jar, 'Bob notebook');
  t.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      dynamo[name] = (dynamo[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'accessTestCounter' },
  );
});

beforeEach(() => {
  resetCounts();
});

describe('Open', () => {
  it('redirects the owner to the environment host with a one-time code', async () => {
    const res = await open(annEnv, ann.jar);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe(`http://${annEnv}.env.localhost`);
    expect(location.pathname).toBe('/.lablease/open');
    expect(location.searchParams.get('code')).toMatch(/^llcode_[\w-]{43}$/);
    expect(location.searchParams.get('next')).toBe('/');
    expect(res.headers.get('location')).toContain('&next=/');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('keeps a same-host next, and drops one that leaves the host', async () => {
    const kept = new URL((await open(annEnv, ann.jar, '?next=/lab/tree')).headers.get('location')!);
    expect(kept.searchParams.get('next')).toBe('/lab/tree');
    const dropped = new URL(
      (await open(annEnv, ann.jar, '?next=//evil.example/')).headers.get('location')!,
    );
    expect(dropped.searchParams.get('next')).toBe('/');
  });

  it("is 404 for another user's environment, and 401 without a session", async () => {
    expect((await open(annEnv, bob.jar)).status).toBe(404);
    expect((await t.app.request(`/api/v1/environments/${annEnv}/open`)).status).toBe(401);
  });

  it("sends a browser with no session to the environment's page in the dashboard", async () => {
    const res = await t.app.request(`/api/v1/environments/${annEnv}/open`, {
      headers: { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${WEB_ORIGIN}/environments/${annEnv}`);
    // A script with a bad token keeps its 401.
    const script = await t.app.request(`/api/v1/environments/${annEnv}/open`, {
      headers: { accept: 'text/html', authorization: 'Bearer llpat_nope' },
    });
    expect(script.status).toBe(401);
  });

  it("lets an admin in to someone else's environment, in the audit trail", async () => {
    const res = await open(annEnv, admin.jar);
    expect(res.status).toBe(302);
    const { items } = await t.services.audit.list(
      { limit: 10, filter: { action: 'environment.open' } },
      t.clock.now,
    );
    expect(items[0]).toMatchObject({
      actorId: admin.id,
      action: 'environment.open',
      target: `environment:${annEnv}`,
      result: 'success',
      detail: `owner ${ann.id}`,
    });
    // The owner's own opens are not actions: they stay out of the trail.
    await open(annEnv, ann.jar);
    const after = await t.services.audit.list(
      { limit: 10, filter: { action: 'environment.open' } },
      t.clock.now,
    );
    expect(after.items).toHaveLength(items.length);
    // The admin's code works like the owner's.
    const cookie = await enter(annEnv, admin.jar);
    expect((await verify(annEnv, '/', cookie)).status).toBe(200);
  });
});

describe('/auth/verify', () => {
  it('turns the code into a host-only cookie, then lets that cookie in', async () => {
    const location = new URL((await open(annEnv, ann.jar)).headers.get('location')!);
    const res = await verify(annEnv, `${location.pathname}${location.search}`);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(
      /^lablease_env=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax$/,
    );
    expect(setCookie).not.toMatch(/domain=/i);
    const cookie = setCookie.split(';')[0]!;
    const later = await verify(annEnv, '/lab', cookie);
    expect(later.status).toBe(200);
    expect(later.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a replayed code with 401 and the Open URL', async () => {
    const location = new URL((await open(annEnv, ann.jar)).headers.get('location')!);
    const uri = `${location.pathname}${location.search}`;
    expect((await verify(annEnv, uri)).status).toBe(200);
    const replay = await verify(annEnv, uri);
    expect(replay.status).toBe(401);
    const openUrl = `http://localhost:8787/api/v1/environments/${annEnv}/open`;
    expect(replay.headers.get('location')).toBe(openUrl);
    expect(replay.headers.get('x-lablease-signin')).toBe(openUrl);
    expect(replay.headers.get('set-cookie')).toBeNull();
  });

  it('refuses an expired code', async () => {
    const location = new URL((await open(annEnv, ann.jar)).headers.get('location')!);
    t.clock.advance(31_000);
    expect((await verify(annEnv, `${location.pathname}${location.search}`)).status).toBe(401);
  });

  it("refuses a code on another environment's host", async () => {
    const location = new URL((await open(annEnv, ann.jar)).headers.get('location')!);
    expect((await verify(bobEnv, `${location.pathname}${location.search}`)).status).toBe(401);
  });

  it('makes a cookie for environment A useless on environment B, even of the same owner', async () => {
    const cookie = await enter(annEnv, ann.jar);
    expect((await verify(annOther, '/', cookie)).status).toBe(403);
    expect((await verify(bobEnv, '/', cookie)).status).toBe(403);
  });

  it("gives another signed-in user holding their own cookie 403 on someone else's environment", async () => {
    const bobsCookie = await enter(bobEnv, bob.jar);
    expect((await verify(bobEnv, '/', bobsCookie)).status).toBe(200);
    expect((await verify(annEnv, '/', bobsCookie)).status).toBe(403);
  });

  it("never accepts the API's own session cookies", async () => {
    const res = await verify(annEnv, '/', ann.jar.header());
    expect(ann.jar.header()).toContain('__Host-lablease_access=');
    expect(res.status).toBe(401);
    // Not even when renamed to the environment cookie's name.
    const access = ann.jar.get('__Host-lablease_access')!;
    expect((await verify(annEnv, '/', `lablease_env=${access}`)).status).toBe(401);
  });

  it('answers a websocket handshake like any other GET', async () => {
    const cookie = await enter(annEnv, ann.jar);
    const headers = {
      'x-forwarded-host': hostOf(annEnv),
      'x-forwarded-uri': '/api/kernels/1/channels',
      upgrade: 'websocket',
      connection: 'upgrade',
    };
    expect((await t.app.request('/auth/verify', { headers: { ...headers, cookie } })).status).toBe(
      200,
    );
    expect((await t.app.request('/auth/verify', { headers })).status).toBe(401);
  });

  it.each([
    ['the API host', 'localhost:8787', 403],
    ['a sibling domain', `${'e'.repeat(17)}.env.localhost.evil.example`, 403],
    ['the bare domain', 'env.localhost', 403],
    ['a nested host', `x.eaaaaaaaaaaaaaaaa.env.localhost`, 403],
    ['two hosts', `eaaaaaaaaaaaaaaaa.env.localhost,evil.example`, 400],
  ])('refuses %s without touching the database', async (_what, host, status) => {
    const cookie = await enter(annEnv, ann.jar);
    resetCounts();
    const res = await verify(annEnv, '/', cookie, host);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(total()).toBe(0);
  });

  it('reads nothing from the database for a warm cookie', async () => {
    const cookie = await enter(annEnv, ann.jar);
    await verify(annEnv, '/', cookie); // the minute's activity write, if any
    resetCounts();
    for (let i = 0; i < 20; i++) expect((await verify(annEnv, '/x', cookie)).status).toBe(200);
    expect(total()).toBe(0);
  });

  it("accepts Envoy's path-prefix form: the original path after /auth/verify, the Host kept", async () => {
    const cookie = await enter(annEnv, ann.jar);
    const res = await t.app.request('/auth/verify/lab/tree?x=1', {
      method: 'POST',
      headers: { host: hostOf(annEnv), cookie },
    });
    expect(res.status).toBe(200);
    const anonymous = await t.app.request('/auth/verify/lab', {
      headers: { host: hostOf(annEnv) },
    });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toMatch(/\/api\/v1\/environments\/e\w+\/open$/);
  });
});

describe('the OpenAPI document', () => {
  it('describes Open, the activity report and forward auth', async () => {
    const doc = (await (await t.app.request('/api/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/api/v1/environments/{id}/open']!)).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/environments/{id}/activity']!)).toEqual(['post']);
    expect(Object.keys(doc.paths['/auth/verify']!)).toEqual(['get']);
  });
});

describe('activity', () => {
  const lastActivity = async (envId: string, ownerId: string) =>
    (await t.services.environments.get(ownerId, envId))!.status.lastActivityAt;

  it('1,000 verified requests within a minute write lastActivityAt at most twice', async () => {
    const cookie = await enter(bobEnv, bob.jar);
    t.clock.advance(61_000); // past the minute of enter()'s own write
    const start = t.clock.now.toISOString();
    resetCounts();
    let status200 = 0;
    for (let i = 0; i < 1000; i++) {
      if ((await verify(bobEnv, `/page/${i}`, cookie)).status === 200) status200++;
      t.clock.advance(50); // 1,000 requests over 50 s
    }
    expect(status200).toBe(1000);
    const writes = dynamo.UpdateItemCommand ?? 0;
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(2);
    expect(await lastActivity(bobEnv, bob.id)).toBe(start);
  });

  it('is written again a minute later', async () => {
    const cookie = await enter(bobEnv, bob.jar);
    t.clock.advance(61_000);
    await verify(bobEnv, '/', cookie);
    const first = await lastActivity(bobEnv, bob.id);
    t.clock.advance(61_000);
    await verify(bobEnv, '/', cookie);
    expect(Date.parse((await lastActivity(bobEnv, bob.id))!) - Date.parse(first!)).toBe(61_000);
  });

  describe('reported by the environment with its token', () => {
    const report = (envId: string, token?: string) =>
      t.app.request(`/api/v1/environments/${envId}/activity`, {
        method: 'POST',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });

    it('is counted with the per-environment token, no user session', async () => {
      const token = await t.services.access.tokens.mintActivityToken(annOther, ann.id);
      t.clock.advance(61_000);
      const res = await report(annOther, token);
      expect(res.status).toBe(204);
      expect(await lastActivity(annOther, ann.id)).toBe(t.clock.now.toISOString());
    });

    it("is refused without a token, with another environment's, or with a user credential", async () => {
      const token = await t.services.access.tokens.mintActivityToken(annOther, ann.id);
      expect((await report(annOther)).status).toBe(401);
      expect((await report(annEnv, token)).status).toBe(401);
      const cookie = (await enter(annOther, ann.jar)).split('=')[1];
      expect((await report(annOther, cookie)).status).toBe(401);
      expect((await report(annOther, ann.jar.get('__Host-lablease_access'))).status).toBe(401);
      const res = await report('not_an_id', token);
      expect(res.status).toBe(422);
    });
  });
});
