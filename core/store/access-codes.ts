// One-time codes of Open: CODE#<sha256 of the code> / CODE, bound to one
// environment and one user, alive for seconds. Only the hash is stored, so a
// read of the table reveals no usable code.
//
// Redeeming is a conditional delete:
//   put ──────────── redeem (delete: exists, same env, not expired) ──▶ user id
//                    └─ replay: the item is gone → condition fails → nothing
// DynamoDB deletes expired items late (Local never), so the condition checks
// `expiresAt` itself: an expired code fails like a missing one.
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type DocumentClient, isConditionFailed } from './client.js';
import { TTL_ATTRIBUTE } from './table.js';
import { expiresAtFrom } from './ttl.js';

export interface AccessCode {
  codeHash: string;
  envId: string;
  userId: string;
  /** The environment's owner, so the cookie minted from the code needs no read. */
  ownerId: string;
  expiresAt: Date;
}

export interface RedeemedCode {
  userId: string;
  ownerId: string;
}

const key = (codeHash: string) => ({ PK: `CODE#${codeHash}`, SK: 'CODE' });

export class AccessCodeStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly table: string,
  ) {}

  async put(code: AccessCode): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...key(code.codeHash),
          type: 'access-code',
          envId: code.envId,
          userId: code.userId,
          ownerId: code.ownerId,
          [TTL_ATTRIBUTE]: expiresAtFrom(code.expiresAt),
          // Milliseconds, for the redeem condition: TTL's seconds are too coarse for a 30 s code.
          expiresAtMs: code.expiresAt.getTime(),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  /**
   * Deletes the code if it exists, belongs to `envId` and has not expired;
   * answers whom it was minted for, or undefined (unknown, replayed,
   * expired or for another environment — the caller need not know which).
   */
  async redeem(codeHash: string, envId: string, now: Date): Promise<RedeemedCode | undefined> {
    try {
      const { Attributes } = await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: key(codeHash),
          ConditionExpression: 'attribute_exists(PK) AND envId = :env AND expiresAtMs > :now',
          ExpressionAttributeValues: { ':env': envId, ':now': now.getTime() },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const { userId, ownerId } = Attributes ?? {};
      return typeof userId === 'string' && typeof ownerId === 'string'
        ? { userId, ownerId }
        : undefined;
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }
}
