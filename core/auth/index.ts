// Identity, assembled from configuration: who may sign in and how, and what
// every request's credential says about its holder.
import type { JWK } from 'jose';
import { type Config, ConfigError } from '../config.js';
import { ApiTokenStore } from '../store/api-tokens.js';
import type { DocumentClient } from '../store/client.js';
import { OidcStore } from '../store/oidc.js';
import { RateLimits } from '../store/rate-limits.js';
import { SessionStore } from '../store/sessions.js';
import { UserStore } from '../store/users.js';
import { AccessTokens } from './access-token.js';
import { ApiTokens } from './api-tokens.js';
import { LocalAccounts } from './local-accounts.js';
import { OidcSignIn } from './oidc.js';
import type { ScryptCost } from './password.js';
import { SessionManager } from './sessions.js';

export const ACCESS_AUDIENCE = 'lablease-api';

export interface Auth {
  users: UserStore;
  limits: RateLimits;
  accessTokens: AccessTokens;
  sessions: SessionManager;
  localAccounts: LocalAccounts;
  apiTokens: ApiTokens;
  oidc: OidcSignIn;
}

export async function createAuth(
  config: Config,
  doc: DocumentClient,
  opts: {
    now?: () => Date;
    scryptCost?: ScryptCost;
    log?: (message: string, fields: Record<string, unknown>) => void;
  } = {},
): Promise<Auth> {
  if (!config.auth.signingKeys)
    throw new ConfigError('Invalid configuration: AUTH_SIGNING_KEYS is required');
  const now = opts.now ?? (() => new Date());
  const log =
    opts.log ??
    ((message, fields) => console.log(JSON.stringify({ level: 'warn', message, ...fields })));
  const users = new UserStore(doc, config.tableName);
  const limits = new RateLimits(doc, config.tableName);
  const accessTokens = await AccessTokens.create({
    keys: config.auth.signingKeys as JWK[],
    issuer: config.apiUrl,
    audience: ACCESS_AUDIENCE,
    ttlSeconds: config.auth.accessTtlSeconds,
    now,
  });
  return {
    users,
    limits,
    accessTokens,
    sessions: new SessionManager({
      users,
      sessions: new SessionStore(doc, config.tableName),
      accessTokens,
      accessTtlSeconds: config.auth.accessTtlSeconds,
      refreshTtlSeconds: config.auth.refreshTtlSeconds,
      now,
      log,
    }),
    localAccounts: new LocalAccounts({
      enabled: config.auth.localAccounts,
      users,
      limits,
      cost: opts.scryptCost,
      now,
    }),
    apiTokens: new ApiTokens({ tokens: new ApiTokenStore(doc, config.tableName), users, now }),
    oidc: new OidcSignIn({
      settings: config.auth.oidc,
      store: new OidcStore(doc, config.tableName),
      users,
      redirectUri: `${config.apiUrl}/auth/callback`,
      webOrigin: config.webOrigin,
      defaultTier: config.auth.defaultTier,
      now,
    }),
  };
}
