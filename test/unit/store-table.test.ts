import { describe, expect, it } from 'vitest';
import {
  createTableInput,
  envIdIndexKeys,
  GSI1,
  GSI2,
  GSI3,
  runningIndexBefore,
  runningIndexKeys,
  SHARD_COUNT,
  shardIndexKeys,
  shardOf,
  tableDefinition,
} from '../../core/store/table.js';
import { expiresAtFrom, isExpired, unlessExpired } from '../../core/store/ttl.js';

describe('table definition', () => {
  it('declares every key attribute its indexes use, and only those', () => {
    const declared = tableDefinition.AttributeDefinitions?.map((a) => a.AttributeName).sort();
    const used = [
      ...(tableDefinition.KeySchema ?? []),
      ...(tableDefinition.GlobalSecondaryIndexes ?? []).flatMap((i) => i.KeySchema ?? []),
    ].map((k) => k.AttributeName);
    expect(declared).toEqual([...new Set(used)].sort());
  });

  it('gives each caller its own copy with the name set', () => {
    const input = createTableInput('t1');
    input.GlobalSecondaryIndexes?.pop();
    expect(input.TableName).toBe('t1');
    expect(tableDefinition.GlobalSecondaryIndexes).toHaveLength(4);
  });
});

describe('index keys', () => {
  it('sorts running environments by last activity, ties broken by id', () => {
    const a = runningIndexKeys(new Date('2026-01-01T10:00:00Z'), 'b-env');
    const b = runningIndexKeys('2026-01-01T10:00:00.000Z', 'a-env');
    const c = runningIndexKeys(new Date('2026-01-01T09:00:00Z'), 'z-env');
    expect(a[GSI1.pk]).toBe('RUNNING');
    const order = [a, b, c].map((k) => k[GSI1.sk] as string).sort();
    expect(order).toEqual([c[GSI1.sk], b[GSI1.sk], a[GSI1.sk]]);
    // "before t" excludes activity at exactly t.
    expect((a[GSI1.sk] as string) < runningIndexBefore(new Date('2026-01-01T10:00:00Z'))).toBe(
      false,
    );
    expect((c[GSI1.sk] as string) < runningIndexBefore(new Date('2026-01-01T10:00:00Z'))).toBe(
      true,
    );
  });

  it('keeps an environment in one stable shard, spread over all shards', () => {
    const shards = new Set<number>();
    for (let i = 0; i < 400; i++) {
      const shard = shardOf(`env-${i}`);
      expect(shard).toBe(shardOf(`env-${i}`));
      expect(shard).toBeGreaterThanOrEqual(0);
      expect(shard).toBeLessThan(SHARD_COUNT);
      shards.add(shard);
    }
    expect(shards.size).toBe(SHARD_COUNT);
    expect(shardIndexKeys('e1')).toEqual({ [GSI2.pk]: `SHARD#${shardOf('e1')}`, [GSI2.sk]: 'e1' });
    expect(envIdIndexKeys('e1')).toEqual({ [GSI3.pk]: 'ENV#e1' });
  });
});

describe('TTL', () => {
  const now = new Date('2026-06-01T12:00:00.000Z');

  it('treats an item as absent from the second its expiresAt has passed', () => {
    const at = expiresAtFrom(now);
    expect(isExpired({ expiresAt: at }, now)).toBe(true);
    expect(isExpired({ expiresAt: at + 1 }, now)).toBe(false);
    expect(isExpired({}, now)).toBe(false);
    expect(unlessExpired({ expiresAt: at - 10 }, now)).toBeUndefined();
    expect(unlessExpired({ expiresAt: at + 10 }, now)).toEqual({ expiresAt: at + 10 });
    expect(unlessExpired(undefined, now)).toBeUndefined();
  });

  it('rounds expiresAt up, never expiring early', () => {
    expect(expiresAtFrom(new Date('2026-06-01T12:00:00.001Z'))).toBe(expiresAtFrom(now) + 1);
  });
});
