// Opening an environment through the real local router (nginx here, the Node
// fallback where nginx is absent): Open's one-time code becomes a cookie for
// that host alone, the owner reaches the simulated pod over HTTP and
// websocket with no platform cookie reaching it, and everyone else is sent to
// sign in or refused — whatever credential they hold.
import { readFileSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { decodeProtectedHeader } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { namespaceFor } from '../../core/environment/naming.js';
import { createUser, eventually, type Session, setupPlatform } from '../support/platform.js';

const ctx = setupPlatform();

interface Env {
  id: string;
  ownerId: string;
  status: { phase: string; url: string | null };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const port = () => ctx.platform.router!.port;
const hostOf = (envId: string) => `${envId}.env.localhost:${port()}`;

/**
 * A browser's request to an environment host. Node cannot resolve
 * `*.env.localhost` (browsers do): connect to the router and name the host.
 */
function visit(envId: string, path: string, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: port(),
        path,
        agent: false,
        headers: { host: hostOf(envId), accept: 'application/json', ...(cookie ? { cookie } : {}) },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A websocket to an environment: what the pod saw and its echo, or the status of a refusal. */
function websocket(envId: string, cookie?: string) {
  return new Promise<{ status: number; seen?: { headers: IncomingHttpHeaders }; echo?: string }>(
    (resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port()}/api/kernels/1/channels`, {
        headers: { host: hostOf(envId), ...(cookie ? { cookie } : {}) },
      });
      const messages: string[] = [];
      ws.on('open', () => ws.send('print(1)'));
      ws.on('message', (m) => {
        messages.push(String(m));
        if (messages.length < 2) return;
        ws.close();
        resolve({ status: 101, seen: JSON.parse(messages[0]!), echo: messages[1] });
      });
      ws.on('unexpected-response', (_req, res) => {
        res.resume();
        ws.terminate();
        resolve({ status: res.statusCode! });
      });
      ws.on('error', reject);
    },
  );
}

/** Open as `user`: the router URL with the one-time code that the API redirects to. */
async function open(user: Session, envId: string): Promise<URL> {
  const res = await user.request(`/api/v1/environments/${envId}/open`, {
    headers: { accept: 'text/html' },
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

/** Follows Open through the router as a browser would: answers the env cookie it set. */
async function enter(user: Session, envId: string): Promise<string> {
  const url = await open(user, envId);
  expect(url.host).toBe(hostOf(envId));
  const res = await visit(envId, `${url.pathname}${url.search}`);
  expect(res.status).toBe(302);
  expect(res.headers.location).toBe('/');
  const [cookie] = res.headers['set-cookie'] ?? [];
  expect(cookie).toMatch(/^lablease_env=[^;]+;.*HttpOnly/i);
  expect(cookie).not.toMatch(/domain=/i); // host-only: this environment's host alone
  return cookie!.split(';')[0]!;
}

const get = async (user: Session, id: string) =>
  (await user.json<Env>(`/api/v1/environments/${id}`)).body;

async function launch(user: Session, name: string): Promise<Env> {
  const created = await user.json<Env>('/api/v1/environments', {
    method: 'POST',
    body: { name, templateId: 'jupyterlab' },
  });
  expect(created.status).toBe(202);
  return created.body;
}

/** Running, and the router has its route and a pod behind it. */
async function reachable(user: Session, id: string) {
  await eventually(
    `${id} to run`,
    () => get(user, id),
    (e) => e.status.phase === 'Running',
  );
  await eventually(
    `the router to route ${id} to its pod`,
    async () => ctx.platform.router!.routes().find((r) => r.envId === id),
    (r) => r?.upstream !== undefined,
  );
}

const PRIVATE = /lablease_env|__Host-lablease_/;

describe('opening an environment through the local router', () => {
  let owner: Session & { userId: string };
  let other: Session & { userId: string };
  let envA: string;
  let envB: string;
  let ownerCookie: string;
  let otherCookie: string;

  beforeAll(async () => {
    [owner, other] = await Promise.all([
      createUser(ctx.platform, { tier: 'free' }),
      createUser(ctx.platform, { tier: 'free' }),
    ]);
    const [a, b] = await Promise.all([launch(owner, 'A'), launch(other, 'B')]);
    envA = a.id;
    envB = b.id;
    await Promise.all([reachable(owner, envA), reachable(other, envB)]);
  }, 60_000);

  afterEach(() => {
    vi.useRealTimers();
  });

  it('names the router in /api/v1/info', async () => {
    const router = ctx.platform.router!;
    const info = await (await fetch(`${ctx.platform.apiUrl}/api/v1/info`)).json();
    expect(info.backends.router).toEqual({
      engine: router.engine === 'nginx' ? `nginx/${router.version}` : 'Node router (no nginx here)',
      environments: `http://<envId>.env.localhost:${router.port}/`,
    });
  });

  it('lets the owner in after Open: the pod page over HTTP with no platform cookie', async () => {
    expect((await get(owner, envA)).status.url).toBe(`http://${hostOf(envA)}/`);
    ownerCookie = await enter(owner, envA);

    const page = await visit(envA, '/lab/tree?x=1', ownerCookie);
    expect(page.status).toBe(200);
    const seen = JSON.parse(page.body);
    expect(seen).toMatchObject({ environment: envA, user: owner.userId, path: '/lab/tree?x=1' });
    expect(seen.headers.host).toBe(hostOf(envA));
    expect(seen.headers.cookie ?? '').not.toMatch(PRIVATE);

    // Even were a browser to send the API's session cookies here, the pod would not see them.
    const tossed = await visit(
      envA,
      '/',
      `__Host-lablease_access=x; theme=dark; ${ownerCookie}; __Host-lablease_refresh=y`,
    );
    expect(tossed.status).toBe(200);
    expect(JSON.parse(tossed.body).headers.cookie).toBe('theme=dark');
  });

  it('lets the owner open a websocket, which the pod sees without the cookie', async () => {
    const ws = await websocket(envA, ownerCookie);
    expect(ws.status).toBe(101);
    expect(ws.echo).toBe('print(1)');
    expect(ws.seen?.headers.cookie ?? '').not.toMatch(PRIVATE);
    expect(ws.seen?.headers.upgrade).toBe('websocket');
  });

  it('refuses another signed-in user holding a valid cookie for their own environment: 403 over HTTP and websocket', async () => {
    otherCookie = await enter(other, envB);
    expect((await visit(envB, '/', otherCookie)).status).toBe(200); // valid at home

    const page = await visit(envA, '/', otherCookie);
    expect(page.status).toBe(403);
    expect(page.body).toContain('Not yours');
    expect((await websocket(envA, otherCookie)).status).toBe(403);
    // Open on someone else's environment does not exist for them.
    expect(
      (await other.request(`/api/v1/environments/${envA}/open`, { redirect: 'manual' })).status,
    ).toBe(404);
  });

  it("makes a cookie for A useless on B, even the owner's", async () => {
    expect((await visit(envB, '/', ownerCookie)).status).toBe(403);
    expect((await websocket(envB, ownerCookie)).status).toBe(403);
  });

  it('sends a request with no credential to sign in through Open', async () => {
    const page = await visit(envA, '/lab');
    expect(page.status).toBe(302);
    const signIn = `${ctx.platform.apiUrl}/api/v1/environments/${envA}/open`;
    expect(page.headers.location).toBe(signIn);
    // Open without a session hands out no code.
    const anonymous = await fetch(signIn, { redirect: 'manual' });
    expect(anonymous.headers.get('location') ?? '').not.toContain('code=');
    expect((await websocket(envA)).status).toBe(302);
    // A forged cookie is no credential either.
    expect((await visit(envA, '/', 'lablease_env=eyJhbGciOiJFZERTQSJ9.e30.c2ln')).status).toBe(302);
  });

  it('refuses a replayed code', async () => {
    const url = await open(owner, envA);
    const path = `${url.pathname}${url.search}`;
    expect((await visit(envA, path)).status).toBe(302);
    const replay = await visit(envA, path);
    expect(replay.status).toBe(302);
    expect(replay.headers.location).toMatch(/\/api\/v1\/environments\/[a-z2-7]+\/open$/);
    expect(replay.headers['set-cookie']).toBeUndefined();
  });

  it('refuses an expired code', async () => {
    const url = await open(owner, envA);
    // 31 seconds later (the code lives 30): the API's clock moves, nothing else.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
    const late = await visit(envA, `${url.pathname}${url.search}`);
    vi.useRealTimers();
    expect(late.status).toBe(302);
    expect(late.headers.location).toBe(`${ctx.platform.apiUrl}/api/v1/environments/${envA}/open`);
    expect(late.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a code minted for another environment', async () => {
    const url = await open(other, envB);
    const stolen = await visit(envA, `${url.pathname}${url.search}`);
    expect(stolen.status).toBe(302);
    expect(stolen.headers['set-cookie']).toBeUndefined();
  });

  it("takes the pod's own activity report, with the token the provisioner mounted, for that environment alone", async () => {
    const kc = new KubeConfig();
    kc.loadFromString(readFileSync(ctx.platform.cluster.kubeconfigPath!, 'utf8'));
    const secret = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({
      name: `${envB}-activity`,
      namespace: namespaceFor(other.userId),
    });
    const data = (key: string) => Buffer.from(secret.data![key]!, 'base64').toString();
    const token = data('activity-token');
    // Signed with the activity key alone, as deployed (the local stack has both sets).
    expect(String(decodeProtectedHeader(token).kid)).toMatch(/^local-activity-/);
    const report = (url: string) =>
      fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(data('activity-url')).toBe(
      `${ctx.platform.apiUrl}/api/v1/environments/${envB}/activity`,
    );
    expect((await report(data('activity-url'))).status).toBe(204);
    expect(
      (await report(`${ctx.platform.apiUrl}/api/v1/environments/${envA}/activity`)).status,
    ).toBe(401);
  });

  it('shows a stopped environment as stopped, with the way to start it', {
    timeout: 60_000,
  }, async () => {
    const stop = await owner.json(`/api/v1/environments/${envA}/stop`, { method: 'POST' });
    expect(stop.status).toBe(202);
    await eventually(
      `${envA} to stop`,
      () => get(owner, envA),
      (e) => e.status.phase === 'Stopped',
    );
    const page = await eventually(
      'the stopped page',
      () => visit(envA, '/lab', ownerCookie),
      (a) => a.status === 503,
    );
    expect(page.body).toContain('not running');
    expect(page.body).toContain(`${process.env.WEB_ORIGIN}/environments/${envA}`);
    expect((await websocket(envA, ownerCookie)).status).toBe(503);
    // Still only for the owner: others are refused before they learn anything.
    expect((await visit(envA, '/lab', otherCookie)).status).toBe(403);
  });
});
