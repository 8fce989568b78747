// The fallback router, for machines without nginx: the same answers as the
// nginx configuration (nginx-config.ts) in node:http — ask the API's
// /auth/verify about every request and websocket upgrade, answer Open with a
// redirect to `next`, 401 → Open, 403 → "not yours", no pod → "stopped".
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { forbiddenPage, notFoundPage, stoppedPage } from './pages.js';
import { type EnvironmentRoute, envIdOfHost } from './routes.js';

export interface NodeRouterOptions {
  port: number;
  /** The environments domain without a port. */
  domain: string;
  /** Where to ask: http://127.0.0.1:<api port>/auth/verify */
  verifyUrl: string;
  apiUrl: string;
  webOrigin: string;
}

export interface NodeRouter {
  port: number;
  setRoutes(routes: EnvironmentRoute[]): void;
  stop(): Promise<void>;
}

/** Cookies that never reach a pod: the env cookie and the API's session cookies. */
const PRIVATE_COOKIE = /^(lablease_env|__Host-lablease_[A-Za-z0-9_-]*)$/;

export function scrubCookies(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((c) => c.trim())
    .filter((c) => {
      const eq = c.indexOf('=');
      return c !== '' && !PRIVATE_COOKIE.test(eq < 0 ? c : c.slice(0, eq));
    });
  return kept.length ? kept.join('; ') : undefined;
}

/** `next` of /.lablease/open: a path on this host only, else `/`. */
export function safeNext(next: string | null): string {
  if (!next?.startsWith('/') || /^\/[/\\]/.test(next)) return '/';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  return /[\u0000-\u001f\u007f\s]/.test(next) ? '/' : next;
}

type Verdict =
  | { status: 200; setCookie: string[] }
  | { status: 401 | 403 | 500; setCookie: string[] };

