// Benchmark: what the local router adds to a request. A stub /auth/verify
// (always 200) and a stub pod on loopback; N sequential keep-alive GETs to
// the pod directly, then through each router (nginx when installed, the Node
// fallback), each of which asks verify first. Also how long a route change
// takes to be served (nginx: render, `nginx -t`, SIGHUP, old workers retired).
//
// Run: npx tsx test/bench/router.ts [N]   (or import { benchRouter })
import { once } from 'node:events';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { type RouterEngine, startLocalRouter } from '../../stacks/local/router/index.js';
import { findNginx } from '../../stacks/local/router/nginx.js';
import type { Percentiles } from './environments.js';

export interface RouterBenchResult {
  requests: number;
  directMs: Percentiles;
  via: Array<{ engine: RouterEngine; ms: Percentiles; routeChangeMs: number }>;
}

const ENV = 'eaaaaaaaaaaaaaaaa';
const NEXT = 'ebbbbbbbbbbbbbbbb';

function percentiles(samples: number[]): Percentiles {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

async function listen(server: Server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function get(agent: Agent, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent, headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

async function time(n: number, port: number, host: string): Promise<Percentiles> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 100; i++) await get(agent, port, host); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const status = await get(agent, port, host);
    samples.push(performance.now() - t);
    if (status !== 200) throw new Error(`bench: answer ${status}`);
  }
  agent.destroy();
  return percentiles(samples);
}

export async function benchRouter(requests = 2_000): Promise<RouterBenchResult> {
  const verify = createServer((_req, res) => res.writeHead(200).end());
  const pod = createServer((_req, res) => res.writeHead(200).end('ok'));
  const apiPort = await listen(verify);
  const podPort = await listen(pod);
  const hosts = [ENV];
  const listeners = new Set<() => void>();
  try {
    const directMs = await time(requests, podPort, 'pod');
    const engines: RouterEngine[] = (await findNginx()) ? ['nginx', 'node'] : ['node'];
    const via: RouterBenchResult['via'] = [];
    for (const engine of engines) {
      hosts.splice(0, hosts.length, ENV);
      const router = await startLocalRouter({
        port: 0,
        environmentsDomain: 'env.localhost',
        apiPort,
        apiUrl: 'http://localhost:8787',
        webOrigin: 'http://localhost:5173',
        engine,
        pollMs: 60_000,
        source: {
          list: (resource) => ({
            items: resource.startsWith('httproutes')
              ? hosts.map((h) => ({
                  metadata: { namespace: 'lab-bench' },
                  spec: {
                    hostnames: [`${h}.env.localhost`],
                    rules: [{ backendRefs: [{ name: h }] }],
                  },
                }))
              : [],
          }),
          serviceEndpoint: () => `http://127.0.0.1:${podPort}/`,
          subscribe: (_r, fn) => {
            listeners.add(fn);
            return () => listeners.delete(fn);
          },
        },
      });
      try {
        const ms = await time(requests, router.port, `${ENV}.env.localhost`);
        const t = performance.now();
        hosts.push(NEXT);
        await router.refresh();
        const routeChangeMs = performance.now() - t;
        via.push({ engine, ms, routeChangeMs });
      } finally {
        await router.stop();
      }
    }
    return { requests, directMs, via };
  } finally {
    verify.close();
    pod.close();
  }
}

export function formatRouterBench(r: RouterBenchResult): string {
  const f = (p: Percentiles) => `p50 ${p.p50.toFixed(3)} ms, p99 ${p.p99.toFixed(3)} ms`;
  return [
    `router: ${r.requests} sequential keep-alive GETs, stub verify and pod on loopback`,
    `  direct to the pod          ${f(r.directMs)}`,
    ...r.via.map(
      (v) =>
        `  through ${v.engine.padEnd(5)} (+ verify) ${f(v.ms)}; a route change served after ${v.routeChangeMs.toFixed(0)} ms`,
    ),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatRouterBench(await benchRouter(Number(process.argv[2] ?? 2_000))));
  process.exit(0);
}
