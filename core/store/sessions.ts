// Refresh sessions: one item per session family at SESSION#<familyId>. Only
// the hash of the current refresh secret is kept, plus the previous one, to
// tell a replay of a rotated token (theft: revoke the family) from a forgery.
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { type DocumentClient, isConditionFailed } from './client.js';
import { expiresAtFrom, unlessExpired } from './ttl.js';

export const RefreshSession = z.object({
  familyId: z.string(),
  userId: z.string(),
  tokenHash: z.string(),
  previousHash: z.string().optional(),
  rotatedAt: z.string().optional(),
  createdAt: z.string(),
  /** Epoch seconds; also the TTL attribute. The family's absolute lifetime. */
  expiresAt: z.number(),
  revokedAt: z.string().optional(),
  /** The user's authVersion when the family began. */
  authVersion: z.number().int(),
});
export type RefreshSession = z.infer<typeof RefreshSession>;

const key = (familyId: string) => ({ PK: `SESSION#${familyId}`, SK: 'SESSION' });

export class SessionStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly table: string,
  ) {}

  async create(s: Omit<RefreshSession, 'expiresAt'> & { expiresAt: Date }): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...key(s.familyId), type: 'session', ...s, expiresAt: expiresAtFrom(s.expiresAt) },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async get(familyId: string, now: Date): Promise<RefreshSession | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key(familyId), ConsistentRead: true }),
    );
    const live = unlessExpired(Item, now);
    return live ? RefreshSession.parse(live) : undefined;
  }

  /**
   * Moves the family from `oldHash` to `newHash`. Returns false when another
   * request rotated or revoked it first (the caller re-reads to learn which).
   */
  async rotate(familyId: string, oldHash: string, newHash: string, now: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(familyId),
          UpdateExpression: 'SET tokenHash = :new, previousHash = :old, rotatedAt = :now',
          ConditionExpression:
            'tokenHash = :old AND attribute_not_exists(revokedAt) AND expiresAt > :nowSeconds',
          ExpressionAttributeValues: {
            ':new': newHash,
            ':old': oldHash,
            ':now': now.toISOString(),
            ':nowSeconds': Math.floor(now.getTime() / 1000),
          },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /** Idempotent: revoking a revoked or missing family is fine. */
  async revoke(familyId: string, now: Date): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(familyId),
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':now': now.toISOString() },
        }),
      )
      .catch((err) => {
        if (!isConditionFailed(err)) throw err;
      });
  }
}
