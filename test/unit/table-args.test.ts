import { describe, expect, it } from 'vitest';
import {
  GSI1,
  GSI2,
  GSI3,
  GSI4,
  PK,
  SK,
  TTL_ATTRIBUTE,
  tableDefinition,
} from '../../core/store/table.js';
import { dynamoArgs } from '../../stacks/table-args.js';

describe('the deployed table', () => {
  it('has the same keys, indexes and TTL as the local one', () => {
    const args = dynamoArgs();
    expect(args.primaryIndex).toEqual({ hashKey: PK, rangeKey: SK });
    expect(args.ttl).toBe(TTL_ATTRIBUTE);
    expect(args.globalIndexes).toEqual({
      [GSI1.name]: { hashKey: GSI1.pk, rangeKey: GSI1.sk, projection: 'all' },
      [GSI2.name]: { hashKey: GSI2.pk, rangeKey: GSI2.sk, projection: 'all' },
      [GSI3.name]: { hashKey: GSI3.pk, projection: 'all' },
      [GSI4.name]: { hashKey: GSI4.pk, rangeKey: GSI4.sk, projection: 'all' },
    });
    // Every attribute the local table declares is a field of the deployed one, with its type.
    expect(Object.keys(args.fields).sort()).toEqual(
      tableDefinition.AttributeDefinitions!.map((a) => a.AttributeName).sort(),
    );
    expect(new Set(Object.values(args.fields))).toEqual(new Set(['string']));
  });
});
