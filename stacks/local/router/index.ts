// The local stack's router: what a gateway does in a cluster, for the
// environments kubesim simulates. It serves `<envId>.<domain>:<port>` on
// 127.0.0.1, asks the API's /auth/verify about every request (forward auth,
// as Envoy Gateway and ingress-nginx do), and proxies to the simulated pod's
// page. nginx (with auth_request) when the machine has it — the most faithful
// stand-in for ingress-nginx — else the Node fallback with the same answers.
//
// The routes come from the route objects in kubesim: a change to an
// environment's route, Service or Pod re-reads the table soon (at most every
// 150 ms: a busy cluster changes pods all the time, and each read lists every
// route); a slow poll also catches a pod page that started listening after
// its pod turned Ready. The proxy is reconfigured only when the table changed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../ports.js';
import { findNginx, type NginxProcess, startNginx, waitForGeneration } from './nginx.js';
import { renderNginxConfig } from './nginx-config.js';
import { type NodeRouter, startNodeRouter } from './node-router.js';
import {
  domainHost,
  type EnvironmentRoute,
  ROUTE_RESOURCES,
  type RouteSource,
  routeTable,
} from './routes.js';

export type RouterEngine = 'nginx' | 'node';

export interface LocalRouterOptions {
  /** 0 picks a free port. */
  port: number;
  /** The environments domain, with or without the router's port (`env.localhost`). */
  environmentsDomain: string;
  /** The API on 127.0.0.1, where /auth/verify is asked. */
  apiPort: number;
  /** The API's public base URL (Open lives under it). */
  apiUrl: string;
  webOrigin: string;
  /** kubesim: its API (list, subscribe) and the simulation's serviceEndpoint. */
  source: RouteSource & {
    subscribe(resource: string, fn: (event?: { object: LabelledObject }) => void): () => void;
  };
  /** nginx unless absent ('auto', the default), or one of them by force. */
  engine?: RouterEngine | 'auto';
  pollMs?: number;
  log?: (line: string) => void;
}

export interface LocalRouter {
  engine: RouterEngine;
  /** nginx's version; undefined for the Node router. */
  version: string | undefined;
  port: number;
  /** The routes in force. */
  routes(): EnvironmentRoute[];
  /** Re-reads the route objects and applies any change now (tests and scripts). */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

const WATCHED = [...ROUTE_RESOURCES, 'services', 'pods'];
const REFRESH_EVERY_MS = 150;

interface LabelledObject {
  metadata: { labels?: Record<string, string> };
}

/** Only environments' objects move routes: other namespaces' churn is ignored. */
const concernsEnvironments = (event?: { object: LabelledObject }) =>
  !event || event.object.metadata.labels?.['lablease.dev/env'] !== undefined;

export async function startLocalRouter(opts: LocalRouterOptions): Promise<LocalRouter> {
  const log = opts.log ?? (() => {});
  const domain = domainHost(opts.environmentsDomain);
  const port = opts.port || (await freePort());
  const engine = opts.engine ?? 'auto';
  const nginx = engine === 'node' ? undefined : await findNginx();
  if (engine === 'nginx' && !nginx)
    throw new Error('LOCAL_ROUTER=nginx but no nginx with the auth_request module was found');

  let current: EnvironmentRoute[] = routeTable(opts.source, domain);
  let apply: (routes: EnvironmentRoute[]) => Promise<void>;
  let stopProxy: () => Promise<void>;
  let dir: string | undefined;

  if (nginx) {
    dir = await mkdtemp(join(tmpdir(), 'lablease-router-'));
    let generation = 0;
    const render = (routes: EnvironmentRoute[]) =>
      renderNginxConfig({
        generation: ++generation,
        port,
        domain,
        api: { host: '127.0.0.1', port: opts.apiPort },
        apiUrl: opts.apiUrl,
        webOrigin: opts.webOrigin,
        dir: dir!,
        routes,
      });
    let proc: NginxProcess;
    try {
      proc = await startNginx(nginx, dir, render(current), port, log);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw portHint(err, port);
    }
    apply = async (routes) => {
      await proc.reload(render(routes));
      await waitForGeneration(port, generation);
    };
    stopProxy = () => proc.stop();
  } else {
    const node: NodeRouter = await startNodeRouter({
      port,
      domain,
      verifyUrl: `http://127.0.0.1:${opts.apiPort}/auth/verify`,
      apiUrl: opts.apiUrl,
      webOrigin: opts.webOrigin,
    }).catch((err) => {
      throw portHint(err, port);
    });
    node.setRoutes(current);
    apply = async (routes) => node.setRoutes(routes);
    stopProxy = () => node.stop();
  }

  // One refresh at a time; a change seen meanwhile runs one more.
  let running: Promise<void> | undefined;
  let again = false;
  const refresh = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        const next = routeTable(opts.source, domain);
        if (JSON.stringify(next) === JSON.stringify(current)) continue;
        try {
          await apply(next);
          current = next;
        } catch (err) {
          log(`router: routes not applied: ${err instanceof Error ? err.message : String(err)}`);
        }
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  let debounce: NodeJS.Timeout | undefined;
  const soon = (event?: { object: LabelledObject }) => {
    if (!concernsEnvironments(event)) return;
    debounce ??= setTimeout(() => {
      debounce = undefined;
      void refresh();
    }, REFRESH_EVERY_MS);
  };
  const unsubscribe = WATCHED.map((r) => opts.source.subscribe(r, soon));
  const poll = setInterval(() => void refresh(), opts.pollMs ?? 2_000);
  poll.unref();

  log(
    `router: ${nginx ? `nginx ${nginx.version}` : 'Node fallback (no nginx with auth_request found)'} on 127.0.0.1:${port}`,
  );
  return {
    engine: nginx ? 'nginx' : 'node',
    version: nginx?.version,
    port,
    routes: () => current,
    refresh,
    async stop() {
      clearInterval(poll);
      clearTimeout(debounce);
      for (const u of unsubscribe) u();
      await running;
      await stopProxy();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

function portHint(err: unknown, port: number): Error {
  const message = err instanceof Error ? err.message : String(err);
  return /in use|EADDRINUSE/i.test(message)
    ? new Error(`Port ${port} is already in use: set ROUTER_PORT to another port. (${message})`)
    : err instanceof Error
      ? err
      : new Error(message);
}
