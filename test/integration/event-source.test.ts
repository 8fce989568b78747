// The local SQS event source has Lambda's semantics end to end through fauxqs:
// partial batch failure, redelivery after the visibility timeout with a higher
// ApproximateReceiveCount, dead-lettering after maxReceiveCount.
import { createHash } from 'node:crypto';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEventSource } from '../../stacks/local/event-source.js';
import { createIntentQueues, type IntentQueues } from '../../stacks/local/sqs-local.js';
import { startTestSqs, uniqueName } from '../support/aws.js';

const MAX_RECEIVE_COUNT = 2;
const VISIBILITY_TIMEOUT_S = 1;

let local: Awaited<ReturnType<typeof startTestSqs>>;
let sqs: SQSClient;

beforeAll(async () => {
  local = await startTestSqs();
  sqs = local.sqs;
});

afterAll(async () => {
  await local?.stop();
});

/** What the handler saw: one entry per invocation, with the time it ran. */
interface Invocation {
  at: number;
  records: SQSRecord[];
}

function recorder(decide: (record: SQSRecord, invocation: number) => 'ok' | 'fail') {
  const invocations: Invocation[] = [];
  const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    invocations.push({ at: Date.now(), records: event.Records });
    const failed = event.Records.filter((r) => decide(r, invocations.length) === 'fail');
    return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
  };
  const deliveries = (body: string) =>
    invocations.flatMap((inv) =>
      inv.records.filter((r) => r.body === body).map((record) => ({ at: inv.at, record })),
    );
  return { invocations, handler, deliveries };
}

async function newQueues(): Promise<IntentQueues> {
  return createIntentQueues(sqs, {
    name: uniqueName('intents'),
    maxReceiveCount: MAX_RECEIVE_COUNT,
    visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_S,
  });
}

async function send(queueUrl: string, bodies: string[]): Promise<void> {
  const out = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((body, i) => ({
        Id: String(i),
        MessageBody: body,
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'intent' } },
      })),
    }),
  );
  expect(out.Failed ?? []).toEqual([]);
}

/** Receives from a queue (the DLQ) until a message with `body` shows up. */
async function receiveUntil(queueUrl: string, body: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const hit = out.Messages?.find((m) => m.Body === body);
    if (hit) return hit;
  }
  throw new Error(`${body} did not reach ${queueUrl} within ${timeoutMs} ms`);
}

async function waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function messagesLeft(queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return Object.values(out.Attributes ?? {}).reduce((sum, n) => sum + Number(n), 0);
}

const receiveCount = (record: SQSRecord) => Number(record.attributes.ApproximateReceiveCount);

