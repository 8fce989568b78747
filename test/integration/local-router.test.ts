// The local router (nginx, and the Node fallback) against a stub /auth/verify
// and a stub pod: every answer of the forward-auth contract, over HTTP and
// websocket, and routes following the cluster's route objects.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { type LocalRouter, startLocalRouter } from '../../stacks/local/router/index.js';
import { findNginx } from '../../stacks/local/router/nginx.js';

const ENV_A = 'eaaaaaaaaaaaaaaaa';
const ENV_B = 'ebbbbbbbbbbbbbbbb';
const ENV_C = 'ecccccccccccccccc';
const DOMAIN = 'env.localhost';
const API_URL = 'http://localhost:8787';
const WEB = 'http://localhost:5173';

/** A stub /auth/verify: `lablease_env=ok-<env>` allows that env, `code=good` mints one, any other cookie is 403. */
function stubVerify() {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const host = String(req.headers['x-forwarded-host'] ?? '');
    const env = host.split('.')[0];
    const uri = String(req.headers['x-forwarded-uri'] ?? '');
    const cookie = /(?:^|;\s*)lablease_env=([^;]*)/.exec(String(req.headers.cookie ?? ''))?.[1];
    if (req.url !== '/auth/verify') return res.writeHead(404).end();
    if (uri.startsWith('/.lablease/open?') && uri.includes('code=good')) {
      res.writeHead(200, { 'set-cookie': `lablease_env=ok-${env}; Path=/; HttpOnly` }).end();
    } else if (cookie === `ok-${env}`) {
      res.writeHead(200).end();
    } else if (cookie) {
      res.writeHead(403).end();
    } else {
      res.writeHead(401).end();
    }
  });
  return { server, seen };
}

/** A stub pod: JSON of what it saw; a websocket that first sends what it saw, then echoes. */
function stubPod() {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url, headers: req.headers }));
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    ws.send(JSON.stringify({ websocket: true, headers: req.headers }));
    ws.on('message', (m) => ws.send(String(m)));
  });
  return server;
}

