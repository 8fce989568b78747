// Every live environment of the installation, for administrators: read from
// GSI2 (live environments by shard, the reconciler's index) shard by shard —
// a Query per shard, never a Scan. Filters are FilterExpressions on the
// projected item; a page may come back short with a cursor.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Environment, type Phase } from '../environment/model.js';
import { ValidationFailed } from '../errors.js';
import type { DocumentClient } from './client.js';
import { GSI2, SHARD_COUNT, shardPartition } from './table.js';

export interface FleetFilter {
  phase?: Phase;
  ownerId?: string;
  templateId?: string;
}

export class InvalidFleetCursor extends ValidationFailed {
  constructor() {
    super([{ field: 'cursor', message: 'is not a cursor this list produced' }]);
  }
}

export class FleetStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly table: string,
    private readonly shards = SHARD_COUNT,
  ) {}

  async page(opts: {
    limit: number;
    cursor?: string;
    filter?: FleetFilter;
  }): Promise<{ items: Environment[]; nextCursor: string | null }> {
    let { shard, start } = opts.cursor
      ? this.decodeCursor(opts.cursor)
      : { shard: 0, start: undefined as Record<string, unknown> | undefined };
    const items: Environment[] = [];
    const filter = filterExpression(opts.filter ?? {});
    while (shard < this.shards) {
      const { Items = [], LastEvaluatedKey } = await this.query(shard, filter, {
        limit: opts.limit - items.length,
        start,
      });
      items.push(...Items.map((i) => Environment.parse(i)));
      start = LastEvaluatedKey;
      if (!start) shard++;
      if (items.length >= opts.limit) break;
    }
    return { items, nextCursor: shard < this.shards ? encodeCursor(shard, start) : null };
  }

  /** Every live environment matching the filter (the overview and the in-use check). */
  async all(filter: FleetFilter = {}): Promise<Environment[]> {
    const items: Environment[] = [];
    const expression = filterExpression(filter);
    for (let shard = 0; shard < this.shards; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.query(shard, expression, { start });
        items.push(...(page.Items ?? []).map((i) => Environment.parse(i)));
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return items;
  }

  private query(
    shard: number,
    filter: ReturnType<typeof filterExpression>,
    page: { limit?: number; start?: Record<string, unknown> },
  ) {
    return this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI2.name,
        KeyConditionExpression: '#gpk = :gpk',
        ExpressionAttributeNames: { '#gpk': GSI2.pk, ...filter.names },
        ExpressionAttributeValues: { ':gpk': shardPartition(shard), ...filter.values },
        ...(filter.expression ? { FilterExpression: filter.expression } : {}),
        ...(page.limit ? { Limit: page.limit } : {}),
        ...(page.start ? { ExclusiveStartKey: page.start } : {}),
      }),
    );
  }

  private decodeCursor(cursor: string): { shard: number; start?: Record<string, unknown> } {
    try {
      const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
      const shard = parsed?.s;
      if (Number.isInteger(shard) && shard >= 0 && shard < this.shards) {
        const k = parsed.k;
        if (k === undefined) return { shard };
        const fields = ['PK', 'SK', GSI2.pk, GSI2.sk];
        if (
          k?.[GSI2.pk] === shardPartition(shard) &&
          Object.keys(k).length === fields.length &&
          fields.every((f) => typeof k[f] === 'string')
        )
          return { shard, start: k };
      }
    } catch {}
    throw new InvalidFleetCursor();
  }
}

function filterExpression(filter: FleetFilter) {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, string> = {};
  if (filter.phase) {
    Object.assign(names, { '#status': 'status', '#phase': 'phase' });
    values[':phase'] = filter.phase;
    parts.push('#status.#phase = :phase');
  }
  if (filter.ownerId) {
    names['#owner'] = 'ownerId';
    values[':owner'] = filter.ownerId;
    parts.push('#owner = :owner');
  }
  if (filter.templateId) {
    Object.assign(names, { '#spec': 'spec', '#template': 'templateId' });
    values[':template'] = filter.templateId;
    parts.push('#spec.#template = :template');
  }
  return { expression: parts.join(' AND '), names, values };
}

function encodeCursor(shard: number, start: Record<string, unknown> | undefined) {
  return Buffer.from(JSON.stringify({ s: shard, ...(start ? { k: start } : {}) })).toString(
    'base64url',
  );
}
