// Users in the single table. The profile lives at USER#<id>/PROFILE; a second
// item EMAIL#<email>/EMAIL reserves the email, written in the same transaction,
// so two sign-ups with one email can never both succeed.
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { Role } from '../auth/access-token.js';
import { DomainError, ValidationFailed } from '../errors.js';
import { cancellationReasons, type DocumentClient, isConditionFailed } from './client.js';
import { GSI2 } from './table.js';

export const User = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  tier: z.string(),
  disabled: z.boolean(),
  createdAt: z.string(),
  lastSeenAt: z.string().optional(),
  /** scrypt hash; absent for users who only sign in through OIDC. */
  passwordHash: z.string().optional(),
  /** A one-time password was set (bootstrap admin, admin-created account): change it before anything else. */
  mustChangePassword: z.boolean().optional(),
  /** Bumped on disable, role change and password change: refresh sessions minted before it stop working. */
  authVersion: z.number().int(),
});
export type User = z.infer<typeof User>;

export class EmailTaken extends DomainError {
  constructor(email: string) {
    super(
      'email-taken',
      'Email already in use',
      409,
      `An account with the email ${email} already exists.`,
    );
  }
}

export class UserChanged extends DomainError {
  constructor() {
    super(
      'user-changed',
      'User changed',
      409,
      'The user was changed by someone else; reload and try again.',
    );
  }
}

/** Emails compare case-insensitively; the stored form is trimmed and lowercased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const profileKey = (id: string) => ({ PK: `USER#${id}`, SK: 'PROFILE' });
const emailKey = (email: string) => ({ PK: `EMAIL#${normalizeEmail(email)}`, SK: 'EMAIL' });

// The user directory rides on GSI2 (whose environment partitions are SHARD#n):
// every profile sits in the USERS partition sorted by email, so listing and
// searching by email prefix are one Query, never a Scan.
const DIRECTORY = 'USERS';
const directoryKeys = (email: string) => ({
  [GSI2.pk]: DIRECTORY,
  [GSI2.sk]: normalizeEmail(email),
});

export class InvalidUserCursor extends ValidationFailed {
  constructor() {
    super([{ field: 'cursor', message: 'is not a cursor this list produced' }]);
  }
}

export class UserStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly table: string,
  ) {}

  async create(user: User): Promise<void> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: {
                  ...profileKey(user.id),
                  ...directoryKeys(user.email),
                  type: 'user',
                  ...user,
                  email: normalizeEmail(user.email),
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: { ...emailKey(user.email), type: 'email', userId: user.id },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          ],
        }),
      );
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (reasons?.[1] === 'ConditionalCheckFailed') throw new EmailTaken(user.email);
      throw err;
    }
  }

  async get(id: string): Promise<User | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: profileKey(id), ConsistentRead: true }),
    );
    return Item ? User.parse(Item) : undefined;
  }

  async getByEmail(email: string): Promise<User | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: emailKey(email), ConsistentRead: true }),
    );
    return Item ? this.get(String(Item.userId)) : undefined;
  }

  /**
   * Users by email (optionally those whose email starts with `emailPrefix`),
   * a page at a time. Read from the index: a user created a moment ago may
   * show up a moment later.
   */
  async list(opts: {
    limit: number;
    cursor?: string;
    emailPrefix?: string;
  }): Promise<{ items: User[]; nextCursor: string | null }> {
    const prefix = opts.emailPrefix ? normalizeEmail(opts.emailPrefix) : undefined;
    const { Items = [], LastEvaluatedKey } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI2.name,
        KeyConditionExpression: prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
        ExpressionAttributeNames: { '#pk': GSI2.pk, ...(prefix ? { '#sk': GSI2.sk } : {}) },
        ExpressionAttributeValues: { ':pk': DIRECTORY, ...(prefix ? { ':prefix': prefix } : {}) },
        Limit: opts.limit,
        ...(opts.cursor ? { ExclusiveStartKey: decodeUserCursor(opts.cursor) } : {}),
      }),
    );
    return {
      items: Items.map((i) => User.parse(i)),
      nextCursor: LastEvaluatedKey
        ? Buffer.from(JSON.stringify(LastEvaluatedKey)).toString('base64url')
        : null,
    };
  }

  /**
   * Applies `changes` only if the user's authVersion is still `expectedAuthVersion`
   * (read-then-write race: a concurrent disable must not be overwritten).
   * `bumpAuthVersion` invalidates every refresh session of the user.
   */
  async update(
    id: string,
    expectedAuthVersion: number,
    changes: Partial<
      Pick<User, 'name' | 'role' | 'tier' | 'disabled' | 'passwordHash' | 'mustChangePassword'>
    >,
    opts: { bumpAuthVersion?: boolean } = {},
  ): Promise<void> {
    const names: Record<string, string> = { '#v': 'authVersion' };
    const values: Record<string, unknown> = { ':expected': expectedAuthVersion };
    const sets: string[] = [];
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (opts.bumpAuthVersion) {
      values[':one'] = 1;
      sets.push('#v = #v + :one');
    }
    if (sets.length === 0) return;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: profileKey(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(PK) AND #v = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) throw new UserChanged();
      throw err;
    }
  }

  /**
   * Best effort and unconditional: last-seen is informational. It also puts
   * a profile written before the directory existed into it (its email copied
   * into the index key), so every user who signs in is listed.
   */
  async touch(id: string, at: Date): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: profileKey(id),
          UpdateExpression: 'SET lastSeenAt = :at, #dpk = :directory, #dsk = email',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#dpk': GSI2.pk, '#dsk': GSI2.sk },
          ExpressionAttributeValues: { ':at': at.toISOString(), ':directory': DIRECTORY },
        }),
      )
      .catch((err) => {
        if (!isConditionFailed(err)) throw err;
      });
  }
}

/** A cursor is the index's LastEvaluatedKey; anything else a client makes up is refused. */
function decodeUserCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    const fields = ['PK', 'SK', GSI2.pk, GSI2.sk];
    if (
      key?.[GSI2.pk] === DIRECTORY &&
      Object.keys(key).length === fields.length &&
      fields.every((f) => typeof key[f] === 'string')
    )
      return key;
  } catch {}
  throw new InvalidUserCursor();
}