describe('SQS event source through fauxqs', () => {
  it('redelivers a failed record until it is dead-lettered; its batch mates are deleted once', async () => {
    // Prepare
    const queues = await newQueues();
    await send(queues.queueUrl, ['a', 'b', 'c']);
    const { invocations, handler, deliveries } = recorder((r) => (r.body === 'b' ? 'fail' : 'ok'));

    // Act
    const source = startSqsEventSource({ sqs, ...queues, handler, log: () => {} });
    const dead = await receiveUntil(queues.dlqUrl, 'b');
    // One more visibility timeout: any wrongly kept record would come back by now.
    await new Promise((r) => setTimeout(r, VISIBILITY_TIMEOUT_S * 1000 + 500));
    await source.stop();

    // Assess: the first batch held all three, as Lambda would deliver them.
    expect(invocations[0]?.records.map((r) => r.body).sort()).toEqual(['a', 'b', 'c']);
    // 'b' came back after the visibility timeout with a higher receive count,
    // exactly maxReceiveCount times, then the queue moved it to the DLQ.
    const b = deliveries('b');
    expect(b.map((d) => receiveCount(d.record))).toEqual([1, 2]);
    expect(b[1]!.record.messageId).toBe(b[0]!.record.messageId);
    expect(b[1]!.at - b[0]!.at).toBeGreaterThanOrEqual(VISIBILITY_TIMEOUT_S * 1000 - 100);
    expect(dead.MessageId).toBe(b[0]!.record.messageId);
    expect(Number(dead.Attributes?.ApproximateReceiveCount)).toBeGreaterThan(MAX_RECEIVE_COUNT);
    // 'a' and 'c' succeeded in that same batch: deleted, never seen again.
    expect(deliveries('a')).toHaveLength(1);
    expect(deliveries('c')).toHaveLength(1);
    expect(await messagesLeft(queues.queueUrl)).toBe(0);
  });

  it('builds Lambda-shaped records', async () => {
    const queues = await newQueues();
    await send(queues.queueUrl, ['{"envId":"e1","generation":3}']);
    const { invocations, handler } = recorder(() => 'ok');

    const source = startSqsEventSource({ sqs, ...queues, handler, log: () => {} });
    await waitFor(() => invocations.length === 1);
    await source.stop();

    const record = invocations[0]!.records[0]!;
    expect(record).toMatchObject({
      body: '{"envId":"e1","generation":3}',
      md5OfBody: createHash('md5').update(record.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queues.queueArn,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {
        kind: {
          stringValue: 'intent',
          stringListValues: [],
          binaryListValues: [],
          dataType: 'String',
        },
      },
    });
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThan(0);
    expect(record.receiptHandle).toEqual(expect.any(String));
  });

  it('leaves every record of a batch for redelivery when the handler throws', async () => {
    const queues = await newQueues();
    await send(queues.queueUrl, ['x', 'y']);
    const seen: SQSRecord[][] = [];
    const handler = async (event: SQSEvent) => {
      seen.push(event.Records);
      if (seen.length === 1) throw new Error('provisioner crashed');
    };
    const logs: string[] = [];

    const source = startSqsEventSource({ sqs, ...queues, handler, log: (m) => logs.push(m) });
    await waitFor(() => seen.flat().length >= 4);
    await source.stop();

    const bodies = seen.flat().map((r) => `${r.body}:${receiveCount(r)}`);
    expect(bodies.sort()).toEqual(['x:1', 'x:2', 'y:1', 'y:2']);
    expect(logs.join('\n')).toMatch(/handler threw.*provisioner crashed/);
    expect(await messagesLeft(queues.queueUrl)).toBe(0);
  });

  it('treats an unknown itemIdentifier as a failed batch, as Lambda does', async () => {
    const queues = await newQueues();
    await send(queues.queueUrl, ['p', 'q']);
    const seen: SQSRecord[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const first = seen.length === 0;
      seen.push(...event.Records);
      return { batchItemFailures: first ? [{ itemIdentifier: 'not-in-this-batch' }] : [] };
    };

    const source = startSqsEventSource({ sqs, ...queues, handler, log: () => {} });
    await waitFor(() => seen.length >= 4);
    await source.stop();

    expect(seen.map((r) => `${r.body}:${receiveCount(r)}`).sort()).toEqual([
      'p:1',
      'p:2',
      'q:1',
      'q:2',
    ]);
    expect(await messagesLeft(queues.queueUrl)).toBe(0);
  });

  it('stop() aborts an idle long poll and waits for an invocation in flight', async () => {
    const queues = await newQueues();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started = false;
    let finished = false;
    const handler = async () => {
      started = true;
      await gate;
      finished = true;
    };

    // Idle: the 20 s long poll is cut short.
    const idle = startSqsEventSource({ sqs, ...queues, handler, log: () => {} });
    await new Promise((r) => setTimeout(r, 200));
    await idle.stop();

    await send(queues.queueUrl, ['slow']);
    const busy = startSqsEventSource({ sqs, ...queues, handler, log: () => {} });
    await waitFor(() => started);
    let stopped = false;
    const stopping = busy.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    expect(await messagesLeft(queues.queueUrl)).toBe(0);
  });

  it('runs `concurrency` invocations side by side, each message handled once', async () => {
    const queues = await newQueues();
    let inFlight = 0;
    let most = 0;
    const seen: string[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 300));
      seen.push(...event.Records.map((r) => r.body));
      inFlight--;
      return { batchItemFailures: [] };
    };
    const bodies = Array.from({ length: 12 }, (_, i) => `c${i}`);
    const source = startSqsEventSource({
      sqs,
      ...queues,
      handler,
      batchSize: 1,
      concurrency: 3,
      log: () => {},
    });
    await send(queues.queueUrl, bodies.slice(0, 6));
    await send(queues.queueUrl, bodies.slice(6));
    await waitFor(() => seen.length >= bodies.length);
    await source.stop();
    expect(most).toBe(3);
    expect(seen.sort()).toEqual([...bodies].sort());
  });
});
