// Behaviour 17: a Ready simulated pod can serve a small HTTP page on
// 127.0.0.1, showing the environment it belongs to, its user, and the
// headers of the request — so the local stack can route a browser (through
// its forward-auth gateway) to "the environment" and show what arrived. A
// websocket upgrade on any path is answered too: the page first sends what it
// saw of the upgrade request (as JSON), then echoes every message, so a test
// can prove a websocket through the router.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { KubeObject } from '../types.js';

interface Page {
  server: Server;
  url?: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  sockets?: WebSocketServer;
  listening?: Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function render(
  page: Page,
  headers: Record<string, string | string[] | undefined>,
  method: string,
  path: string,
) {
  const env = page.labels['lablease.dev/env'] ?? page.name;
  const user = page.labels['lablease.dev/user'] ?? '';
  const rows = Object.entries(headers)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(String(v))}</td></tr>`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(env)}</title></head><body>
<h1>Environment ${escapeHtml(env)}</h1>
<p>User: <code>${escapeHtml(user)}</code> · Pod: <code>${escapeHtml(page.namespace)}/${escapeHtml(page.name)}</code> (kubesim)</p>
<p>${escapeHtml(method)} <code>${escapeHtml(path)}</code></p>
<table>${rows}</table>
</body></html>`;
}

/** What the page saw of a request, as JSON answers and the websocket's first message carry it. */
function describe(page: Page, req: IncomingMessage) {
  return {
    environment: page.labels['lablease.dev/env'] ?? page.name,
    user: page.labels['lablease.dev/user'] ?? null,
    pod: `${page.namespace}/${page.name}`,
    method: req.method,
    path: req.url,
    headers: req.headers,
  };
}

export class PodPages {
  private readonly pages = new Map<string, Page>();
  /** The same pages by namespace/name: the router looks one up per route at every change. */
  private readonly byName = new Map<string, Page>();

  constructor(private readonly enabled: boolean) {}

  open(pod: KubeObject) {
    const uid = pod.metadata.uid!;
    if (!this.enabled || this.pages.has(uid)) return;
    const page: Page = {
      namespace: pod.metadata.namespace!,
      name: pod.metadata.name!,
      labels: { ...pod.metadata.labels },
      server: createServer((req, res) => {
        const body = render(page, req.headers, req.method ?? 'GET', req.url ?? '/');
        if (req.url === '/healthz') {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
          return;
        }
        const json = (req.headers.accept ?? '').includes('application/json');
        if (json) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(describe(page, req)));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
      }),
    };
    const sockets = new WebSocketServer({ noServer: true });
    page.server.on('upgrade', (req: IncomingMessage, socket, head) => {
      socket.on('error', () => socket.destroy());
      sockets.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => ws.terminate());
        ws.send(JSON.stringify({ ...describe(page, req), websocket: true }));
        ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      });
    });
    page.sockets = sockets;
    this.pages.set(uid, page);
    this.byName.set(`${page.namespace}/${page.name}`, page);
    // a page is a convenience: its failures must never take kubesim down
    page.server.on('error', () => this.close(uid));
    page.listening = new Promise((resolve) => {
      page.server.once('error', () => resolve());
      page.server.listen(0, '127.0.0.1', () => {
        page.url = `http://127.0.0.1:${(page.server.address() as AddressInfo).port}/`;
        resolve();
      });
    });
    page.server.unref();
  }

  close(uid: string) {
    const page = this.pages.get(uid);
    if (!page) return;
    this.pages.delete(uid);
    const key = `${page.namespace}/${page.name}`;
    if (this.byName.get(key) === page) this.byName.delete(key);
    page.server.closeAllConnections?.();
    // upgraded sockets left the HTTP server's books: a stopped pod drops its websockets too
    for (const ws of page.sockets?.clients ?? []) ws.terminate();
    page.sockets?.close();
    page.server.close();
  }

  endpoint(namespace: string, name: string): string | undefined {
    return this.byName.get(`${namespace}/${name}`)?.url;
  }

  /** Resolves once every opened page is listening. */
  async ready() {
    await Promise.all([...this.pages.values()].map((p) => p.listening));
  }

  closeAll() {
    for (const uid of [...this.pages.keys()]) this.close(uid);
  }
}
