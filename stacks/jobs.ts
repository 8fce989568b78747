// The workers: the provisioner on the intent queue, the reaper and the
// reconciler every minute. Bounded concurrency keeps the Kubernetes API's load
// bounded whatever the queue depth; one reaper and one reconciler at a time.
import { grantClusterAccess } from './cluster';
import { clusterWorkerFunction, jobFunction, settings } from './environment';
import { intents, PROVISIONER_TIMEOUT_SECONDS } from './queues';

/** At most this many provisioners at once (Lambda's SQS maximum concurrency; 2 is its floor). */
export const PROVISIONER_MAX_CONCURRENCY = 5;

export const provisioner = intents.subscribe(
  {
    ...clusterWorkerFunction({ mintsActivityTokens: true }),
    handler: 'functions/provisioner.handler',
    timeout: `${PROVISIONER_TIMEOUT_SECONDS} seconds`,
  },
  {
    batch: { size: 10, window: '1 second', partialResponses: true },
    transform: {
      eventSourceMapping: { scalingConfig: { maximumConcurrency: PROVISIONER_MAX_CONCURRENCY } },
    },
  },
);

export const reaper = new sst.aws.Cron('Reaper', {
  schedule: 'rate(1 minute)',
  function: {
    ...jobFunction(),
    handler: 'functions/reaper.handler',
    timeout: '50 seconds',
    concurrency: { reserved: 1 },
  },
});

export const reconciler = new sst.aws.Cron('Reconciler', {
  schedule: 'rate(1 minute)',
  function: {
    ...clusterWorkerFunction(),
    handler: 'functions/reconciler.handler',
    timeout: '50 seconds',
    concurrency: { reserved: 1 },
  },
});

grantClusterAccess('Provisioner', settings, provisioner.nodes.function.nodes.role.arn);
grantClusterAccess('Reconciler', settings, reconciler.nodes.function.nodes.role.arn);
