// Helpers for test files that talk to the local AWS services.
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { LOCAL_AWS } from '../../stacks/local/dynamodb-local.js';
import { type SqsLocal, startSqsLocal } from '../../stacks/local/sqs-local.js';

/** Clients on the run's shared DynamoDB Local (-sharedDb: every file sees one database). */
export function dynamoClients() {
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: inject('dynamoEndpoint') });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { client, doc };
}

/** A name no other test file uses, valid for tables and queues: `<prefix>-<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** A fauxqs of this file's own, with a client on it. Call stop() in afterAll. */
export async function startTestSqs(): Promise<SqsLocal & { sqs: SQSClient }> {
  const local = await startSqsLocal();
  const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: local.endpoint });
  return {
    ...local,
    sqs,
    async stop() {
      sqs.destroy();
      await local.stop();
    },
  };
}
