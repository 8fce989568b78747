// Translates THE table definition (core/store/table.ts) into the arguments of
// SST's Dynamo component, so the deployed table and the local one come from
// one source and cannot drift. Pure, and unit-tested.
import { TTL_ATTRIBUTE, tableDefinition } from '../core/store/table.js';

type FieldType = 'string' | 'number' | 'binary';

export interface DynamoArgs {
  fields: Record<string, FieldType>;
  primaryIndex: { hashKey: string; rangeKey?: string };
  globalIndexes: Record<
    string,
    { hashKey: string; rangeKey?: string; projection: 'all' | 'keys-only' }
  >;
  ttl: string;
}

const FIELD_TYPES: Record<string, FieldType> = { S: 'string', N: 'number', B: 'binary' };

function keys(schema: Array<{ AttributeName?: string; KeyType?: string }> | undefined) {
  const hashKey = schema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
  const rangeKey = schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
  if (!hashKey) throw new Error('a key schema without a HASH key');
  return rangeKey ? { hashKey, rangeKey } : { hashKey };
}

export function dynamoArgs(): DynamoArgs {
  const fields = Object.fromEntries(
    (tableDefinition.AttributeDefinitions ?? []).map((a) => [
      a.AttributeName!,
      FIELD_TYPES[a.AttributeType!]!,
    ]),
  );
  const globalIndexes = Object.fromEntries(
    (tableDefinition.GlobalSecondaryIndexes ?? []).map((gsi) => {
      if (gsi.Projection?.ProjectionType === 'INCLUDE')
        throw new Error(`${gsi.IndexName}: INCLUDE projections are not mapped`);
      const projection =
        gsi.Projection?.ProjectionType === 'KEYS_ONLY' ? ('keys-only' as const) : ('all' as const);
      return [gsi.IndexName!, { ...keys(gsi.KeySchema), projection }];
    }),
  );
  return {
    fields,
    primaryIndex: keys(tableDefinition.KeySchema),
    globalIndexes,
    ttl: TTL_ATTRIBUTE,
  };
}
