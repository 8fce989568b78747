// Starts the local services shared by the whole test run once, on free ports,
// and stops them after: one DynamoDB Local, in memory. Every test file reaches
// it through inject('dynamoEndpoint') (see test/support/aws.ts) and isolates
// itself with its own table names, so files run in parallel. SQS (fauxqs) is
// in-process and cheap, so each file starts its own instead.
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../stacks/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal({ inMemory: true });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}
