// How soon a failed intent comes back. The queue's own visibility timeout is
// sized for a crashed worker (minutes); a throttled or briefly unavailable
// cluster deserves a quicker, growing retry: the cluster's Retry-After when it
// gave one, else 2^attempt seconds, at most a minute.
import type { SQSRecord } from 'aws-lambda';
import { TransientClusterError } from '../cluster/errors.js';
import type { IntentQueue } from './publisher.js';

export function retryDelaySeconds(err: unknown, attempt: number): number {
  if (err instanceof TransientClusterError && err.retryAfterSeconds)
    return Math.min(300, err.retryAfterSeconds);
  return Math.min(60, 2 ** Math.max(1, attempt));
}

export async function retryLater(
  queue: Pick<IntentQueue, 'retryAfter'>,
  record: SQSRecord,
  err: unknown,
): Promise<void> {
  const attempt = Number(record.attributes?.ApproximateReceiveCount ?? 1);
  // Best effort: if this fails too, the queue's visibility timeout still brings it back.
  await queue.retryAfter(record.receiptHandle, retryDelaySeconds(err, attempt)).catch(() => {});
}
