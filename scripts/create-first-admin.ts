// The first admin of a deployed stage, as a local account with a one-time
// password (changed at first sign-in). With your AWS credentials, the table
// from `sst deploy`'s output:
//   TABLE_NAME=<table> AWS_REGION=<region> npx tsx scripts/create-first-admin.ts admin@example.org
// Does nothing when the account exists. With OIDC, ADMIN_EMAILS does this instead (DEPLOY.md).
import { LocalAccounts } from '../core/auth/local-accounts.js';
import { loadConfig } from '../core/config.js';
import { createDocumentClient } from '../core/store/client.js';
import { RateLimits } from '../core/store/rate-limits.js';
import { UserStore } from '../core/store/users.js';

export async function createFirstAdmin(env: Record<string, string | undefined>, email: string) {
  const config = loadConfig(env);
  const doc = createDocumentClient(config);
  const accounts = new LocalAccounts({
    enabled: true,
    users: new UserStore(doc, config.tableName),
    limits: new RateLimits(doc, config.tableName),
    now: () => new Date(),
  });
  return accounts.ensureBootstrapAdmin(email, config.auth.defaultTier);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const email = process.argv[2];
  if (!email || !process.env.TABLE_NAME) {
    console.error(
      'usage: TABLE_NAME=<table> AWS_REGION=<region> npx tsx scripts/create-first-admin.ts <email>',
    );
    process.exit(2);
  }
  const created = await createFirstAdmin(process.env, email);
  console.log(
    created
      ? `admin ${created.email} created; one-time password: ${created.password} (change it at first sign-in)`
      : `an account for ${email} exists already: nothing done`,
  );
}
