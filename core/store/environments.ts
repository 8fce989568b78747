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
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type DesiredState, Environment, Status } from '../environment/model.js';
import { LimitReached } from '../environment/policies.js';
import { quotaCounts } from '../environment/reconcile.js';
import { DomainError, ValidationFailed } from '../errors.js';
import { cancellationReasons, type DocumentClient, isConditionFailed } from './client.js';
import {
  envIdIndexKeys,
  GSI1,
  GSI2,
  GSI3,
  GSI4,
  runningIndexKeys,
  shardIndexKeys,
  shardPartition,
  startedIndexKeys,
} from './table.js';
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
/** Activity is recorded at most this often per environment (the reaper works in minutes). */
export const ACTIVITY_RESOLUTION_MS = 60_000;

/** An owner's quota counters: desired running, and not deleted. */
export interface Counts {
  running: number;
  total: number;
}

/** What each desired state counts as (the reconciler's recount uses the same rule). */
const counts = (s: DesiredState): Counts => quotaCounts(s);

/** Index keys an environment item carries in a given state (the indexes are sparse). */
function indexKeys(env: Environment): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = { ...envIdIndexKeys(env.id) };
  const remove: string[] = [];
  if (env.desiredState === 'running')
    Object.assign(set, runningIndexKeys(env.status.lastActivityAt ?? env.updatedAt, env.id));
  else remove.push(GSI1.pk, GSI1.sk);
  if (env.desiredState === 'running' && env.status.phase === 'Running' && env.status.startedAt)
    Object.assign(set, startedIndexKeys(env.status.startedAt, env.id));
  else remove.push(GSI4.pk, GSI4.sk);
  // The reconciler walks live environments; one that is gone with nothing left to purge drops out.
  const finished =
    env.desiredState === 'deleted' && env.status.phase === 'Deleted' && !env.dataDeletion;
  if (finished) remove.push(GSI2.pk, GSI2.sk);
  else Object.assign(set, shardIndexKeys(env.id));
  return { set, remove };
}

/** Every field of Status, so that writeStatus can write them one by one. */
const STATUS_FIELDS = Object.keys(Status.shape) as Array<keyof Status>;

interface ConditionParts {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * "The generation and the admin's keep-alive are as `read` had them": a
 * whole-item write (changeDesired's Put) must not undo a keep-alive set
 * after the read, and a cull must not apply once one was set.
 */
function unchangedSince(read: Environment): ConditionParts {
  const seen = read.keepAliveUntil;
  return {
    ConditionExpression: `generation = :read AND ${seen ? '#keep = :seenKeep' : 'attribute_not_exists(#keep)'}`,
    ExpressionAttributeNames: { '#keep': 'keepAliveUntil' },
    ExpressionAttributeValues: {
      ':read': read.generation,
      ...(seen ? { ':seenKeep': seen } : {}),
    },
  };
}

/**
 * unchangedSince(read), and no activity recorded since it was read.
 * Timeline: reaper reads (activity A) → heartbeat writes B → reaper's write
 * fails here, so the heartbeat wins.
 */
function activityUnchanged(read: Environment): ConditionParts {
  const base = unchangedSince(read);
  const names = { ...base.ExpressionAttributeNames, '#st': 'status', '#la': 'lastActivityAt' };
  const seen = read.status.lastActivityAt;
  return seen
    ? {
        ConditionExpression: `${base.ConditionExpression} AND #st.#la = :seenActivity`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...base.ExpressionAttributeValues, ':seenActivity': seen },
      }
    : {
        ConditionExpression: `${base.ConditionExpression} AND attribute_not_exists(#st.#la)`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: base.ExpressionAttributeValues,
      };
}

/** "The counter still reads `seen`" (an absent counter reads 0). */
const holds = (path: string, value: string, seen: number) =>
  seen === 0 ? `(attribute_not_exists(${path}) OR ${path} = ${value})` : `${path} = ${value}`;

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
    opts: {
      /**
       * The reaper's cull: also only if no activity was recorded since it read
       * `current` (a heartbeat that lands first wins; the cull then fails as
       * EnvironmentChanged).
       */
      unlessActiveSince?: boolean;
    } = {},
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
          ...(opts.unlessActiveSince ? activityUnchanged(current) : unchangedSince(current)),
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
    // lastActivityAt and its GSI1 key belong to heartbeats, cullAt to the
    // reaper: a worker that read the item before a heartbeat must not write
    // the older activity back. Every other status field is the worker's.
    delete set[GSI1.pk];
    delete set[GSI1.sk];
    const names: Record<string, string> = { '#status': 'status', '#gen': 'generation' };
    const values: Record<string, unknown> = { ':gen': env.generation };
    const sets: string[] = [];
    const statusRemoves: string[] = [];
    STATUS_FIELDS.forEach((field, i) => {
      // cullAt is only ever cleared here, once the environment no longer runs.
      if (field === 'lastActivityAt' || (field === 'cullAt' && status.phase === 'Running')) return;
      names[`#s${i}`] = field;
      const value = status[field];
      if (value === undefined) statusRemoves.push(`#status.#s${i}`);
      else {
        values[`:s${i}`] = value;
        sets.push(`#status.#s${i} = :s${i}`);
      }
    });
    Object.entries(set).forEach(([k, v], i) => {
      names[`#k${i}`] = k;
      values[`:k${i}`] = v;
      sets.push(`#k${i} = :k${i}`);
    });
    const removes = [
      ...statusRemoves,
      ...remove.map((k, i) => {
        names[`#r${i}`] = k;
        return `#r${i}`;
      }),
    ];
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

