// kubesim: a Kubernetes API emulator on a local port, for tests and the local
// stack. `startKubesim()` wires the store, the API server (with the admission
// chain), the HTTP server and the simulated controllers, and returns the
// handle tests use: kubeconfig, in-process API, faults, request counts and the
// simulation (scheduler/kubelet) controls.

import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { defaultAdmissionPlugins } from './admission/index.js';
import { ApiServer } from './apiserver.js';
import { createSimulation, type KubeletOptions, type Simulation } from './controllers/index.js';
import { Faults, RequestCounter } from './faults.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { loadSnapshot, persistOnChange } from './persistence.js';
import { resolveResource } from './resources.js';
import { KubeHttpServer } from './server.js';
import { Store } from './store.js';
import { selfSignedCert } from './tls.js';
import type { AdmissionPlugin, Controller } from './types.js';

export interface KubesimOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** Load the cluster from this JSON file on start and save changes to it (npm run dev). */
  persistPath?: string;
  /** The bearer token clients must present; random by default. */
  token?: string;
  clock?: () => Date;
  /** Scheduler/kubelet simulation options (delays zero by default, 'realistic' for the demo). */
  kubelet?: KubeletOptions;
  /** Replace the default admission chain (tests of the API server alone). */
  admission?: AdmissionPlugin[];
  /** Replace the default controllers ([] runs the API server with no controllers). */
  controllers?: Controller[];
  /** Events kept per resource for watches and continue tokens; older RVs answer 410 (default 10,000). */
  eventLogSize?: number;
  /** BOOKMARK interval for watches that allow them. */
  bookmarkIntervalMs?: number;
  /** Events older than this are deleted (the API server's --event-ttl); default one hour. */
  eventTtlMs?: number;
}

export interface Kubesim {
  /** https://127.0.0.1:<port> (self-signed; the kubeconfig carries the CA) */
  url: string;
  token: string;
  /** PEM of the server certificate, to trust when calling `url` directly. */
  caPem: string;
  /** A kubeconfig (context 'kubesim') for client-node's loadFromString or kubectl. */
  kubeconfig(): string;
  writeKubeconfig(path: string): Promise<void>;
  /** The API server in process: the same verbs, admission and validation as over HTTP. */
  api: ApiServer;
  store: Store;
  faults: Faults;
  requests: RequestCounter;
  /** The simulated scheduler/kubelet: script images, pause/advance, settle. */
  simulation: Simulation;
  controllers: Controller[];
  stop(): Promise<void>;
}

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startKubesim(opts: KubesimOptions = {}): Promise<Kubesim> {
  const store = new Store({ eventLogSize: opts.eventLogSize });
  if (opts.persistPath) await loadSnapshot(store, opts.persistPath);
  const api = new ApiServer({
    store,
    clock: opts.clock,
    admission: opts.admission ?? defaultAdmissionPlugins(),
  });
  for (const name of SYSTEM_NAMESPACES) {
    if (!store.get('namespaces', undefined, name)) {
      await api.createObject(resolveResource('namespaces'), undefined, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
      });
    }
  }
  const sim = createSimulation(opts.kubelet);
  const controllers = opts.controllers ?? sim.controllers;
  const faults = new Faults();
  const requests = new RequestCounter();
  const token = opts.token ?? randomBytes(24).toString('hex');
  const tls = selfSignedCert();
  const http = new KubeHttpServer({
    tls,
    api,
    token,
    faults,
    requests,
    bookmarkIntervalMs: opts.bookmarkIntervalMs,
  });
  const url = await http.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  const stopPersisting = opts.persistPath ? persistOnChange(store, opts.persistPath) : undefined;
  for (const c of controllers) c.start(api);
  const eventTtlMs = opts.eventTtlMs ?? 3600_000;
  const expiry = setInterval(() => void api.expireEvents(eventTtlMs), Math.min(60_000, eventTtlMs));
  expiry.unref();

  const kubeconfig = () => kubeconfigYaml(url, token, tls.certPem);
  return {
    url,
    token,
    caPem: tls.certPem,
    kubeconfig,
    async writeKubeconfig(path) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, kubeconfig(), { mode: 0o600 });
    },
    api,
    store,
    faults,
    requests,
    simulation: sim.simulation,
    controllers,
    async stop() {
      clearInterval(expiry);
      for (const c of [...controllers].reverse()) c.stop();
      await http.close();
      await stopPersisting?.();
    },
  };
}

export type { ApiServer } from './apiserver.js';
export type { Fault, FaultSpec } from './faults.js';
export type * from './types.js';
