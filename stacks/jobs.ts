// The workers: the provisioner on the intent queue, the reaper and the
// reconciler every minute. Bounded concurrency keeps the Kubernetes API's load
// bounded whatever the queue depth.
import { functionDefaults } from './environment';
import { deadLetters, intents, PROVISIONER_TIMEOUT_SECONDS } from './queues';

intents.subscribe(
  {
    ...functionDefaults,
    handler: 'functions/provisioner.handler',
    timeout: `${PROVISIONER_TIMEOUT_SECONDS} seconds`,
  },
  {
    batch: { size: 10, window: '1 second', partialResponses: true },
    transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency: 5 } } },
  },
);

new sst.aws.Cron('Reaper', {
  schedule: 'rate(1 minute)',
  function: { ...functionDefaults, handler: 'functions/reaper.handler', timeout: '50 seconds' },
});

new sst.aws.Cron('Reconciler', {
  schedule: 'rate(1 minute)',
  function: { ...functionDefaults, handler: 'functions/reconciler.handler', timeout: '50 seconds' },
});

// Alarm: anything in the DLQ is an intent the provisioner gave up on.
new aws.cloudwatch.MetricAlarm('DeadLettersNotEmpty', {
  namespace: 'AWS/SQS',
  metricName: 'ApproximateNumberOfMessagesVisible',
  dimensions: { QueueName: deadLetters.nodes.queue.name },
  statistic: 'Maximum',
  period: 60,
  evaluationPeriods: 1,
  threshold: 0,
  comparisonOperator: 'GreaterThanThreshold',
  treatMissingData: 'notBreaching',
});
