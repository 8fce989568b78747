// Fixed-window counters in the table (RATE#<key>#<window>), shared by every
// Lambda instance — an in-memory limiter would reset with each cold start and
// multiply by the number of instances. Windows expire through TTL (and on read).
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from './client.js';
import { expiresAtFrom } from './ttl.js';

export interface Window {
  limit: number;
  seconds: number;
}

export interface RateDecision {
  allowed: boolean;
  count: number;
  retryAfterSeconds: number;
}

export class RateLimits {
  constructor(
    private readonly doc: DocumentClient,
    private readonly table: string,
  ) {}

  private key(name: string, window: Window, now: Date) {
    const start = Math.floor(now.getTime() / 1000 / window.seconds) * window.seconds;
    return { key: { PK: `RATE#${name}#${start}`, SK: 'RATE' }, end: start + window.seconds };
  }

  private decide(count: number, window: Window, end: number, now: Date): RateDecision {
    return {
      allowed: count <= window.limit,
      count,
      retryAfterSeconds: Math.max(1, end - Math.floor(now.getTime() / 1000)),
    };
  }

  /** Counts one event and says whether it is within the limit. */
  async hit(name: string, window: Window, now: Date): Promise<RateDecision> {
    const { key, end } = this.key(name, window, now);
    const { Attributes } = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :ttl)',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':ttl': expiresAtFrom(new Date(end * 1000)) },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return this.decide(Number(Attributes?.count ?? 1), window, end, now);
  }

  /** Whether the window still has room, without counting. */
  async peek(name: string, window: Window, now: Date): Promise<RateDecision> {
    const { key, end } = this.key(name, window, now);
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
    );
    const count = Number(Item?.count ?? 0);
    return { ...this.decide(count, window, end, now), allowed: count < window.limit };
  }

  async clear(name: string, window: Window, now: Date): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: this.key(name, window, now).key }),
    );
  }
}
