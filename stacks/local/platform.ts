// The whole Lablease platform on one machine, on real local services:
// DynamoDB Local, fauxqs (SQS), kubesim (or a kubeconfig context), the API on
// @hono/node-server, the SQS event source feeding the provisioner, and timers
// for the scheduled handlers. The handler modules are the ones Lambda runs;
// they read their configuration from process.env, which this sets first.
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { serve } from '@hono/node-server';
import { createAuth } from '../../core/auth/index.js';
import { loadConfig } from '../../core/config.js';
import { createDocumentClient } from '../../core/store/client.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { startSqsEventSource } from './event-source.js';
import { type Kubesim, startKubesim } from './kubesim/index.js';
import { freePort } from './ports.js';
import { type LocalRouter, type RouterEngine, startLocalRouter } from './router/index.js';
import { startSchedule } from './schedule.js';
import {
  BOOTSTRAP_ADMIN_FILE,
  localActivitySigningKeys,
  localSigningKeys,
  readBootstrapAdmin,
  writeBootstrapAdmin,
} from './secrets.js';
import { createIntentQueues, startSqsLocal } from './sqs-local.js';
import { ensureTable } from './table.js';
import { startWeb } from './web.js';

export interface LocalPlatformOptions {
  /** Local state: DynamoDB data, kubesim snapshot, kubeconfig. */
  stateDir: string;
  /** 0 picks a free port. */
  apiPort: number;
  /** 0 picks a free port; false runs no web dev server. */
  webPort: number | false;
  /** Keep DynamoDB's data in stateDir (dev) or in memory (tests). */
  persist: boolean;
  cluster: 'kubesim' | 'kubeconfig';
  /** kubesim's simulated delays: realistic for people, zero for tests. */
  kubeletDelays: 'zero' | 'realistic';
  tableName?: string;
  queueName?: string;
  /** How often the reaper and reconciler run. */
  scheduleEveryMs?: number;
  /** How soon the provisioner looks again at an environment still moving (seconds). */
  pollSeconds?: number;
  /** The router in front of environment hosts (kubesim only): its port (0 or unset picks a free one). */
  routerPort?: number;
  /** nginx when the machine has it ('auto', the default), or one by force. */
  routerEngine?: RouterEngine | 'auto';
  log?: (line: string) => void;
}

export interface LocalPlatform {
  apiUrl: string;
  /** The bootstrap admin while its one-time password file exists. */
  bootstrapAdmin:
    | { email: string; password: string; file: string; firstStart: boolean }
    | undefined;
  webUrl: string | undefined;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  queueUrl: string;
  dlqUrl: string;
  cluster: {
    kind: 'kubesim' | 'kubeconfig';
    server: string;
    kubeconfigPath: string | undefined;
    /** The embedded cluster's handle (faults, scripts, counters), for tests and benchmarks. */
    kubesim?: Kubesim;
  };
  /** The local router serving `http://<envId>.env.localhost:<port>/` (kubesim only). */
  router: LocalRouter | undefined;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
// DynamoDB Local and fauxqs accept any credentials; fixed ones keep one shared database.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const MAX_RECEIVE_COUNT = 5;
const VISIBILITY_TIMEOUT_SECONDS = 30;
const PROVISIONER_CONCURRENCY = 5;
const LOCAL_ENVIRONMENTS_DOMAIN = 'env.localhost';

export async function startLocalPlatform(opts: LocalPlatformOptions): Promise<LocalPlatform> {
  const log = opts.log ?? (() => {});
  const stateDir = resolve(opts.stateDir);
  mkdirSync(stateDir, { recursive: true });
  const stops: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    // Reverse order: consumers before the services they consume.
    for (const s of stops.splice(0).reverse()) {
      try {
        await s();
      } catch (err) {
        log(`stop failed: ${String(err)}`);
      }
    }
  };

