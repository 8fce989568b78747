// Publishing intents through fauxqs, and what happens when SQS fails.
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIntent } from '../../core/queue/intent.js';
import { SqsIntentQueue } from '../../core/queue/publisher.js';
import { createIntentQueues } from '../../stacks/local/sqs-local.js';
import { startTestSqs, uniqueName } from '../support/aws.js';

const OWNER = '0123456789abcdef0123456789abcdef';
let sqs: Awaited<ReturnType<typeof startTestSqs>>;
let queueUrl: string;

beforeAll(async () => {
  sqs = await startTestSqs();
  ({ queueUrl } = await createIntentQueues(sqs.sqs, {
    name: uniqueName('intents'),
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 30,
  }));
});
afterAll(() => sqs?.stop());

async function drain() {
  const bodies: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { Messages = [] } = await sqs.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) break;
    bodies.push(...Messages.map((m) => m.Body!));
  }
  return bodies.map(parseIntent);
}

describe('the intent queue', () => {
  it('delivers what is published, one intent per message', async () => {
    const queue = new SqsIntentQueue(sqs.sqs, queueUrl, () => {});
    expect(await queue.publish({ envId: 'e1', ownerId: OWNER, generation: 3 })).toBe(true);
    expect(
      await queue.publishMany(
        Array.from({ length: 12 }, (_, i) => ({ envId: `b${i}`, ownerId: OWNER, generation: 1 })),
      ),
    ).toBe(12);
    const got = await drain();
    expect(got).toHaveLength(13);
    expect(got).toContainEqual({ envId: 'e1', ownerId: OWNER, generation: 3 });
  });

  it('reports a failed send without throwing, and logs no message body', async () => {
    const mock = mockClient(sqs.sqs);
    mock
      .on(SendMessageCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const lines: Array<Record<string, unknown>> = [];
    const queue = new SqsIntentQueue(sqs.sqs, queueUrl, (message, fields) =>
      lines.push({ message, ...fields }),
    );
    expect(await queue.publish({ envId: 'e2', ownerId: OWNER, generation: 7 })).toBe(false);
    expect(lines).toEqual([
      {
        message: 'intent not sent; the reconciler will pick the environment up',
        envId: 'e2',
        generation: 7,
        error: 'ThrottlingException',
      },
    ]);
    mock.restore();
  });
});
