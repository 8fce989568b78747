// scripts/create-first-admin.ts: the first admin of a deployed stage, on the
// table named like `sst deploy` prints it (here on DynamoDB Local).
import { describe, expect, inject, it, vi } from 'vitest';
import { createDocumentClient } from '../../core/store/client.js';
import { UserStore } from '../../core/store/users.js';
import { createFirstAdmin } from '../../scripts/create-first-admin.js';
import { ensureTable } from '../../stacks/local/table.js';
import { dynamoClients, uniqueName } from '../support/aws.js';

describe('bootstrap-admin script', () => {
  it('creates one admin with a one-time password, once', async () => {
    const table = uniqueName('bootstrap');
    await ensureTable(dynamoClients().client, table);
    const env = {
      TABLE_NAME: table,
      AWS_REGION: 'us-east-1',
      DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    };
    // The SDK reads credentials from the process, as the operator's shell gives them.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    const created = await createFirstAdmin(env, 'Ops@Example.org');
    expect(created?.password.length).toBeGreaterThanOrEqual(12);
    expect(await createFirstAdmin(env, 'ops@example.org')).toBeUndefined();
    const users = new UserStore(
      createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: env.DYNAMODB_ENDPOINT }),
      table,
    );
    const user = await users.getByEmail('ops@example.org');
    expect(user).toMatchObject({ role: 'admin', mustChangePassword: true, disabled: false });
  });
});