  try {
    const [dynamo, sqsLocal] = await Promise.all([
      startDynamoDbLocal(
        opts.persist ? { dbPath: join(stateDir, 'dynamodb') } : { inMemory: true },
      ),
      startSqsLocal(),
    ]);
    stops.push(
      () => dynamo.stop(),
      () => sqsLocal.stop(),
    );

    const tableName = opts.tableName ?? 'lablease';
    const ddb = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const sqs = new SQSClient({
      endpoint: sqsLocal.endpoint,
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    stops.push(
      () => ddb.destroy(),
      () => sqs.destroy(),
    );
    const [, queues] = await Promise.all([
      ensureTable(ddb, tableName),
      createIntentQueues(sqs, {
        name: opts.queueName ?? 'lablease-intents',
        maxReceiveCount: MAX_RECEIVE_COUNT,
        visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
      }),
    ]);

    const cluster = await startCluster(opts, stateDir);
    stops.push(() => cluster.stop());

    // The web origin must be known before the API starts: it is the only
    // origin the API's CORS and CSRF checks accept.
    const webPort = opts.webPort === false ? undefined : opts.webPort || (await freePort());
    // The API's own URL is the issuer of its access tokens: known before it starts.
    const apiPort = opts.apiPort || (await freePort());
    const webOrigin = `http://localhost:${webPort ?? 5173}`;
    const apiUrl = `http://localhost:${apiPort}`;

    // The router stands where a cluster's gateway would: environments live on
    // their own domain (env.localhost, which browsers resolve to loopback), at
    // the router's port. It asks the API's /auth/verify, so it needs only the
    // API's port, not the API running yet.
    let router: LocalRouter | undefined;
    if (cluster.kubesim) {
      const sim = cluster.kubesim;
      router = await startLocalRouter({
        port: opts.routerPort ?? 0,
        environmentsDomain: LOCAL_ENVIRONMENTS_DOMAIN,
        apiPort,
        apiUrl,
        webOrigin,
        engine: opts.routerEngine,
        source: {
          list: (resource, o) => sim.api.list(resource, o),
          subscribe: (resource, fn) => sim.api.subscribe(resource, fn),
          serviceEndpoint: (ns, service) => sim.simulation.serviceEndpoint(ns, service),
        },
        log,
      });
      stops.push(() => router?.stop());
    }
    Object.assign(process.env, {
      WEB_ORIGIN: webOrigin,
      LABLEASE_STAGE: 'local',
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      SQS_ENDPOINT: sqsLocal.endpoint,
      INTENT_QUEUE_URL: queues.queueUrl,
      API_URL: apiUrl,
      ...(router
        ? {
            ENVIRONMENTS_DOMAIN: `${LOCAL_ENVIRONMENTS_DOMAIN}:${router.port}`,
            LABLEASE_LOCAL_ROUTER: router.engine === 'nginx' ? `nginx/${router.version}` : 'node',
          }
        : {}),
      AUTH_SIGNING_KEYS: await localSigningKeys(stateDir),
      ACTIVITY_SIGNING_KEYS: await localActivitySigningKeys(stateDir),
      PROVISIONER_POLL_SECONDS: String(opts.pollSeconds ?? (opts.kubeletDelays === 'zero' ? 1 : 3)),
      LABLEASE_CLUSTER: opts.cluster,
      LABLEASE_CLUSTER_SERVER: cluster.server,
      ...(cluster.kubeconfigPath ? { KUBECONFIG: cluster.kubeconfigPath } : {}),
    });

    const { app } = await import('../../functions/api.js');
    const server = await listen(app.fetch, apiPort);
    stops.push(() => closeServer(server));
    const bootstrapAdmin = await ensureBootstrapAdmin(stateDir);

    const provisioner = await import('../../functions/provisioner.js');
    const eventSource = startSqsEventSource({
      sqs,
      queueUrl: queues.queueUrl,
      queueArn: queues.queueArn,
      handler: provisioner.handler,
      batchSize: 10,
      // As stacks/jobs.ts: bounded concurrency keeps the Kubernetes API's load bounded.
      concurrency: PROVISIONER_CONCURRENCY,
      region: REGION,
      log,
    });
    stops.push(() => eventSource.stop());

    const every = opts.scheduleEveryMs ?? 60_000;
    const scheduled = {
      reaper: await import('../../functions/reaper.js'),
      reconciler: await import('../../functions/reconciler.js'),
    };
    for (const [name, fn] of Object.entries(scheduled)) {
      const schedule = startSchedule({
        name: `lablease-${name}`,
        everyMs: every,
        handler: fn.handler,
        log,
      });
      stops.push(() => schedule.stop());
    }

    let webUrl: string | undefined;
    if (webPort !== undefined) {
      const web = await startWeb({ port: webPort, apiUrl });
      stops.push(() => web.stop());
      webUrl = web.url;
    }

    return {
      apiUrl,
      bootstrapAdmin,
      webUrl,
      dynamodbEndpoint: dynamo.endpoint,
      sqsEndpoint: sqsLocal.endpoint,
      queueUrl: queues.queueUrl,
      dlqUrl: queues.dlqUrl,
      cluster: {
        kind: opts.cluster,
        server: cluster.server,
        kubeconfigPath: cluster.kubeconfigPath,
        kubesim: cluster.kubesim,
      },
      router,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Creates the bootstrap admin on first start and keeps its one-time password
 * in the state folder; answers what to show in the banner.
 */
async function ensureBootstrapAdmin(stateDir: string) {
  const config = loadConfig();
  const auth = await createAuth(config, createDocumentClient(config));
  const created = await auth.localAccounts.ensureBootstrapAdmin(
    config.auth.bootstrapAdminEmail,
    config.auth.defaultTier,
  );
  if (created) writeBootstrapAdmin(stateDir, created);
  const known = created ?? readBootstrapAdmin(stateDir);
  return known
    ? { ...known, file: join(stateDir, BOOTSTRAP_ADMIN_FILE), firstStart: created !== undefined }
    : undefined;
}

async function startCluster(opts: LocalPlatformOptions, stateDir: string) {
  if (opts.cluster === 'kubeconfig') {
    // The current context of the user's kubeconfig: a real cluster, used as is.
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromDefault();
    const server = kc.getCurrentCluster()?.server;
    if (!server)
      throw new Error('LABLEASE_CLUSTER=kubeconfig but the kubeconfig has no current cluster.');
    return {
      server,
      kubeconfigPath: process.env.KUBECONFIG,
      kubesim: undefined,
      stop: async () => {},
    };
  }
  const kubesim = await startKubesim({
    persistPath: opts.persist ? join(stateDir, 'kubesim.json') : undefined,
    // Ready pods serve a small page (and a websocket echo): what the router proxies to.
    kubelet: { delays: opts.kubeletDelays, servePods: true },
  });
  // The platform's namespace, where a cluster's gateway and extAuth backend live: the
  // provisioner writes each user's ReferenceGrant there (LABLEASE_ROUTER=gateway).
  if (!kubesim.api.get('namespaces', undefined, 'lablease-system'))
    await kubesim.api.create('namespaces', undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'lablease-system' },
    });
  const kubeconfigPath = join(stateDir, 'kubeconfig');
  await kubesim.writeKubeconfig(kubeconfigPath);
  return { server: kubesim.url, kubeconfigPath, kubesim, stop: () => kubesim.stop() };
}

function listen(
  fetch: (req: Request) => Response | Promise<Response>,
  port: number,
): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = serve({ fetch, port, hostname: '127.0.0.1' }) as Server;
    server.once('listening', () => resolvePromise(server));
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`Port ${port} is already in use: set API_PORT to another port.`)
          : err,
      ),
    );
  });
}

function closeServer(server: Server) {
  return new Promise<void>((resolvePromise) => {
    server.closeAllConnections();
    server.close(() => resolvePromise());
  });
}
