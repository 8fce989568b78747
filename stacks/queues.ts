// The intent queue and its dead-letter queue. The visibility timeout is 6× the
// provisioner's timeout (AWS's guidance for SQS event sources), and a record
// that fails five times moves to the DLQ, where an alarm sees it.
export const PROVISIONER_TIMEOUT_SECONDS = 60;

export const deadLetters = new sst.aws.Queue('IntentsDeadLetters');

export const intents = new sst.aws.Queue('Intents', {
  visibilityTimeout: `${PROVISIONER_TIMEOUT_SECONDS * 6} seconds`,
  dlq: { queue: deadLetters.arn, retry: 5 },
});
