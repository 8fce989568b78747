// Users in the single table. The profile lives at USER#<id>/PROFILE; a second
// item EMAIL#<email>/EMAIL reserves the email, written in the same transaction,
// so two sign-ups with one email can never both succeed.
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { Role } from '../auth/access-token.js';
import { DomainError } from '../errors.js';
import { cancellationReasons, type DocumentClient, isConditionFailed } from './client.js';

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

  /** Best effort and unconditional: last-seen is informational. */
  async touch(id: string, at: Date): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: profileKey(id),
          UpdateExpression: 'SET lastSeenAt = :at',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      )
      .catch((err) => {
        if (!isConditionFailed(err)) throw err;
      });
  }
}
