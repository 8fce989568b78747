// The intent queue and its dead-letter queue. The visibility timeout is 6× the
// provisioner's timeout (AWS's guidance for SQS event sources), and a record
// that fails five times moves to the DLQ, where an alarm sees it.
export const PROVISIONER_TIMEOUT_SECONDS = 60;
export const MAX_RECEIVE_COUNT = 5;

export const deadLetters = new sst.aws.Queue('IntentsDeadLetters', {
  transform: { queue: { messageRetentionSeconds: 14 * 86_400 } },
});

export const intents = new sst.aws.Queue('Intents', {
  visibilityTimeout: `${PROVISIONER_TIMEOUT_SECONDS * 6} seconds`,
  dlq: { queue: deadLetters.arn, retry: MAX_RECEIVE_COUNT },
});

/** Sending intents (one or a batch of ten: both are sqs:SendMessage); never the DLQ. */
export const sendIntentsPermission = {
  actions: ['sqs:SendMessage'],
  resources: [intents.arn],
};
