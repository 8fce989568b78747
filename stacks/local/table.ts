// Creates the single table locally from the shared definition (core/store/table.ts).
// In the cloud SST owns the table; here we do it at boot, idempotently.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, TTL_ATTRIBUTE, tableDefinition } from '../../core/store/table.js';

/**
 * Creates the table if it is missing, adds any GSI a persisted (older) local
 * table lacks, waits until the table and its indexes are ACTIVE, and enables TTL.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  let table = await describe(client, tableName);
  if (!table) {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (error) {
      // Another process created it between our describe and create: fine.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  table = await waitActive(client, tableName, timeoutMs);
  await addMissingIndexes(client, tableName, table, timeoutMs);
  await enableTtl(client, tableName);
}

async function describe(client: DynamoDBClient, tableName: string) {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function waitActive(
  client: DynamoDBClient,
  tableName: string,
  timeoutMs: number,
): Promise<TableDescription> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const table = await describe(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === 'ACTIVE',
    );
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return table;
    if (Date.now() > deadline) {
      throw new Error(
        `table ${tableName} not ACTIVE after ${timeoutMs} ms (${table?.TableStatus})`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

// A `-dbPath` database outlives code changes; a GSI added to the definition
// since it was created would otherwise fail every query on it.
async function addMissingIndexes(
  client: DynamoDBClient,
  tableName: string,
  table: TableDescription,
  timeoutMs: number,
): Promise<void> {
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of tableDefinition.GlobalSecondaryIndexes ?? []) {
    if (present.has(index.IndexName)) continue;
    const names = new Set(index.KeySchema?.map((key) => key.AttributeName));
    // DynamoDB accepts one new GSI per UpdateTable.
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: tableDefinition.AttributeDefinitions?.filter((attribute) =>
          names.has(attribute.AttributeName),
        ),
        GlobalSecondaryIndexUpdates: [{ Create: structuredClone(index) }],
      }),
    );
    await waitActive(client, tableName, timeoutMs);
  }
}

async function enableTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  const out = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const ttl = out.TimeToLiveDescription;
  if (ttl?.AttributeName === TTL_ATTRIBUTE && ttl.TimeToLiveStatus === 'ENABLED') return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (error) {
    // A concurrent ensureTable enabled it first.
    if (!/already enabled/i.test(String((error as Error).message))) throw error;
  }
}
