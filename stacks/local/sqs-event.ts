// Pure parts of the local SQS event source: SDK messages → the SQSEvent Lambda
// would deliver, and a handler's answer → which receipts to delete.
import type { Message } from '@aws-sdk/client-sqs';
import type {
  SQSBatchResponse,
  SQSEvent,
  SQSMessageAttributes,
  SQSRecord,
  SQSRecordAttributes,
} from 'aws-lambda';

export interface QueueSource {
  queueArn: string;
  region: string;
}

/** The record Lambda builds from one received message (same field names and casing). */
export function toSqsRecord(message: Message, source: QueueSource): SQSRecord {
  if (!message.MessageId || !message.ReceiptHandle) {
    throw new Error('received an SQS message without MessageId or ReceiptHandle');
  }
  const record: SQSRecord = {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? '',
    attributes: recordAttributes(message.Attributes ?? {}),
    messageAttributes: recordMessageAttributes(message),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
  if (message.MD5OfMessageAttributes)
    record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

export function toSqsEvent(messages: Message[], source: QueueSource): SQSEvent {
  return { Records: messages.map((message) => toSqsRecord(message, source)) };
}

function recordAttributes(attributes: Record<string, string>): SQSRecordAttributes {
  // Lambda passes the system attributes through under their SQS names.
  return {
    ...attributes,
    ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
    SentTimestamp: attributes.SentTimestamp ?? '',
    SenderId: attributes.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
  };
}

// Lambda's shape: camelCase, binary as base64, and the reserved list fields
// always present as empty arrays.
function recordMessageAttributes(message: Message): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    out[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: base64(value.BinaryValue) } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map(base64),
      dataType: value.DataType ?? 'String',
    };
  }
  return out;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

export type BatchOutcome =
  | { kind: 'success'; deleteIds: string[]; failedIds: string[] }
  | { kind: 'failure'; reason: string };

/**
 * What Lambda's event source mapping (with ReportBatchItemFailures) does with a
 * handler's answer: no answer or an empty list → the whole batch succeeded;
 * listed ids → all but those are deleted; a malformed answer or an id not in
 * the batch → the whole batch failed, nothing is deleted. A thrown error is a
 * failure too; the caller handles that.
 */
export function settleBatch(event: SQSEvent, response: unknown): BatchOutcome {
  const ids = event.Records.map((record) => record.messageId);
  if (response === undefined || response === null)
    return { kind: 'success', deleteIds: ids, failedIds: [] };
  if (typeof response !== 'object') return { kind: 'failure', reason: 'response is not an object' };
  const failures = (response as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null)
    return { kind: 'success', deleteIds: ids, failedIds: [] };
  if (!Array.isArray(failures))
    return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  const known = new Set(ids);
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !known.has(id)) {
      return { kind: 'failure', reason: `invalid itemIdentifier ${JSON.stringify(id)}` };
    }
    failed.add(id);
  }
  return {
    kind: 'success',
    deleteIds: ids.filter((id) => !failed.has(id)),
    failedIds: [...failed],
  };
}

/** Region from an ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
export function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}
