// Environments in the single table, at USER#<owner>/ENV#<envId>, with the
// quota counters beside them (USER#<owner>/COUNTERS, COUNTERS/GLOBAL).
//
// Every change of desired state is one TransactWriteItems:
//   the environment, conditional on the generation the caller read
//   + the owner's counters, conditional on staying within the tier's limits
//   + the global running counter, conditional on the installation's limit
// so 100 parallel creates can never exceed a limit, and two racing changes
// can never both apply. Counters count intents: `running` = desired running,
// `total` = not deleted.
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type DesiredState, Environment, type Status } from '../environment/model.js';
import { LimitReached } from '../environment/policies.js';
import { DomainError, ValidationFailed } from '../errors.js';
import { cancellationReasons, type DocumentClient, isConditionFailed } from './client.js';
import { envIdIndexKeys, GSI1, GSI2, GSI3, runningIndexKeys, shardIndexKeys } from './table.js';
import { expiresAtFrom, unlessExpired } from './ttl.js';

type Item = TransactWriteCommandInput['TransactItems'] extends Array<infer T> | undefined
  ? T
  : never;

export interface Limits {
  maxRunning: number;
  maxTotal: number;
  maxRunningGlobal: number;
}

export class EnvironmentChanged extends DomainError {
  constructor() {
    super(
      'environment-changed',
      'Environment changed',
      409,
      'The environment changed while this request ran; reload it and try again.',
    );
  }
}

export class IdempotencyKeyReused extends DomainError {
  constructor() {
    super(
      'idempotency-key-reused',
      'Idempotency key reused',
      422,
      'This Idempotency-Key was already used for a different request.',
    );
  }
}

export class InvalidCursor extends ValidationFailed {
  constructor() {
    super([{ field: 'cursor', message: 'is not a cursor this list produced' }]);
  }
}

const envKey = (ownerId: string, envId: string) => ({ PK: `USER#${ownerId}`, SK: `ENV#${envId}` });
const counterKey = (ownerId: string) => ({ PK: `USER#${ownerId}`, SK: 'COUNTERS' });
const GLOBAL_COUNTERS = { PK: 'COUNTERS', SK: 'GLOBAL' };
const idempotencyKey = (ownerId: string, key: string) => ({
  PK: `USER#${ownerId}`,
  SK: `IDEMPOTENCY#${key}`,
});
const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/** What each desired state counts as. */
const counts = (s: DesiredState) => ({
  running: s === 'running' ? 1 : 0,
  total: s === 'deleted' ? 0 : 1,
});

/** Index keys an environment item carries in a given state (the indexes are sparse). */
function indexKeys(env: Environment): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = { ...envIdIndexKeys(env.id) };
  const remove: string[] = [];
  if (env.desiredState === 'running')
    Object.assign(set, runningIndexKeys(env.status.lastActivityAt ?? env.updatedAt, env.id));
  else remove.push(GSI1.pk, GSI1.sk);
  // The reconciler walks live environments; one that is gone with nothing left to purge drops out.
  const finished =
    env.desiredState === 'deleted' && env.status.phase === 'Deleted' && !env.dataDeletion;
  if (finished) remove.push(GSI2.pk, GSI2.sk);
  else Object.assign(set, shardIndexKeys(env.id));
  return { set, remove };
}

function toItem(env: Environment) {
  return { ...envKey(env.ownerId, env.id), type: 'environment', ...env, ...indexKeys(env).set };
}

function fromItem(item: Record<string, unknown>): Environment {
  return Environment.parse(item);
}

function encodeCursor(key: Record<string, unknown>) {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string, ownerId: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (
      key?.PK === `USER#${ownerId}` &&
      typeof key.SK === 'string' &&
      key.SK.startsWith('ENV#') &&
      Object.keys(key).length === 2
    )
      return key;
  } catch {}
  throw new InvalidCursor();
}

