// Local secrets of `npm run dev`, made on first start and kept in the state
// folder (mode 0600): the access-token signing key, the activity tokens' own
// key (as deployed: core/access/tokens.ts) and the bootstrap admin's one-time
// password. On AWS these come from sst.Secret instead.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey } from '../../core/auth/access-token.js';

export function localSigningKeys(stateDir: string): Promise<string> {
  return localKeys(join(stateDir, 'signing-keys.json'), 'local');
}

export function localActivitySigningKeys(stateDir: string): Promise<string> {
  return localKeys(join(stateDir, 'activity-signing-keys.json'), 'local-activity');
}

async function localKeys(file: string, kidPrefix: string): Promise<string> {
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const keys = JSON.stringify([
    await generateSigningKey(`${kidPrefix}-${Date.now().toString(36)}`),
  ]);
  writeFileSync(file, keys, { mode: 0o600, flag: 'wx' });
  return keys;
}

export const BOOTSTRAP_ADMIN_FILE = 'bootstrap-admin.json';

export function writeBootstrapAdmin(stateDir: string, admin: { email: string; password: string }) {
  writeFileSync(join(stateDir, BOOTSTRAP_ADMIN_FILE), `${JSON.stringify(admin, null, 2)}\n`, {
    mode: 0o600,
  });
}

export function readBootstrapAdmin(
  stateDir: string,
): { email: string; password: string } | undefined {
  const file = join(stateDir, BOOTSTRAP_ADMIN_FILE);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}
