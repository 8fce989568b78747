// The audit log: one item per state-changing action, kept for a retention
// period (TTL), read newest first.
//
// Keys: AUDIT#<yyyy-mm-dd> / <iso time>#<id>. A day is one partition, so a
// page is a Query walking days backwards (ScanIndexForward false) — never a
// Scan — and a busy day spreads no wider than one partition's write rate,
// which an admin log never approaches. Filters by actor, target and action
// are FilterExpressions inside each day: an audit trail is read rarely and a
// day holds few items, so a GSI per filter would cost more than it saves.
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ValidationFailed } from '../errors.js';
import type { DocumentClient } from './client.js';
import { TTL_ATTRIBUTE } from './table.js';
import { expiresAtFrom, isExpired } from './ttl.js';

export const AuditEvent = z.object({
  id: z.string(),
  at: z.string(),
  /** Who did it: a user id, or "system" for the scheduled jobs. */
  actorId: z.string(),
  /** Dotted verb, e.g. "template.create", "user.disable", "auth.sign-in". */
  action: z.string(),
  /** What it was done to: "template:jupyterlab", "user:<id>", "environment:<id>", "settings". */
  target: z.string(),
  result: z.enum(['success', 'failure']),
  requestId: z.string().optional(),
  /** A few words of context (never a secret). */
  detail: z.string().optional(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export interface AuditFilter {
  actorId?: string;
  target?: string;
  action?: string;
}

/** A time window, both ends inclusive; either may be left open. */
export interface AuditWindow {
  since?: Date;
  until?: Date;
}

const DAY_MS = 24 * 3600_000;
const day = (at: Date) => at.toISOString().slice(0, 10);
const partition = (d: string) => `AUDIT#${d}`;

/**
 * Events of one millisecond keep the order this process recorded them in
 * (across processes, one millisecond's order is arbitrary).
 */
let sequence = 0;
const nextSequence = () => String(sequence++ % 1e9).padStart(9, '0');

export class InvalidAuditCursor extends ValidationFailed {
  constructor() {
    super([{ field: 'cursor', message: 'is not a cursor this list produced' }]);
  }
}

export class AuditStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly table: string,
    readonly retentionDays = 90,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const at = new Date(event.at);
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          PK: partition(day(at)),
          SK: `${event.at}#${nextSequence()}#${event.id}`,
          type: 'audit',
          ...event,
          [TTL_ATTRIBUTE]: expiresAtFrom(new Date(at.getTime() + this.retentionDays * DAY_MS)),
        },
      }),
    );
  }

  /**
   * Events newest first. The cursor names the day and the last key read, so
   * the next page continues exactly there.
   */
  async list(
    opts: { limit: number; cursor?: string; filter?: AuditFilter; window?: AuditWindow },
    now: Date,
  ): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
    const { since, until } = opts.window ?? {};
    const retained = now.getTime() - this.retentionDays * DAY_MS;
    const oldest = day(new Date(Math.max(retained, since?.getTime() ?? retained)));
    const newest = until && until < now ? until : now;
    let { d, start } = opts.cursor
      ? decodeCursor(opts.cursor)
      : { d: day(newest), start: undefined as Record<string, unknown> | undefined };
    const items: AuditEvent[] = [];
    const filter = filterExpression(opts.filter ?? {});
    // Sort keys begin with the ISO time, so the window is a key range within each day.
    const range = {
      ':from': since ? since.toISOString() : '0',
      ':to': `${until ? until.toISOString() : '9999'}#~`,
    };
    // At most one Query per retained day (90 small ones for a filter that matches nothing).
    while (d >= oldest) {
      const { Items = [], LastEvaluatedKey } = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': partition(d), ...range, ...filter.values },
          ...(filter.expression
            ? { FilterExpression: filter.expression, ExpressionAttributeNames: filter.names }
            : {}),
          ScanIndexForward: false,
          Limit: opts.limit - items.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of Items) if (!isExpired(item, now)) items.push(AuditEvent.parse(item));
      if (LastEvaluatedKey) {
        start = { PK: LastEvaluatedKey.PK, SK: LastEvaluatedKey.SK };
        if (items.length >= opts.limit) return { items, nextCursor: encodeCursor(d, start) };
        continue;
      }
      start = undefined;
      d = day(new Date(Date.parse(`${d}T00:00:00Z`) - DAY_MS));
      if (items.length >= opts.limit) break;
    }
    return { items, nextCursor: d >= oldest ? encodeCursor(d, start) : null };
  }
}

function filterExpression(filter: AuditFilter) {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, string> = {};
  for (const [field, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    parts.push(`#${field} = :${field}`);
  }
  return { expression: parts.join(' AND '), names, values };
}

function encodeCursor(d: string, start: Record<string, unknown> | undefined) {
  return Buffer.from(JSON.stringify({ d, ...(start ? { k: start } : {}) })).toString('base64url');
}

function decodeCursor(cursor: string): { d: string; start?: Record<string, unknown> } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (typeof parsed?.d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(parsed.d)) {
      const k = parsed.k;
      if (k === undefined) return { d: parsed.d };
      if (k?.PK === partition(parsed.d) && typeof k.SK === 'string' && Object.keys(k).length === 2)
        return { d: parsed.d, start: k };
    }
  } catch {}
  throw new InvalidAuditCursor();
}