async function listen(server: Server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP request to the router with this Host (Node cannot resolve *.env.localhost). */
function get(port: number, host: string, path: string, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      // A fresh connection each time: after a reload, nginx's old worker may finish a kept-alive one.
      {
        host: '127.0.0.1',
        port,
        path,
        agent: false,
        headers: { host, ...(cookie ? { cookie } : {}) },
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

/** A websocket through the router: its first message, or the status of a refused upgrade. */
function socket(port: number, host: string, cookie?: string) {
  return new Promise<{ status: number; first?: { headers: IncomingHttpHeaders }; echo?: string }>(
    (resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/socket`, {
        headers: { host, ...(cookie ? { cookie } : {}) },
      });
      const messages: string[] = [];
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (m) => {
        messages.push(String(m));
        if (messages.length === 2) {
          ws.close();
          resolve({ status: 101, first: JSON.parse(messages[0]!), echo: messages[1] });
        }
      });
      ws.on('unexpected-response', (_req, res) => {
        resolve({ status: res.statusCode! });
        res.resume();
        ws.terminate();
      });
      ws.on('error', reject);
    },
  );
}

const nginxPresent = Boolean(await findNginx());

describe.each(['nginx', 'node'] as const)('the %s router', (engine) => {
  const verify = stubVerify();
  const pod = stubPod();
  let router: LocalRouter;
  let podPort: number;
  const objects: Array<{ kind: 'route' | 'ingress'; env: string; ns: string; svc: string }> = [];
  const endpoints = new Map<string, string>();
  const listeners = new Set<() => void>();
  const host = (env: string) => `${env}.${DOMAIN}:${router.port}`;

  beforeAll(async () => {
    if (engine === 'nginx' && !nginxPresent)
      throw new Error('no nginx with auth_request here: apt-get install -y nginx (README)');
    const apiPort = await listen(verify.server);
    podPort = await listen(pod);
    objects.push(
      { kind: 'route', env: ENV_A, ns: 'lab-a', svc: ENV_A },
      { kind: 'ingress', env: ENV_B, ns: 'lab-b', svc: ENV_B },
    );
    endpoints.set(`lab-a/${ENV_A}`, `http://127.0.0.1:${podPort}/`);
    endpoints.set(`lab-b/${ENV_B}`, `http://127.0.0.1:${podPort}/`);
    router = await startLocalRouter({
      port: 0,
      environmentsDomain: DOMAIN,
      apiPort,
      apiUrl: API_URL,
      webOrigin: WEB,
      engine,
      pollMs: 60_000,
      source: {
        list(resource) {
          const kind = resource.startsWith('httproutes') ? 'route' : 'ingress';
          return {
            items: objects
              .filter((o) => o.kind === kind)
              .map((o) => ({
                metadata: {
                  namespace: o.ns,
                  labels: { 'app.kubernetes.io/managed-by': 'lablease', 'lablease.dev/env': o.env },
                },
                spec:
                  o.kind === 'route'
                    ? {
                        hostnames: [`${o.env}.${DOMAIN}`],
                        rules: [{ backendRefs: [{ name: o.svc, port: 80 }] }],
                      }
                    : {
                        rules: [
                          {
                            host: `${o.env}.${DOMAIN}`,
                            http: { paths: [{ backend: { service: { name: o.svc } } }] },
                          },
                        ],
                      },
              })),
          };
        },
        serviceEndpoint: (ns, svc) => endpoints.get(`${ns}/${svc}`),
        subscribe(_resource, fn) {
          listeners.add(fn);
          return () => listeners.delete(fn);
        },
      },
    });
  });
  afterAll(async () => {
    await router?.stop();
    verify.server.close();
    pod.closeAllConnections();
    pod.close();
  });

  it(`runs as ${engine}`, () => {
    expect(router.engine).toBe(engine);
    expect(router.routes().map((r) => r.envId)).toEqual([ENV_A, ENV_B]);
  });

  it('sends a request with no credential to Open', async () => {
    const res = await get(router.port, host(ENV_A), '/lab?x=1');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${API_URL}/api/v1/environments/${ENV_A}/open`);
    const asked = verify.seen.at(-1)!;
    expect(asked).toMatchObject({
      'x-forwarded-host': host(ENV_A),
      'x-forwarded-uri': '/lab?x=1',
      'x-forwarded-method': 'GET',
      'x-forwarded-proto': 'http',
    });
  });

  it('answers Open with the cookie and a redirect to `next` on this host only', async () => {
    const res = await get(router.port, host(ENV_A), '/.lablease/open?code=good&next=/lab/x?k=v');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/lab/x?k=v');
    expect(res.headers['set-cookie']).toEqual([`lablease_env=ok-${ENV_A}; Path=/; HttpOnly`]);
    const encoded = await get(router.port, host(ENV_A), '/.lablease/open?code=good&next=%2F');
    expect(encoded.headers.location).toBe('/');
    for (const next of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      '%2F%2Fevil',
    ]) {
      const away = await get(
        router.port,
        host(ENV_A),
        `/.lablease/open?code=good&next=${encodeURIComponent(next)}`,
      );
      expect(away.status).toBe(302);
      expect(away.headers.location).toBe('/');
    }
    const refused = await get(router.port, host(ENV_A), '/.lablease/open?code=bad&next=/');
    expect(refused.status).toBe(302);
    expect(refused.headers.location).toBe(`${API_URL}/api/v1/environments/${ENV_A}/open`);
  });

  it('proxies the owner to the pod without the private cookies', async () => {
    const cookie = `a=1; lablease_env=ok-${ENV_A}; __Host-lablease_access=x; b=2`;
    const res = await get(router.port, host(ENV_A), '/notebook?y=2', cookie);
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.body);
    expect(seen.path).toBe('/notebook?y=2');
    expect(seen.headers.host).toBe(host(ENV_A));
    expect(seen.headers.cookie).toBe('a=1; b=2');
    // verify got the cookie the pod did not
    expect(verify.seen.at(-1)!.cookie).toBe(cookie);
  });

  it('proxies a websocket for the owner, refuses others', async () => {
    const ok = await socket(router.port, host(ENV_A), `lablease_env=ok-${ENV_A}`);
    expect(ok.status).toBe(101);
    expect(ok.echo).toBe('hello');
    expect(ok.first?.headers.cookie).toBeUndefined();
    expect((await socket(router.port, host(ENV_A), `lablease_env=ok-${ENV_B}`)).status).toBe(403);
    expect((await socket(router.port, host(ENV_A))).status).toBe(302);
  });

  it('answers 403 "not yours" to a cookie of another environment', async () => {
    const res = await get(router.port, host(ENV_B), '/', `lablease_env=ok-${ENV_A}`);
    expect(res.status).toBe(403);
    expect(res.body).toContain('Not yours');
  });

  it('shows the stopped page when the pod is gone, and 404 for a host that is no environment', async () => {
    endpoints.set(`lab-b/${ENV_B}`, 'http://127.0.0.1:1/'); // nothing listens there
    await router.refresh();
    const down = await get(router.port, host(ENV_B), '/', `lablease_env=ok-${ENV_B}`);
    expect(down.status).toBe(503);
    expect(down.body).toContain(`${WEB}/environments/${ENV_B}`);
    endpoints.delete(`lab-b/${ENV_B}`);
    await router.refresh();
    expect(router.routes().find((r) => r.envId === ENV_B)?.upstream).toBeUndefined();
    const stopped = await get(router.port, host(ENV_B), '/', `lablease_env=ok-${ENV_B}`);
    expect(stopped.status).toBe(503);
    // the stopped page of a routed environment comes after the check, not before
    expect((await get(router.port, host(ENV_B), '/')).status).toBe(302);
    const unrouted = await get(router.port, host(ENV_C), '/');
    expect(unrouted.status).toBe(503);
    expect(unrouted.body).toContain(`${WEB}/environments/${ENV_C}`);
    expect((await get(router.port, `nope.${DOMAIN}`, '/')).status).toBe(404);
    expect((await get(router.port, `${ENV_A}.other.test`, '/')).status).toBe(404);
  });

  it('follows the route objects, refusing any that fails validation', async () => {
    objects.push(
      { kind: 'route', env: ENV_C, ns: 'lab-c', svc: ENV_C },
      { kind: 'route', env: 'e;evil{}"', ns: 'lab-c', svc: 'x' },
      { kind: 'ingress', env: 'exxxxxxxxxxxxxxxx', ns: 'lab c', svc: 'x' },
      { kind: 'ingress', env: 'eyyyyyyyyyyyyyyyy', ns: 'lab-c', svc: 'x;y' },
    );
    endpoints.set(`lab-c/${ENV_C}`, `http://127.0.0.1:${podPort}/`);
    for (const fn of listeners) fn();
    await expect
      .poll(() => router.routes().map((r) => r.envId), { timeout: 5_000 })
      .toEqual([ENV_A, ENV_B, ENV_C]);
    await expect
      .poll(
        async () => (await get(router.port, host(ENV_C), '/', `lablease_env=ok-${ENV_C}`)).status,
      )
      .toBe(200);
  });
});
