// createIntentQueues against fauxqs: a DLQ, a redrive policy to it, and
// idempotence — also when the configuration changed since the queue was made.
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntentQueues } from '../../stacks/local/sqs-local.js';
import { startTestSqs, uniqueName } from '../support/aws.js';

let local: Awaited<ReturnType<typeof startTestSqs>>;

beforeAll(async () => {
  local = await startTestSqs();
});
afterAll(() => local?.stop());

async function attributes(queueUrl: string) {
  const out = await local.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
  );
  return out.Attributes ?? {};
}

describe('createIntentQueues', () => {
  it('creates the queue with a redrive policy to its DLQ', async () => {
    const name = uniqueName('intents');
    const queues = await createIntentQueues(local.sqs, {
      name,
      maxReceiveCount: 4,
      visibilityTimeoutSeconds: 30,
    });

    expect(queues.queueArn).toMatch(new RegExp(`:${name}$`));
    expect(queues.dlqArn).toMatch(new RegExp(`:${name}-dlq$`));
    const main = await attributes(queues.queueUrl);
    expect(main.VisibilityTimeout).toBe('30');
    expect(JSON.parse(main.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: queues.dlqArn,
      maxReceiveCount: 4,
    });
  });

  it('is idempotent and applies changed settings to existing queues', async () => {
    const name = uniqueName('intents');
    const first = await createIntentQueues(local.sqs, {
      name,
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 30,
    });
    const again = await createIntentQueues(local.sqs, {
      name,
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 30,
    });
    const changed = await createIntentQueues(local.sqs, {
      name,
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 60,
    });

    expect(again).toEqual(first);
    expect(changed).toEqual(first);
    const main = await attributes(first.queueUrl);
    expect(main.VisibilityTimeout).toBe('60');
    expect(JSON.parse(main.RedrivePolicy ?? '{}').maxReceiveCount).toBe(5);
  });
});
