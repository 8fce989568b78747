// A local Lambda event source mapping for SQS: long-poll a queue, hand each
// batch to the handler as a real SQSEvent, delete what succeeded.
//
// Only deletion is ours. Redelivery and dead-lettering come from the queue
// itself: a record we do not delete reappears after the visibility timeout with
// ApproximateReceiveCount + 1, and the queue's redrive policy moves it to the
// DLQ after maxReceiveCount receives — as with Lambda, which is why this loop
// never retries or counts anything.
//
// Like Lambda with ReportBatchItemFailures: the handler returns
// { batchItemFailures } for partial failure; a throw fails the whole batch.
// `concurrency` pollers run side by side, each one batch at a time, as Lambda
// runs several concurrent invocations up to the mapping's maximum concurrency.
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lambdaContext } from './lambda-context.js';
import { regionOfArn, settleBatch, toSqsEvent } from './sqs-event.js';

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  // `void` as in aws-lambda's SQSHandler, so the Lambda handler module fits as is.
  // biome-ignore lint/suspicious/noConfusingVoidType: mirrors the Lambda handler type
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;
  /** Records per invocation, 1–10 (one ReceiveMessage). Default 10. */
  batchSize?: number;
  /** Long-poll wait, 0–20 s. Default 20, as Lambda's pollers. */
  waitTimeSeconds?: number;
  /** Region in the records; default: the one in queueArn. */
  region?: string;
  /** Name in the Lambda context. Default: `<queue name>-consumer`. */
  functionName?: string;
  /** Concurrent pollers (invocations), like the mapping's maximum concurrency. Default 1. */
  concurrency?: number;
  log?: (msg: string) => void;
}

export function startSqsEventSource(opts: SqsEventSourceOptions): { stop(): Promise<void> } {
  const batchSize = opts.batchSize ?? 10;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    throw new Error(`batchSize must be 1..10, got ${batchSize}`);
  }
  const waitTimeSeconds = opts.waitTimeSeconds ?? 20;
  const region = opts.region ?? regionOfArn(opts.queueArn) ?? 'us-east-1';
  const queueName = opts.queueArn.split(':').at(-1) ?? 'queue';
  const functionName = opts.functionName ?? `${queueName}-consumer`;
  const log = opts.log ?? ((msg: string) => console.warn(`[event-source ${queueName}] ${msg}`));
  const polling = new AbortController();

  const receive = async (): Promise<Message[]> => {
    const out = await opts.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: opts.queueUrl,
        MaxNumberOfMessages: batchSize,
        WaitTimeSeconds: waitTimeSeconds,
        // Both spellings: older servers know only AttributeNames.
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: polling.signal },
    );
    return out.Messages ?? [];
  };

  // Runs to completion even while stopping: an invocation is never cut short.
  const deliver = async (messages: Message[]): Promise<void> => {
    const event = toSqsEvent(messages, { queueArn: opts.queueArn, region });
    let response: unknown;
    try {
      response = await opts.handler(event, lambdaContext({ functionName, region }));
    } catch (error) {
      log(
        `handler threw; all ${messages.length} record(s) return after the visibility timeout: ${describe(error)}`,
      );
      return;
    }
    const outcome = settleBatch(event, response);
    if (outcome.kind === 'failure') {
      log(`invalid batch response (${outcome.reason}); treating the whole batch as failed`);
      return;
    }
    await deleteRecords(event, outcome.deleteIds);
  };

  const deleteRecords = async (event: SQSEvent, ids: string[]): Promise<void> => {
    if (ids.length === 0) return;
    const wanted = new Set(ids);
    const entries = event.Records.filter((record) => wanted.has(record.messageId)).map(
      (record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle }),
    );
    try {
      const out = await opts.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: opts.queueUrl, Entries: entries }),
      );
      // An undeleted success is redelivered; handlers are idempotent, so log only.
      for (const failed of out.Failed ?? [])
        log(`delete failed: ${failed.Code} ${failed.Message ?? ''}`);
    } catch (error) {
      log(
        `DeleteMessageBatch failed; ${entries.length} record(s) will be redelivered: ${describe(error)}`,
      );
    }
  };

  const poll = async () => {
    while (!polling.signal.aborted) {
      let messages: Message[];
      try {
        messages = await receive();
      } catch (error) {
        if (polling.signal.aborted) break;
        log(`ReceiveMessage failed, retrying in 1 s: ${describe(error)}`);
        await sleep(1_000, polling.signal);
        continue;
      }
      if (messages.length > 0) await deliver(messages);
    }
  };
  const loops = Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, poll);

  return {
    async stop() {
      polling.abort();
      await Promise.all(loops);
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    signal.addEventListener('abort', finish, { once: true });
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
  });
}
