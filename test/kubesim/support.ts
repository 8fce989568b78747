// Test support for anything that runs against kubesim: start a cluster on a
// free port, talk to it through the real @kubernetes/client-node over HTTP,
// and read API errors (ApiException) as the v1 Status the server sent.

import { request as httpsRequest } from 'node:https';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import {
  type Kubesim,
  type KubesimOptions,
  startKubesim,
} from '../../stacks/local/kubesim/index.js';

export interface TestCluster {
  sim: Kubesim;
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  networking: NetworkingV1Api;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
  stop(): Promise<void>;
}

export async function startTestCluster(opts: KubesimOptions = {}): Promise<TestCluster> {
  const sim = await startKubesim(opts);
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig());
  return {
    sim,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
    stop: () => sim.stop(),
  };
}

/**
 * Starts a cluster before the file's tests and stops it after. The returned
 * object is filled in by beforeAll, so read its fields inside tests.
 */
export function setupTestCluster(opts: KubesimOptions = {}): TestCluster {
  const cluster = {} as TestCluster;
  beforeAll(async () => {
    Object.assign(cluster, await startTestCluster(opts));
  });
  afterAll(async () => {
    await cluster.stop?.();
  });
  return cluster;
}

/** Options for client-node's typed patch methods to send this patch type (they default to json-patch). */
export const patchAs = {
  merge: () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  strategic: () => setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  json: () => setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
  apply: () => setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
};

export interface ApiFailure {
  code: number;
  // biome-ignore lint/suspicious/noExplicitAny: a v1 Status as JSON
  status: any;
  headers: Record<string, string>;
}

/** Awaits a call that must fail with an ApiException; returns its code, parsed Status body and headers. */
export async function apiError(call: Promise<unknown>): Promise<ApiFailure> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ApiException) {
      let status: unknown = e.body;
      if (typeof e.body === 'string') {
        try {
          status = JSON.parse(e.body);
        } catch {}
      }
      return { code: e.code, status, headers: (e.headers ?? {}) as Record<string, string> };
    }
    throw e;
  }
  throw new Error('expected the call to fail with an ApiException, but it succeeded');
}

/** A namespace name unique within the run. */
let seq = 0;
export const uniqueName = (prefix = 't') => `${prefix}-${process.pid}-${++seq}`;

/** Creates a namespace (and returns its name) through the in-process API. */
export async function createNamespace(
  cluster: TestCluster,
  name = uniqueName('ns'),
  labels?: Record<string, string>,
): Promise<string> {
  await cluster.sim.api.create('namespaces', undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, ...(labels ? { labels } : {}) },
  });
  // Pods need the namespace's `default` ServiceAccount (created by a controller) — wait for it briefly.
  await cluster.sim.simulation.settle();
  for (let i = 0; i < 50 && !cluster.sim.api.get('serviceaccounts', name, 'default'); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return name;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON body
  json: any;
}

/** A raw HTTPS request to kubesim (bearer token and CA applied), for header-level assertions. */
export function rawRequest(
  sim: Kubesim,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const payload =
    body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${sim.url}${path}`,
      {
        method,
        ca: sim.caPem,
        headers: {
          Authorization: `Bearer ${sim.token}`,
          ...(payload !== undefined
            ? {
                'Content-Type': 'application/json',
                'Content-Length': String(Buffer.byteLength(payload)),
              }
            : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
