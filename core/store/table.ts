// THE table: keys, sparse GSIs and TTL, defined once. stacks/table.ts (SST) and
// the local stack (stacks/local/table.ts) both build from this, so the cloud and
// local tables cannot drift.
//
// Single table. Items are keyed by strings, e.g. `USER#<id>` / `ENV#<envId>`.
// Each GSI is sparse: an item appears in it only while it carries that GSI's
// key attributes, so the scheduled jobs read exactly what they need, no Scan.
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** Partition and sort key of the base table. */
export const PK = 'PK';
export const SK = 'SK';

/**
 * Running environments by last activity (the reaper): oldest activity first.
 * Written only while an environment runs, removed when it stops.
 */
export const GSI1 = { name: 'GSI1', pk: 'GSI1PK', sk: 'GSI1SK' } as const;
/** Live (not deleted) environments by shard (the reconciler walks shard by shard). */
export const GSI2 = { name: 'GSI2', pk: 'GSI2PK', sk: 'GSI2SK' } as const;
/** An environment by its id alone, without knowing its owner. */
export const GSI3 = { name: 'GSI3', pk: 'GSI3PK' } as const;
/**
 * Running environments by start (the reaper's maximum lifetime): oldest start
 * first, so an over-age environment is found however busy it is (GSI1 puts
 * the busiest last). Written once an environment is Running, removed when it
 * no longer runs. Items written before this index existed join it at their
 * next status write.
 */
export const GSI4 = { name: 'GSI4', pk: 'GSI4PK', sk: 'GSI4SK' } as const;

/** TTL attribute: epoch seconds. DynamoDB deletes late (and DynamoDB Local never), see ttl.ts. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** How many shards GSI2 spreads live environments over. Changing it needs a backfill. */
export const SHARD_COUNT = 8;

/** GSI1 keys of a running environment. ISO timestamps sort as strings; the id breaks ties. */
export function runningIndexKeys(lastActivityAt: Date | string, envId: string) {
  const at = typeof lastActivityAt === 'string' ? lastActivityAt : lastActivityAt.toISOString();
  return { [GSI1.pk]: 'RUNNING', [GSI1.sk]: `${at}#${envId}` };
}

/** GSI1 sort key bound: every running environment whose last activity is before `at`. */
export function runningIndexBefore(at: Date): string {
  return at.toISOString();
}

/** GSI4 keys of a Running environment: its startedAt, the id breaking ties. */
export function startedIndexKeys(startedAt: string, envId: string) {
  return { [GSI4.pk]: 'RUNNING', [GSI4.sk]: `${startedAt}#${envId}` };
}

/** GSI2 keys of a live environment. */
export function shardIndexKeys(envId: string, shards = SHARD_COUNT) {
  return { [GSI2.pk]: shardPartition(shardOf(envId, shards)), [GSI2.sk]: envId };
}

export function shardPartition(shard: number): string {
  return `SHARD#${shard}`;
}

/** Stable shard of an id (FNV-1a), so an environment keeps its shard for life. */
export function shardOf(envId: string, shards = SHARD_COUNT): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < envId.length; i++) {
    hash ^= envId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** GSI3 key of an environment. */
export function envIdIndexKeys(envId: string) {
  return { [GSI3.pk]: `ENV#${envId}` };
}

/** Everything CreateTable needs except the name (the stage decides it). */
export const tableDefinition: Omit<CreateTableCommandInput, 'TableName'> = {
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: PK, AttributeType: 'S' },
    { AttributeName: SK, AttributeType: 'S' },
    { AttributeName: GSI1.pk, AttributeType: 'S' },
    { AttributeName: GSI1.sk, AttributeType: 'S' },
    { AttributeName: GSI2.pk, AttributeType: 'S' },
    { AttributeName: GSI2.sk, AttributeType: 'S' },
    { AttributeName: GSI3.pk, AttributeType: 'S' },
    { AttributeName: GSI4.pk, AttributeType: 'S' },
    { AttributeName: GSI4.sk, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: PK, KeyType: 'HASH' },
    { AttributeName: SK, KeyType: 'RANGE' },
  ],
  // Projection ALL: each job reads the whole environment item from its index
  // instead of a second GetItem per row; the items are small.
  GlobalSecondaryIndexes: [
    {
      IndexName: GSI1.name,
      KeySchema: [
        { AttributeName: GSI1.pk, KeyType: 'HASH' },
        { AttributeName: GSI1.sk, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: GSI2.name,
      KeySchema: [
        { AttributeName: GSI2.pk, KeyType: 'HASH' },
        { AttributeName: GSI2.sk, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: GSI3.name,
      KeySchema: [{ AttributeName: GSI3.pk, KeyType: 'HASH' }],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: GSI4.name,
      KeySchema: [
        { AttributeName: GSI4.pk, KeyType: 'HASH' },
        { AttributeName: GSI4.sk, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
};

/** CreateTable input for one table name (a deep copy: callers may not mutate ours). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return { ...structuredClone(tableDefinition), TableName: tableName };
}