export class EnvironmentStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly table: string,
  ) {}

  async get(ownerId: string, envId: string): Promise<Environment | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: envKey(ownerId, envId), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  /** By id alone, through the id index (eventually consistent: a just-created one may be missing for a moment). */
  async findById(envId: string): Promise<Environment | undefined> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI3.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': GSI3.pk },
        ExpressionAttributeValues: { ':pk': envIdIndexKeys(envId)[GSI3.pk] },
      }),
    );
    return Items[0] ? fromItem(Items[0]) : undefined;
  }

  async listByOwner(
    ownerId: string,
    opts: { limit: number; cursor?: string },
  ): Promise<{ items: Environment[]; nextCursor: string | null }> {
    const { Items = [], LastEvaluatedKey } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :env)',
        ExpressionAttributeValues: { ':pk': `USER#${ownerId}`, ':env': 'ENV#' },
        Limit: opts.limit,
        ...(opts.cursor ? { ExclusiveStartKey: decodeCursor(opts.cursor, ownerId) } : {}),
        ConsistentRead: true,
      }),
    );
    return {
      items: Items.map(fromItem),
      nextCursor: LastEvaluatedKey
        ? encodeCursor({ PK: LastEvaluatedKey.PK, SK: LastEvaluatedKey.SK })
        : null,
    };
  }

  async usage(ownerId: string): Promise<{ running: number; total: number; globalRunning: number }> {
    const [mine, global] = await Promise.all([
      this.doc.send(
        new GetCommand({ TableName: this.table, Key: counterKey(ownerId), ConsistentRead: true }),
      ),
      this.doc.send(
        new GetCommand({ TableName: this.table, Key: GLOBAL_COUNTERS, ConsistentRead: true }),
      ),
    ]);
    return {
      running: Number(mine.Item?.running ?? 0),
      total: Number(mine.Item?.total ?? 0),
      globalRunning: Number(global.Item?.running ?? 0),
    };
  }

  /**
   * Stores a new environment and counts it, within the limits. With an
   * idempotency key, a retry of the same request answers the environment the
   * first one created; the same key with another request is refused.
   */
  async create(
    env: Environment,
    limits: Limits,
    idempotency?: { key: string; requestHash: string; now: Date },
  ): Promise<{ env: Environment; replayed: boolean }> {
    const items: Item[] = [
      {
        Put: {
          TableName: this.table,
          Item: toItem(env),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      ...this.counterUpdates(env.ownerId, counts('deleted'), counts(env.desiredState), limits),
    ];
    if (idempotency) {
      items.push({
        Put: {
          TableName: this.table,
          Item: {
            ...idempotencyKey(env.ownerId, idempotency.key),
            type: 'idempotency',
            envId: env.id,
            requestHash: idempotency.requestHash,
            expiresAt: expiresAtFrom(new Date(idempotency.now.getTime() + IDEMPOTENCY_TTL_MS)),
          },
          // An expired key may be reused: DynamoDB Local never deletes it, the cloud deletes late.
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': Math.floor(idempotency.now.getTime() / 1000) },
        },
      });
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return { env, replayed: false };
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (!reasons) throw err;
      if (idempotency && reasons[items.length - 1] === 'ConditionalCheckFailed') {
        const previous = await this.replay(env.ownerId, idempotency);
        if (previous) return { env: previous, replayed: true };
      }
      throw (await this.limitError(env.ownerId, items, reasons, limits)) ?? err;
    }
  }

  private async replay(
    ownerId: string,
    idempotency: { key: string; requestHash: string; now: Date },
  ) {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: idempotencyKey(ownerId, idempotency.key),
        ConsistentRead: true,
      }),
    );
    const live = unlessExpired(Item, idempotency.now);
    if (!live) return undefined;
    if (live.requestHash !== idempotency.requestHash) throw new IdempotencyKeyReused();
    return this.get(ownerId, String(live.envId));
  }

  /**
   * Moves `current` (as the caller read it) to `next`: generation + 1 and the
   * counters in one transaction. Throws LimitReached or EnvironmentChanged.
   */
  async changeDesired(
    current: Environment,
    next: Pick<Environment, 'desiredState' | 'dataDeletion' | 'status'>,
    limits: Limits,
    now: Date,
  ): Promise<Environment> {
    const updated: Environment = {
      ...current,
      ...next,
      generation: current.generation + 1,
      updatedAt: now.toISOString(),
    };
    if (!next.dataDeletion) delete updated.dataDeletion;
    const items: Item[] = [
      {
        Put: {
          TableName: this.table,
          Item: toItem(updated),
          ConditionExpression: 'generation = :read',
          ExpressionAttributeValues: { ':read': current.generation },
        },
      },
      ...this.counterUpdates(
        current.ownerId,
        counts(current.desiredState),
        counts(updated.desiredState),
        limits,
      ),
    ];
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return updated;
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (!reasons) throw err;
      if (reasons[0] === 'ConditionalCheckFailed') throw new EnvironmentChanged();
      throw (await this.limitError(current.ownerId, items, reasons, limits)) ?? err;
    }
  }

  /**
   * A worker's view of the cluster, stored only if the environment is still
   * at the generation the worker planned for; false when it moved on (the
   * newer intent will be planned again).
   */
  async writeStatus(env: Environment, status: Status): Promise<boolean> {
    const next = { ...env, status };
    const { set, remove } = indexKeys(next);
    const names: Record<string, string> = { '#status': 'status', '#gen': 'generation' };
    const values: Record<string, unknown> = { ':status': status, ':gen': env.generation };
    const sets = ['#status = :status'];
    Object.entries(set).forEach(([k, v], i) => {
      names[`#k${i}`] = k;
      values[`:k${i}`] = v;
      sets.push(`#k${i} = :k${i}`);
    });
    const removes = remove.map((k, i) => {
      names[`#r${i}`] = k;
      return `#r${i}`;
    });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: envKey(env.ownerId, env.id),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: '#gen = :gen',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /** Counter updates for a move between two intents, guarded by the limits where they grow. */
  private counterUpdates(
    ownerId: string,
    from: { running: number; total: number },
    to: { running: number; total: number },
    limits: Limits,
  ): Item[] {
    const dRunning = to.running - from.running;
    const dTotal = to.total - from.total;
    const items: Item[] = [];
    if (dRunning !== 0 || dTotal !== 0) {
      const guards: string[] = [];
      const values: Record<string, number> = { ':dr': dRunning, ':dt': dTotal };
      if (dRunning > 0) {
        guards.push('(attribute_not_exists(running) OR running < :maxRunning)');
        values[':maxRunning'] = limits.maxRunning;
      }
      if (dTotal > 0) {
        guards.push('(attribute_not_exists(#total) OR #total < :maxTotal)');
        values[':maxTotal'] = limits.maxTotal;
      }
      items.push({
        Update: {
          TableName: this.table,
          Key: counterKey(ownerId),
          UpdateExpression: 'ADD running :dr, #total :dt',
          ...(guards.length ? { ConditionExpression: guards.join(' AND ') } : {}),
          ExpressionAttributeNames: { '#total': 'total' },
          ExpressionAttributeValues: values,
        },
      });
    }
    if (dRunning !== 0) {
      items.push({
        Update: {
          TableName: this.table,
          Key: GLOBAL_COUNTERS,
          UpdateExpression: 'ADD running :dr',
          ...(dRunning > 0
            ? { ConditionExpression: 'attribute_not_exists(running) OR running < :max' }
            : {}),
          ExpressionAttributeValues: {
            ':dr': dRunning,
            ...(dRunning > 0 ? { ':max': limits.maxRunningGlobal } : {}),
          },
        },
      });
    }
    return items;
  }

  /** Turns a cancelled counter condition into the limit it protects (undefined: not a limit). */
  private async limitError(
    ownerId: string,
    items: Item[],
    reasons: string[],
    limits: Limits,
  ): Promise<LimitReached | undefined> {
    const failed = items
      .filter((_, i) => reasons[i] === 'ConditionalCheckFailed')
      .map((item) => item.Update?.Key);
    if (failed.some((k) => k?.PK === 'COUNTERS'))
      return new LimitReached('global-running', limits.maxRunningGlobal);
    if (!failed.some((k) => k?.SK === 'COUNTERS')) return undefined;
    // DynamoDB does not say which guard of the counter item failed: the counters do.
    const usage = await this.usage(ownerId);
    return usage.total >= limits.maxTotal
      ? new LimitReached('total', limits.maxTotal)
      : new LimitReached('running', limits.maxRunning);
  }
}