  /**
   * A heartbeat: records activity on a running environment at most once a
   * minute (and clears a cull warning), without a generation bump — activity
   * is not a change of intent. False when nothing was written: too soon after
   * the last one, or the environment is not running (any more).
   */
  async recordActivity(env: Pick<Environment, 'id' | 'ownerId'>, now: Date): Promise<boolean> {
    const at = now.toISOString();
    const keys = runningIndexKeys(at, env.id);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: envKey(env.ownerId, env.id),
          UpdateExpression: 'SET #st.#la = :at, #g1pk = :g1pk, #g1sk = :g1sk REMOVE #st.#cull',
          // Running only (GSI1 holds running environments only); once a minute,
          // unless a cull warning shows: "keep it running" must always clear it.
          ConditionExpression:
            'desiredState = :running AND (attribute_not_exists(#st.#la) OR #st.#la <= :minuteAgo OR attribute_exists(#st.#cull))',
          ExpressionAttributeNames: {
            '#st': 'status',
            '#la': 'lastActivityAt',
            '#cull': 'cullAt',
            '#g1pk': GSI1.pk,
            '#g1sk': GSI1.sk,
          },
          ExpressionAttributeValues: {
            ':at': at,
            ':g1pk': keys[GSI1.pk],
            ':g1sk': keys[GSI1.sk],
            ':running': 'running',
            ':minuteAgo': new Date(now.getTime() - ACTIVITY_RESOLUTION_MS).toISOString(),
          },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /**
   * The reaper's warning: when the environment will be culled (undefined
   * clears it). Only if nothing moved since it was read — same generation,
   * no newer activity — so a heartbeat clearing a warning is never undone.
   */
  async setCullAt(env: Environment, cullAt: string | undefined): Promise<boolean> {
    const condition = activityUnchanged(env);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: envKey(env.ownerId, env.id),
          UpdateExpression: cullAt ? 'SET #st.#cull = :cull' : 'REMOVE #st.#cull',
          ConditionExpression: condition.ConditionExpression,
          ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, '#cull': 'cullAt' },
          ExpressionAttributeValues: {
            ...condition.ExpressionAttributeValues,
            ...(cullAt ? { ':cull': cullAt } : {}),
          },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /**
   * An admin's keep-alive: the reaper neither warns nor culls before `until`
   * (undefined clears it). Setting one also clears a warning that shows. Not
   * a change of intent: no generation bump; a deleted environment refuses
   * (EnvironmentChanged: it moved on since it was read).
   */
  async setKeepAlive(env: Environment, until: string | undefined): Promise<Environment> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: envKey(env.ownerId, env.id),
          UpdateExpression: until ? 'SET #keep = :until REMOVE #st.#cull' : 'REMOVE #keep',
          ConditionExpression: 'attribute_exists(PK) AND desiredState <> :deleted',
          ExpressionAttributeNames: {
            '#keep': 'keepAliveUntil',
            ...(until ? { '#st': 'status', '#cull': 'cullAt' } : {}),
          },
          ExpressionAttributeValues: {
            ':deleted': 'deleted',
            ...(until ? { ':until': until } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(Attributes!);
    } catch (err) {
      if (isConditionFailed(err)) throw new EnvironmentChanged();
      throw err;
    }
  }

  /**
   * One page of Running environments started before `before`, oldest start
   * first (GSI4; eventually consistent): the candidates for the maximum lifetime.
   */
  async startedBeforePage(
    before: Date,
    opts: { limit?: number; startKey?: Record<string, unknown> } = {},
  ): Promise<{ items: Environment[]; nextKey?: Record<string, unknown> }> {
    const { Items = [], LastEvaluatedKey } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI4.name,
        KeyConditionExpression: '#pk = :pk AND #sk < :before',
        ExpressionAttributeNames: { '#pk': GSI4.pk, '#sk': GSI4.sk },
        ExpressionAttributeValues: { ':pk': 'RUNNING', ':before': before.toISOString() },
        ScanIndexForward: true,
        ...(opts.limit ? { Limit: opts.limit } : {}),
        ...(opts.startKey ? { ExclusiveStartKey: opts.startKey } : {}),
      }),
    );
    return { items: Items.map(fromItem), nextKey: LastEvaluatedKey };
  }

  /** One page of running environments, least recently active first (GSI1; eventually consistent). */
  async runningPage(
    opts: { limit?: number; startKey?: Record<string, unknown> } = {},
  ): Promise<{ items: Environment[]; nextKey?: Record<string, unknown> }> {
    const { Items = [], LastEvaluatedKey } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI1.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': GSI1.pk },
        ExpressionAttributeValues: { ':pk': 'RUNNING' },
        ScanIndexForward: true,
        ...(opts.limit ? { Limit: opts.limit } : {}),
        ...(opts.startKey ? { ExclusiveStartKey: opts.startKey } : {}),
      }),
    );
    return { items: Items.map(fromItem), nextKey: LastEvaluatedKey };
  }

  /** One page of one shard of live environments (GSI2; eventually consistent). */
  async livePage(
    shard: number,
    opts: { limit?: number; startKey?: Record<string, unknown> } = {},
  ): Promise<{ items: Environment[]; nextKey?: Record<string, unknown> }> {
    const { Items = [], LastEvaluatedKey } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI2.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': GSI2.pk },
        ExpressionAttributeValues: { ':pk': shardPartition(shard) },
        ...(opts.limit ? { Limit: opts.limit } : {}),
        ...(opts.startKey ? { ExclusiveStartKey: opts.startKey } : {}),
      }),
    );
    return { items: Items.map(fromItem), nextKey: LastEvaluatedKey };
  }

  /** Every environment of one owner, consistently (for a recount). */
  async allOfOwner(ownerId: string): Promise<Environment[]> {
    const all: Environment[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listByOwner(ownerId, { limit: 100, cursor });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }

  /** The environments that exist among `refs`, by id (consistent reads, 100 per BatchGet). */
  async getMany(
    refs: Array<{ ownerId: string; envId: string }>,
  ): Promise<Map<string, Environment>> {
    const found = new Map<string, Environment>();
    const unique = [...new Map(refs.map((r) => [r.envId, r])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = unique
        .slice(i, i + 100)
        .map((r) => envKey(r.ownerId, r.envId));
      while (keys?.length) {
        const res: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const item of res.Responses?.[this.table] ?? []) {
          const env = fromItem(item);
          found.set(env.id, env);
        }
        keys = res.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return found;
  }

  /** The owners' counters as stored (absent counters read as 0), 100 per BatchGet. */
  async counters(ownerIds: string[]): Promise<Map<string, Counts>> {
    const result = new Map<string, Counts>();
    for (const id of ownerIds) result.set(id, { running: 0, total: 0 });
    for (let i = 0; i < ownerIds.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = ownerIds
        .slice(i, i + 100)
        .map((id) => counterKey(id));
      while (keys?.length) {
        const res: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const item of res.Responses?.[this.table] ?? [])
          result.set(String(item.PK).slice('USER#'.length), {
            running: Number(item.running ?? 0),
            total: Number(item.total ?? 0),
          });
        keys = res.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return result;
  }

  async globalRunning(): Promise<number> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: GLOBAL_COUNTERS, ConsistentRead: true }),
    );
    return Number(Item?.running ?? 0);
  }

  /**
   * Sets an owner's counters to a recount, only if they still hold what was
   * read (`seen`): any change of intent in between moves them, and the
   * correction waits for the next recount. False when it did not apply.
   */
  async correctCounters(ownerId: string, seen: Counts, recount: Counts): Promise<boolean> {
    return this.conditionalSet(
      counterKey(ownerId),
      'SET running = :r, #total = :t',
      `${holds('running', ':sr', seen.running)} AND ${holds('#total', ':st', seen.total)}`,
      { '#total': 'total' },
      { ':r': recount.running, ':t': recount.total, ':sr': seen.running, ':st': seen.total },
    );
  }

  /** The installation's running counter, as correctCounters does for an owner. */
  async correctGlobalRunning(seen: number, recount: number): Promise<boolean> {
    return this.conditionalSet(
      GLOBAL_COUNTERS,
      'SET running = :r',
      holds('running', ':sr', seen),
      undefined,
      { ':r': recount, ':sr': seen },
    );
  }

  private async conditionalSet(
    Key: Record<string, string>,
    UpdateExpression: string,
    ConditionExpression: string,
    names: Record<string, string> | undefined,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key,
          UpdateExpression,
          ConditionExpression,
          ...(names ? { ExpressionAttributeNames: names } : {}),
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
