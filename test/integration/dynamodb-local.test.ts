// DynamoDB Local is the real engine (transactions, conditions, sparse GSIs), and
// ensureTable builds the one table definition the cloud uses too.
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  envIdIndexKeys,
  GSI1,
  GSI2,
  GSI3,
  GSI4,
  runningIndexBefore,
  runningIndexKeys,
  shardIndexKeys,
  shardOf,
  shardPartition,
  TTL_ATTRIBUTE,
} from '../../core/store/table.js';
import { expiresAtFrom, unlessExpired } from '../../core/store/ttl.js';
import { ensureTable } from '../../stacks/local/table.js';
import { dynamoClients, uniqueName } from '../support/aws.js';

const { client, doc } = dynamoClients();
const TableName = uniqueName('table');

beforeAll(async () => {
  await ensureTable(client, TableName);
});

afterAll(() => {
  client.destroy();
});

describe('ensureTable', () => {
  it('creates the table with its keys, the four sparse GSIs and TTL on expiresAt', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    const indexes = Object.fromEntries(
      (Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.KeySchema]),
    );
    expect(indexes).toEqual({
      [GSI1.name]: [
        { AttributeName: GSI1.pk, KeyType: 'HASH' },
        { AttributeName: GSI1.sk, KeyType: 'RANGE' },
      ],
      [GSI2.name]: [
        { AttributeName: GSI2.pk, KeyType: 'HASH' },
        { AttributeName: GSI2.sk, KeyType: 'RANGE' },
      ],
      [GSI3.name]: [{ AttributeName: GSI3.pk, KeyType: 'HASH' }],
      [GSI4.name]: [
        { AttributeName: GSI4.pk, KeyType: 'HASH' },
        { AttributeName: GSI4.sk, KeyType: 'RANGE' },
      ],
    });
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');

    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: TTL_ATTRIBUTE,
      TimeToLiveStatus: 'ENABLED',
    });
  });

  it('is idempotent, also when two callers race', async () => {
    await Promise.all([ensureTable(client, TableName), ensureTable(client, TableName)]);
    const other = uniqueName('table');
    await Promise.all([ensureTable(client, other), ensureTable(client, other)]);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: other }));
    expect(Table?.GlobalSecondaryIndexes).toHaveLength(4);
  });
});

describe('TransactWriteItems', () => {
  it('rejects the whole transaction when one condition fails, writing nothing', async () => {
    // Prepare: a quota counter already at its limit of 1.
    const user = `USER#${uniqueName('u')}`;
    await doc.send(new PutCommand({ TableName, Item: { PK: user, SK: 'COUNTER', running: 1 } }));

    // Act: create an environment and take a slot, in one transaction.
    const attempt = doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName,
              Item: { PK: user, SK: 'ENV#e1', desiredState: 'running' },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Update: {
              TableName,
              Key: { PK: user, SK: 'COUNTER' },
              UpdateExpression: 'SET running = running + :one',
              ConditionExpression: 'running < :limit',
              ExpressionAttributeValues: { ':one': 1, ':limit': 1 },
            },
          },
        ],
      }),
    );

    // Assess: cancelled as a whole, with the reason per item…
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    const reasons = (error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code);
    expect(reasons).toEqual(['None', 'ConditionalCheckFailed']);
    // …and the Put whose own condition held was not applied either.
    const env = await doc.send(new GetCommand({ TableName, Key: { PK: user, SK: 'ENV#e1' } }));
    expect(env.Item).toBeUndefined();
    const counter = await doc.send(new GetCommand({ TableName, Key: { PK: user, SK: 'COUNTER' } }));
    expect(counter.Item?.running).toBe(1);
  });
});

describe('sparse GSIs', () => {
  it('a query sees only the items that carry that index keys', async () => {
    const ids = [uniqueName('env'), uniqueName('env'), uniqueName('env')];
    const [running, stopped, alsoRunning] = ids as [string, string, string];
    const item = (envId: string, extra: Record<string, unknown>) => ({
      PK: `USER#${uniqueName('u')}`,
      SK: `ENV#${envId}`,
      envId,
      ...envIdIndexKeys(envId),
      ...shardIndexKeys(envId),
      ...extra,
    });
    // The running ones carry GSI1 keys; the stopped one does not.
    const old = new Date('2020-01-01T00:00:00Z');
    const recent = new Date('2020-01-01T01:00:00Z');
    await doc.send(
      new PutCommand({ TableName, Item: item(running, runningIndexKeys(recent, running)) }),
    );
    await doc.send(new PutCommand({ TableName, Item: item(stopped, {}) }));
    await doc.send(
      new PutCommand({ TableName, Item: item(alsoRunning, runningIndexKeys(old, alsoRunning)) }),
    );

    // GSI1, queried as the reaper does ("idle since before…"): only the running
    // ones, least recent activity first.
    const idle = await doc.send(
      new QueryCommand({
        TableName,
        IndexName: GSI1.name,
        KeyConditionExpression: '#pk = :running AND #sk < :before',
        ExpressionAttributeNames: { '#pk': GSI1.pk, '#sk': GSI1.sk },
        ExpressionAttributeValues: {
          ':running': 'RUNNING',
          ':before': runningIndexBefore(new Date('2021-01-01T00:00:00Z')),
        },
      }),
    );
    expect(idle.Items?.map((i) => i.envId)).toEqual([alsoRunning, running]);

    // GSI2: the stopped one is still live, in its shard.
    const shard = await doc.send(
      new QueryCommand({
        TableName,
        IndexName: GSI2.name,
        KeyConditionExpression: '#pk = :shard AND #sk = :id',
        ExpressionAttributeNames: { '#pk': GSI2.pk, '#sk': GSI2.sk },
        ExpressionAttributeValues: { ':shard': shardPartition(shardOf(stopped)), ':id': stopped },
      }),
    );
    expect(shard.Items?.map((i) => i.envId)).toEqual([stopped]);

    // GSI3: by id alone.
    const byId = await doc.send(
      new QueryCommand({
        TableName,
        IndexName: GSI3.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': GSI3.pk },
        ExpressionAttributeValues: { ':pk': envIdIndexKeys(running)[GSI3.pk] },
      }),
    );
    expect(byId.Items?.map((i) => i.envId)).toEqual([running]);
  });
});

describe('TTL', () => {
  it('DynamoDB Local keeps expired items, so readers must drop them', async () => {
    const now = new Date();
    const Key = { PK: `AUDIT#${uniqueName('a')}`, SK: 'EVENT' };
    await doc.send(
      new PutCommand({
        TableName,
        Item: { ...Key, [TTL_ATTRIBUTE]: expiresAtFrom(new Date(now.getTime() - 60_000)) },
      }),
    );

    const { Item } = await doc.send(new GetCommand({ TableName, Key }));
    expect(Item).toBeDefined(); // still there: never deleted locally
    expect(unlessExpired(Item, now)).toBeUndefined();
  });
});
