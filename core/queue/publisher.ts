// Publishes intents after the store has recorded them. A failed send loses
// nothing: the desired state is already in DynamoDB and the reconciler finds
// environments whose observedGeneration lags; we only say so in the log.
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Config } from '../config.js';
import type { Intent } from './intent.js';

export interface IntentQueue {
  /** `delaySeconds` (≤ 900): "look again later", for environments still moving. */
  publish(intent: Intent, opts?: { delaySeconds?: number }): Promise<boolean>;
  publishMany(intents: Intent[]): Promise<number>;
  /** Makes a received message visible again after `seconds` (a retry's back-off). */
  retryAfter(receiptHandle: string, seconds: number): Promise<void>;
}

export function createSqsClient(config: Pick<Config, 'region' | 'sqsEndpoint'>) {
  return new SQSClient({
    region: config.region,
    ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint } : {}),
  });
}

export class SqsIntentQueue implements IntentQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly log: (message: string, fields: Record<string, unknown>) => void = (
      message,
      fields,
    ) => console.error(JSON.stringify({ level: 'warn', message, ...fields })),
  ) {}

  /** True when SQS took the intent; false (logged) when it did not. */
  async publish(intent: Intent, opts: { delaySeconds?: number } = {}): Promise<boolean> {
    try {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: JSON.stringify(intent),
          ...(opts.delaySeconds
            ? { DelaySeconds: Math.min(900, Math.max(0, Math.round(opts.delaySeconds))) }
            : {}),
        }),
      );
      return true;
    } catch (err) {
      this.log('intent not sent; the reconciler will pick the environment up', {
        envId: intent.envId,
        generation: intent.generation,
        error: (err as Error).name,
      });
      return false;
    }
  }

  async retryAfter(receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.min(43_200, Math.max(0, Math.round(seconds))),
      }),
    );
  }

  /** Sends in batches of ten; answers how many SQS took. */
  async publishMany(intents: Intent[]): Promise<number> {
    let sent = 0;
    for (let i = 0; i < intents.length; i += 10) {
      const batch = intents.slice(i, i + 10);
      try {
        const res = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map((intent, n) => ({
              Id: String(n),
              MessageBody: JSON.stringify(intent),
            })),
          }),
        );
        sent += res.Successful?.length ?? 0;
        for (const failed of res.Failed ?? []) {
          const intent = batch[Number(failed.Id)];
          this.log('intent not sent; the reconciler will pick the environment up', {
            envId: intent?.envId,
            error: failed.Code,
          });
        }
      } catch (err) {
        this.log('intent batch not sent; the reconciler will pick the environments up', {
          count: batch.length,
          error: (err as Error).name,
        });
      }
    }
    return sent;
  }
}