export async function startNodeRouter(opts: NodeRouterOptions): Promise<NodeRouter> {
  let table = new Map<string, EnvironmentRoute>();

  const verify = async (req: IncomingMessage): Promise<Verdict> => {
    const headers: Record<string, string> = {
      'x-forwarded-host': req.headers.host ?? '',
      'x-forwarded-uri': req.url ?? '/',
      'x-forwarded-method': req.method ?? 'GET',
      'x-forwarded-proto': 'http',
      'x-original-url': `http://${req.headers.host ?? ''}${req.url ?? '/'}`,
      'x-original-method': req.method ?? 'GET',
    };
    if (req.headers.cookie) headers.cookie = req.headers.cookie;
    try {
      const res = await fetch(opts.verifyUrl, { headers, redirect: 'manual' });
      await res.body?.cancel();
      const status = res.status;
      const setCookie = res.headers.getSetCookie();
      if (status >= 200 && status < 300) return { status: 200, setCookie };
      if (status === 401 || status === 403) return { status, setCookie: [] };
      return { status: 500, setCookie: [] };
    } catch {
      return { status: 500, setCookie: [] };
    }
  };

  const openUrl = (envId: string) => `${opts.apiUrl}/api/v1/environments/${envId}/open`;

  /** The route of a request's host, or the answer when there is none. */
  const lookup = (req: IncomingMessage) => {
    const envId = envIdOfHost(req.headers.host ?? '', opts.domain);
    if (!envId) return { answer: { status: 404, body: notFoundPage(opts.webOrigin) } };
    const route = table.get(envId);
    if (!route) return { answer: { status: 503, body: stoppedPage(envId, opts.webOrigin) } };
    return { route };
  };

  const denial = (envId: string, verdict: Verdict) =>
    verdict.status === 401
      ? { status: 302, headers: { location: openUrl(envId) }, body: '' }
      : verdict.status === 403
        ? { status: 403, body: forbiddenPage(envId, opts.webOrigin) }
        : { status: 500, body: 'The access check failed.' };

  const upstreamHeaders = (req: IncomingMessage) => {
    const headers = { ...req.headers };
    const cookie = scrubCookies(req.headers.cookie);
    if (cookie) headers.cookie = cookie;
    else delete headers.cookie;
    headers['x-forwarded-host'] = req.headers.host ?? '';
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    return headers;
  };

  const send = (
    res: ServerResponse,
    a: { status: number; body: string; headers?: Record<string, string> },
    setCookie: string[] = [],
  ) => {
    res.writeHead(a.status, {
      'content-type': 'text/html; charset=utf-8',
      ...a.headers,
      ...(setCookie.length ? { 'set-cookie': setCookie } : {}),
    });
    res.end(a.body);
  };

  const server = createServer(async (req, res) => {
    const found = lookup(req);
    if (!found.route) return send(res, found.answer);
    const route = found.route;
    const verdict = await verify(req);
    if (verdict.status !== 200) return send(res, denial(route.envId, verdict));
    const url = new URL(req.url ?? '/', 'http://router.invalid');
    if (url.pathname === '/.lablease/open') {
      return send(
        res,
        { status: 302, headers: { location: safeNext(url.searchParams.get('next')) }, body: '' },
        verdict.setCookie,
      );
    }
    const stopped = () =>
      send(res, { status: 503, body: stoppedPage(route.envId, opts.webOrigin) });
    if (!route.upstream) return stopped();
    const up = request(
      {
        host: route.upstream.host,
        port: route.upstream.port,
        method: req.method,
        path: req.url,
        headers: upstreamHeaders(req),
      },
      (upRes) => {
        const headers = { ...upRes.headers };
        if (verdict.setCookie.length)
          headers['set-cookie'] = [...(upRes.headers['set-cookie'] ?? []), ...verdict.setCookie];
        res.writeHead(upRes.statusCode ?? 502, headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => (res.headersSent ? res.destroy() : stopped()));
    req.pipe(up);
  });

  // Upgraded sockets leave the server's books: kept here so stop() ends them.
  const tunnels = new Set<Socket>();
  server.on('upgrade', async (req: IncomingMessage, socket: Socket, head: Buffer) => {
    tunnels.add(socket);
    socket.on('close', () => tunnels.delete(socket));
    socket.on('error', () => socket.destroy());
    const reply = (a: { status: number; body: string; headers?: Record<string, string> }) => {
      const lines = [
        `HTTP/1.1 ${a.status} ${a.status === 302 ? 'Found' : a.status === 403 ? 'Forbidden' : 'Error'}`,
        'content-type: text/html; charset=utf-8',
        `content-length: ${Buffer.byteLength(a.body)}`,
        'connection: close',
        ...Object.entries(a.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.end(`${lines.join('\r\n')}\r\n\r\n${a.body}`);
    };
    const found = lookup(req);
    if (!found.route) return reply(found.answer);
    const route = found.route;
    const verdict = await verify(req);
    if (verdict.status !== 200) return reply(denial(route.envId, verdict));
    const stopped = () => reply({ status: 503, body: stoppedPage(route.envId, opts.webOrigin) });
    if (!route.upstream) return stopped();
    const up = request({
      host: route.upstream.host,
      port: route.upstream.port,
      method: req.method,
      path: req.url,
      headers: upstreamHeaders(req),
    });
    up.on('upgrade', (upRes, upSocket, upHead) => {
      const lines = [`HTTP/1.1 101 ${upRes.statusMessage ?? 'Switching Protocols'}`];
      for (let i = 0; i < upRes.rawHeaders.length; i += 2)
        lines.push(`${upRes.rawHeaders[i]}: ${upRes.rawHeaders[i + 1]}`);
      for (const c of verdict.setCookie) lines.push(`Set-Cookie: ${c}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upHead.length) socket.write(upHead);
      if (head.length) upSocket.write(head);
      upSocket.on('error', () => socket.destroy());
      socket.on('close', () => upSocket.destroy());
      upSocket.on('close', () => socket.destroy());
      upSocket.pipe(socket).pipe(upSocket);
    });
    up.on('response', (upRes) => {
      // The pod refused the upgrade: pass its answer on.
      const lines = [`HTTP/1.1 ${upRes.statusCode} ${upRes.statusMessage ?? ''}`];
      for (let i = 0; i < upRes.rawHeaders.length; i += 2)
        lines.push(`${upRes.rawHeaders[i]}: ${upRes.rawHeaders[i + 1]}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      upRes.pipe(socket);
    });
    up.on('error', () => stopped());
    up.end();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    setRoutes(routes) {
      table = new Map(routes.map((r) => [r.envId, r]));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        for (const s of tunnels) s.destroy();
        server.close(() => resolve());
      }),
  };
}
