// Benchmark: kubesim at Lablease scale. Creates 10,000 managed pods in 1,000
// namespaces (plus 1,000 unmanaged ones) through the in-process API — the
// same admission and validation as HTTP — then times a label-selected
// all-namespaces list in pages of 500 over HTTPS through client-node, as the
// reconciler does. Controllers are off so only the API server is measured.
//
// Run: npx tsx test/bench/kubesim.ts   (or import { benchKubesim })

import { Agent, request } from 'node:https';
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startKubesim } from '../../stacks/local/kubesim/index.js';
import type { KubeObject } from '../../stacks/local/kubesim/types.js';

export interface KubesimBenchResult {
  pods: number;
  namespaces: number;
  createMs: number;
  listMs: number[];
  /** CPU time (client and server share the process) per client-node list: less sensitive to a busy machine. */
  listCpuMs: number[];
  /** The same pages fetched with a plain keep-alive HTTPS client and JSON.parse (no client-node models). */
  rawListMs: number[];
  /** The same pages, bytes only (server + TLS + HTTP; the continue token read from the head of the body). */
  transportMs: number[];
  pages: number;
  listed: number;
  heapUsedMb: number;
  rssMb: number;
}

const MANAGED = 'app.kubernetes.io/managed-by=lablease';

function pod(name: string, user: string, managed: boolean): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: managed
        ? {
            'app.kubernetes.io/managed-by': 'lablease',
            'lablease.dev/user': user,
            'lablease.dev/env': name,
          }
        : { app: 'other' },
    },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'env',
          image: 'quay.io/jupyter/base-notebook:2025-01-01',
          ports: [{ containerPort: 8888, name: 'http' }],
          resources: {
            requests: { cpu: '500m', memory: '1Gi' },
            limits: { cpu: '1', memory: '2Gi' },
          },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          volumeMounts: [{ name: 'workspace', mountPath: '/home/jovyan/work' }],
        },
      ],
      volumes: [{ name: 'workspace', persistentVolumeClaim: { claimName: `${name}-ws` } }],
    },
  };
}

export async function benchKubesim(
  opts: { namespaces?: number; podsPerNamespace?: number; runs?: number } = {},
): Promise<KubesimBenchResult> {
  const namespaces = opts.namespaces ?? 1000;
  const perNs = opts.podsPerNamespace ?? 10;
  const runs = opts.runs ?? 5;
  const sim = await startKubesim({ controllers: [] });
  try {
    const t0 = performance.now();
    for (let n = 0; n < namespaces; n++) {
      const ns = `lab-user${n}`;
      await sim.api.create('namespaces', undefined, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      });
      await sim.api.create('serviceaccounts', ns, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default' },
      });
      for (let i = 0; i < perNs; i++)
        await sim.api.create('pods', ns, pod(`env-${n}-${i}`, `user${n}`, true));
      await sim.api.create('pods', ns, pod(`other-${n}`, `user${n}`, false));
    }
    const createMs = performance.now() - t0;
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    const core = kc.makeApiClient(CoreV1Api);
    const listAll = async () => {
      let token: string | undefined;
      let pages = 0;
      let listed = 0;
      do {
        const page = await core.listPodForAllNamespaces({
          labelSelector: MANAGED,
          limit: 500,
          _continue: token,
        });
        pages++;
        listed += page.items.length;
        token = page.metadata?._continue;
      } while (token);
      return { pages, listed };
    };
    await listAll(); // warm-up: connections, JIT
    const listMs: number[] = [];
    const listCpuMs: number[] = [];
    let last = { pages: 0, listed: 0 };
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      const cpu = process.cpuUsage();
      last = await listAll();
      listMs.push(performance.now() - t);
      const used = process.cpuUsage(cpu);
      listCpuMs.push((used.user + used.system) / 1000);
    }
    const agent = new Agent({ keepAlive: true, ca: sim.caPem });
    const getBytes = (path: string) =>
      new Promise<Buffer>((resolve, reject) => {
        const req = request(
          `${sim.url}${path}`,
          { agent, headers: { Authorization: `Bearer ${sim.token}` } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve(Buffer.concat(chunks)));
          },
        );
        req.on('error', reject);
        req.end();
      });
    const pagePath = (token?: string) =>
      `/api/v1/pods?labelSelector=${encodeURIComponent(MANAGED)}&limit=500${token ? `&continue=${token}` : ''}`;
    const rawListMs: number[] = [];
    const transportMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      let t = performance.now();
      let token: string | undefined;
      do {
        const page = JSON.parse((await getBytes(pagePath(token))).toString('utf8')) as {
          metadata: { continue?: string };
        };
        token = page.metadata.continue;
      } while (token);
      rawListMs.push(performance.now() - t);
      t = performance.now();
      do {
        const head = (await getBytes(pagePath(token))).subarray(0, 1024).toString('utf8');
        token = /"continue":"([^"]+)"/.exec(head)?.[1];
      } while (token);
      transportMs.push(performance.now() - t);
    }
    agent.destroy();
    const mem = process.memoryUsage();
    return {
      pods: namespaces * (perNs + 1),
      namespaces,
      createMs,
      listMs,
      listCpuMs,
      rawListMs,
      transportMs,
      pages: last.pages,
      listed: last.listed,
      heapUsedMb: mem.heapUsed / 2 ** 20,
      rssMb: mem.rss / 2 ** 20,
    };
  } finally {
    await sim.stop();
  }
}

const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  return `median ${median.toFixed(0)} ms (min ${(sorted[0] as number).toFixed(0)}, max ${(sorted[sorted.length - 1] as number).toFixed(0)}, ${ms.length} runs)`;
};

export function formatKubesimBench(r: KubesimBenchResult): string {
  return [
    `kubesim: ${r.pods} pods in ${r.namespaces} namespaces created in ${(r.createMs / 1000).toFixed(1)} s (in process, with admission)`,
    `kubesim: label-selected all-namespaces list of ${r.listed} managed pods in ${r.pages} pages of 500 over HTTPS`,
    `kubesim:   via client-node CoreV1Api (typed models): ${stats(r.listMs)}; CPU ${stats(r.listCpuMs)}`,
    `kubesim:   via plain HTTPS + JSON.parse:             ${stats(r.rawListMs)}`,
    `kubesim:   bytes only (server + TLS + HTTP):         ${stats(r.transportMs)}`,
    `kubesim: memory heapUsed ${r.heapUsedMb.toFixed(0)} MB, rss ${r.rssMb.toFixed(0)} MB (server and client in one process)`,
    `kubesim: machine ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)} (timings stretch with load)`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchKubesim();
  console.log(formatKubesimBench(result));
}
