// Lambda entry point of the provisioner: an SQS batch of intents, answered
// with partial batch failures so one bad record never blocks the others.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { activitySource } from '../core/access/index.js';
import { ClusterClient } from '../core/cluster/client.js';
import { convergeEnvironment } from '../core/cluster/converge.js';
import { loadClusterKubeConfig, planOptionsFrom } from '../core/cluster/kubeconfig.js';
import { routerOptionsFrom } from '../core/cluster/routes/index.js';
import { loadConfig } from '../core/config.js';
import { parseIntent } from '../core/queue/intent.js';
import { retryLater } from '../core/queue/retry.js';
import { createWorkerServices } from '../core/services.js';
import { CachedCatalog } from '../core/store/cached-catalog.js';

const config = loadConfig();
const services = createWorkerServices(config);
const deps = {
  environments: services.environments,
  catalog: new CachedCatalog(services.catalog),
  users: services.users,
  cluster: new ClusterClient(await loadClusterKubeConfig(config)),
  queue: services.queue,
  now: services.now,
  planOptions: planOptionsFrom(config),
  routes: routerOptionsFrom(config),
  activity: await activitySource(config),
};
const processor = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord) {
  try {
    const sent = Number(record.attributes?.SentTimestamp);
    await convergeEnvironment(deps, parseIntent(record.body), {
      sentAt: sent > 0 ? new Date(sent) : undefined,
    });
  } catch (err) {
    console.error(
      JSON.stringify({
        level: 'warn',
        message: 'converge failed; will retry',
        messageId: record.messageId,
        error: (err as Error).name,
        detail: (err as Error).message,
      }),
    );
    await retryLater(services.queue, record, err);
    throw err;
  }
}

export const handler = (event: SQSEvent, context: Context) =>
  processPartialResponse(event, handleRecord, processor, {
    context,
    throwOnFullBatchFailure: false,
  });
