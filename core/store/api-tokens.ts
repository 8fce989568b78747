// Personal API tokens. The secret's hash is the key (TOKEN#<sha256>), so a
// bearer request is one GetItem; a second item under the user
// (USER#<id>/TOKEN#<tokenId>) lists them. Both are written and deleted together.
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { NotFound } from '../errors.js';
import { cancellationReasons, type DocumentClient } from './client.js';
import { expiresAtFrom } from './ttl.js';

export const Scope = z.enum(['environments:read', 'environments:write', 'admin']);
export type Scope = z.infer<typeof Scope>;

export const ApiToken = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  scopes: z.array(Scope),
  createdAt: z.string(),
  /** ISO time; the token stops working then. */
  expiresAt: z.string(),
  lastUsedAt: z.string().optional(),
  tokenHash: z.string(),
});
export type ApiToken = z.infer<typeof ApiToken>;

const secretKey = (hash: string) => ({ PK: `TOKEN#${hash}`, SK: 'TOKEN' });
const listKey = (userId: string, id: string) => ({ PK: `USER#${userId}`, SK: `TOKEN#${id}` });

export class ApiTokenStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly table: string,
  ) {}

  async create(token: ApiToken): Promise<void> {
    const item = toItem(token);
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: { ...secretKey(token.tokenHash), type: 'api-token', ...item },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: { ...listKey(token.userId, token.id), type: 'api-token-ref', ...item },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ],
      }),
    );
  }

  /** The live token with this secret hash, or undefined (missing or expired). */
  async findBySecretHash(hash: string, now: Date): Promise<ApiToken | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: secretKey(hash) }),
    );
    if (!Item) return undefined;
    const token = fromItem(Item);
    return new Date(token.expiresAt) > now ? token : undefined;
  }

  async list(userId: string): Promise<ApiToken[]> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':prefix': 'TOKEN#' },
      }),
    );
    return Items.map(fromItem);
  }

  async revoke(userId: string, id: string): Promise<void> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: listKey(userId, id), ConsistentRead: true }),
    );
    if (!Item) throw new NotFound('The token');
    const token = fromItem(Item);
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.table, Key: secretKey(token.tokenHash) } },
            {
              Delete: {
                TableName: this.table,
                Key: listKey(userId, id),
                ConditionExpression: 'attribute_exists(PK)',
              },
            },
          ],
        }),
      );
    } catch (err) {
      if (cancellationReasons(err)?.[1] === 'ConditionalCheckFailed')
        throw new NotFound('The token');
      throw err;
    }
  }

  /** Informational and throttled by the caller; never fails a request. */
  async touch(hash: string, userId: string, id: string, at: Date): Promise<void> {
    const iso = at.toISOString();
    await Promise.allSettled(
      [secretKey(hash), listKey(userId, id)].map((Key) =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key,
            UpdateExpression: 'SET lastUsedAt = :at',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':at': iso },
          }),
        ),
      ),
    );
  }
}

// In the table, expiresAt is the TTL attribute (epoch seconds); the domain speaks ISO.
function toItem(token: ApiToken) {
  return { ...token, expiresAt: expiresAtFrom(new Date(token.expiresAt)) };
}

function fromItem(item: Record<string, unknown>): ApiToken {
  return ApiToken.parse({
    ...item,
    expiresAt: new Date(Number(item.expiresAt) * 1000).toISOString(),
  });
}
