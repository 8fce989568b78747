// SQS (and S3) for the local stack: fauxqs, in this process, on a free port.
// fauxqs implements the parts of SQS our semantics rest on: visibility timeout,
// long polling, ApproximateReceiveCount and redrive to a dead-letter queue.
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueNameExists,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';

export interface SqsLocal {
  /** SQS endpoint for SDK clients. */
  endpoint: string;
  /** S3 endpoint: the same server. Clients need `forcePathStyle: true`. */
  s3Endpoint: string;
  /** The fauxqs handle, for inspecting queues in tests and tools. */
  server: FauxqsServer;
  stop(): Promise<void>;
}

export async function startSqsLocal(
  opts: { port?: number; dataDir?: string } = {},
): Promise<SqsLocal> {
  const server = await startFauxqs({
    port: opts.port ?? 0,
    logger: false,
    // Unset means in memory; set means state (queues, messages in flight)
    // survives a restart in a SQLite file there.
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
  });
  return {
    endpoint: server.address,
    s3Endpoint: server.address,
    server,
    stop: () => server.stop(),
  };
}

export interface IntentQueues {
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  dlqArn: string;
}

/** SQS's maximum retention: a dead letter waits two weeks for someone to look. */
const DLQ_RETENTION_SECONDS = String(14 * 24 * 60 * 60);

/**
 * Creates `<name>-dlq` and `<name>` with a redrive policy to it. Idempotent,
 * and an existing queue takes the given settings (config may have changed).
 */
export async function createIntentQueues(
  sqs: SQSClient,
  opts: { name: string; maxReceiveCount: number; visibilityTimeoutSeconds: number },
): Promise<IntentQueues> {
  const dlqUrl = await createOrUpdateQueue(sqs, `${opts.name}-dlq`, {
    MessageRetentionPeriod: DLQ_RETENTION_SECONDS,
  });
  const dlqArn = await queueArn(sqs, dlqUrl);
  const queueUrl = await createOrUpdateQueue(sqs, opts.name, {
    VisibilityTimeout: String(opts.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: opts.maxReceiveCount,
    }),
  });
  return { queueUrl, queueArn: await queueArn(sqs, queueUrl), dlqUrl, dlqArn };
}

async function createOrUpdateQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  try {
    const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!out.QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
    return out.QueueUrl;
  } catch (error) {
    // CreateQueue is idempotent only for identical attributes.
    if (!isQueueNameExists(error)) throw error;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!QueueUrl) throw new Error(`GetQueueUrl ${name} returned no QueueUrl`);
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
    return QueueUrl;
  }
}

// fauxqs names it `AWS.SimpleQueueService.QueueNameExists` (the query-protocol
// code), which the SDK does not map to its QueueNameExists class.
function isQueueNameExists(error: unknown): boolean {
  return (
    error instanceof QueueNameExists ||
    /QueueNameExists|QueueAlreadyExists/.test((error as Error | undefined)?.name ?? '')
  );
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = out.Attributes?.QueueArn;
  if (!arn) throw new Error(`no QueueArn for ${queueUrl}`);
  return arn;
}
