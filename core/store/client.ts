// The DynamoDB document client, built once per process from configuration.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.js';

export function createDocumentClient(config: Pick<Config, 'region' | 'dynamodbEndpoint'>) {
  const client = new DynamoDBClient({
    region: config.region,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export type DocumentClient = DynamoDBDocumentClient;

/** True for the SDK's conditional-check failure, which never leaves core/store. */
export function isConditionFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

/** Reasons of a cancelled transaction, one per item, in order ('None' for items that passed). */
export function cancellationReasons(err: unknown): string[] | undefined {
  if (!(err instanceof Error) || err.name !== 'TransactionCanceledException') return undefined;
  const reasons = (err as Error & { CancellationReasons?: Array<{ Code?: string }> })
    .CancellationReasons;
  return reasons?.map((r) => r.Code ?? 'None');
}
