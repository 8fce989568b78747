// What every function is given: the table, the queue, the secrets, and the
// non-secret configuration (core/config.ts reads it, validated, at start).

import { intents } from './queues';
import { secrets } from './secrets';
import { table } from './table';

export const link = [table, intents, ...Object.values(secrets)];

export const environment = {
  LABLEASE_STAGE: $app.stage,
  TABLE_NAME: table.name,
  INTENT_QUEUE_URL: intents.url,
  LABLEASE_CLUSTER: process.env.LABLEASE_CLUSTER ?? 'eks',
  ENVIRONMENTS_DOMAIN: process.env.ENVIRONMENTS_DOMAIN ?? '',
  WEB_ORIGIN: process.env.WEB_ORIGIN ?? '',
  OIDC_CLIENT_ID: process.env.OIDC_CLIENT_ID ?? '',
  ADMIN_EMAILS: process.env.ADMIN_EMAILS ?? '',
  ALLOWED_EMAIL_DOMAINS: process.env.ALLOWED_EMAIL_DOMAINS ?? '',
  AUTH_SIGNING_KEYS: secrets.AuthSigningKeys.value,
  OIDC_CLIENT_SECRET: secrets.OidcClientSecret.value,
};

export const functionDefaults = {
  runtime: 'nodejs24.x',
  architecture: 'arm64',
  memory: '512 MB',
  link,
  environment,
} as const;
