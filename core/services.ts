// Everything the handlers need, built once per process from configuration:
// the adapters (DynamoDB, SQS) wired into the domain. functions/ and the
// tests call this; nothing else constructs adapters. The workers (provisioner,
// reconciler, reaper) take createWorkerServices: stores and the queue, and no
// key of the platform's — they sign no session, cookie or API token.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type Access, activityKeySet, createAccess } from './access/index.js';
import type { AdminDeps } from './admin/deps.js';
import { type Auth, createAuth } from './auth/index.js';
import type { ScryptCost } from './auth/password.js';
import type { Config } from './config.js';
import type { LifecycleDeps } from './environment/lifecycle.js';
import { createSqsClient, type IntentQueue, SqsIntentQueue } from './queue/publisher.js';
import { ApiTokenStore } from './store/api-tokens.js';
import { AuditStore } from './store/audit.js';
import { CachedCatalog } from './store/cached-catalog.js';
import { CatalogStore } from './store/catalog.js';
import { createDocumentClient, type DocumentClient } from './store/client.js';
import { EnvironmentStore } from './store/environments.js';
import { FleetStore } from './store/fleet.js';
import { OrphanVolumeStore } from './store/orphans.js';
import { UserStore } from './store/users.js';

export interface Services {
  config: Config;
  doc: DocumentClient;
  auth: Auth;
  environments: EnvironmentStore;
  catalog: CatalogStore;
  queue: IntentQueue;
  lifecycle: LifecycleDeps;
  audit: AuditStore;
  admin: AdminDeps;
  access: Access;
  now: () => Date;
}

export interface WorkerServices {
  config: Config;
  doc: DocumentClient;
  environments: EnvironmentStore;
  catalog: CatalogStore;
  users: UserStore;
  queue: IntentQueue;
  audit: AuditStore;
  now: () => Date;
}

interface ServiceOptions {
  doc?: DocumentClient;
  sqs?: SQSClient;
  now?: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export function createWorkerServices(config: Config, opts: ServiceOptions = {}): WorkerServices {
  const doc = opts.doc ?? createDocumentClient(config);
  return {
    config,
    doc,
    environments: new EnvironmentStore(doc, config.tableName),
    catalog: new CatalogStore(doc, config.tableName),
    users: new UserStore(doc, config.tableName),
    queue: intentQueue(config, opts),
    audit: new AuditStore(doc, config.tableName, config.auditRetentionDays),
    now: opts.now ?? (() => new Date()),
  };
}

function intentQueue(config: Config, opts: ServiceOptions): IntentQueue {
  return config.intentQueueUrl
    ? new SqsIntentQueue(opts.sqs ?? createSqsClient(config), config.intentQueueUrl, opts.log)
    : {
        // No queue configured: say so for every intent; the reconciler is the safety net.
        publish: async (intent) => {
          (opts.log ?? console.error)('intent not sent: INTENT_QUEUE_URL is not set', {
            envId: intent.envId,
          });
          return false;
        },
        publishMany: async () => 0,
        retryAfter: async () => {},
      };
}

export async function createServices(
  config: Config,
  opts: ServiceOptions & { scryptCost?: ScryptCost } = {},
): Promise<Services> {
  const { doc, environments, catalog, queue, audit, now } = createWorkerServices(config, opts);
  const auth = await createAuth(config, doc, { now, scryptCost: opts.scryptCost, log: opts.log });
  // The hot paths (create, start) read the catalog through a short in-process cache.
  const lifecycle: LifecycleDeps = {
    environments,
    catalog: new CachedCatalog(catalog),
    queue,
    now,
  };
  const access = createAccess(config, doc, {
    auth,
    activityKeys: config.auth.activitySigningKeys ? await activityKeySet(config) : undefined,
    environments,
    audit,
    now,
    log: opts.log ?? ((message, fields) => console.error(JSON.stringify({ message, ...fields }))),
  });
  return {
    config,
    doc,
    auth,
    environments,
    catalog,
    queue,
    lifecycle,
    audit,
    admin: {
      catalog,
      environments,
      fleet: new FleetStore(doc, config.tableName),
      orphanVolumes: new OrphanVolumeStore(doc, config.tableName),
      users: auth.users,
      apiTokens: new ApiTokenStore(doc, config.tableName),
      audit,
      lifecycle,
      localAccountsEnabled: config.auth.localAccounts,
      scryptCost: opts.scryptCost,
      now,
    },
    access,
    now,
  };
}
