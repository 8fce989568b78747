// OIDC sign-in state: the in-flight transactions (OIDCTX#<state>, one use,
// ten minutes) and the link from an issuer's subject to our user
// (IDENTITY#<issuer>#<sub>), so a changed email at the provider never moves
// an account, and two users with one email can never merge.
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { type DocumentClient, isConditionFailed } from './client.js';
import { expiresAtFrom, unlessExpired } from './ttl.js';

export const OidcTransaction = z.object({
  state: z.string(),
  nonce: z.string(),
  codeVerifier: z.string(),
  returnTo: z.string(),
  expiresAt: z.number(),
});
export type OidcTransaction = z.infer<typeof OidcTransaction>;

const txKey = (state: string) => ({ PK: `OIDCTX#${state}`, SK: 'OIDCTX' });
const identityKey = (issuer: string, sub: string) => ({
  PK: `IDENTITY#${issuer}#${sub}`,
  SK: 'IDENTITY',
});

export class OidcStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly table: string,
  ) {}

  async saveTransaction(tx: Omit<OidcTransaction, 'expiresAt'>, expiresAt: Date): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...txKey(tx.state),
          type: 'oidc-transaction',
          ...tx,
          expiresAt: expiresAtFrom(expiresAt),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  /** Deletes and returns the transaction: a callback can use it once, never twice. */
  async takeTransaction(state: string, now: Date): Promise<OidcTransaction | undefined> {
    try {
      const { Attributes } = await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: txKey(state),
          ConditionExpression: 'attribute_exists(PK)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      const live = unlessExpired(Attributes, now);
      return live ? OidcTransaction.parse(live) : undefined;
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  async findIdentity(issuer: string, sub: string): Promise<string | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: identityKey(issuer, sub),
        ConsistentRead: true,
      }),
    );
    return Item ? String(Item.userId) : undefined;
  }

  /** Links the subject to the user; an existing link to someone else wins (and is returned). */
  async linkIdentity(issuer: string, sub: string, userId: string): Promise<string> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...identityKey(issuer, sub), type: 'identity', issuer, sub, userId },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return userId;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      return (await this.findIdentity(issuer, sub)) ?? userId;
    }
  }
}
