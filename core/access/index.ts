// Access to environment hosts, assembled from configuration: Open (one-time
// codes), forward auth (/auth/verify), the environment cookie, and activity
// (verified traffic and the pod's own reports).
import type { SigningKeys } from '../auth/access-token.js';
import type { Auth } from '../auth/index.js';
import { environmentUrl } from '../cluster/urls.js';
import { type Config, ConfigError } from '../config.js';
import { AccessCodeStore } from '../store/access-codes.js';
import type { AuditStore } from '../store/audit.js';
import type { DocumentClient } from '../store/client.js';
import type { EnvironmentStore } from '../store/environments.js';
import { type ActivityRecorder, ActivityThrottle, activityRecorder } from './activity.js';
import { environmentsDomain } from './forwarded.js';
import type { OpenDeps } from './open.js';
import {
  type ActivityKeyConfig,
  activityKeySet,
  EnvironmentTokens,
  mintActivityToken,
} from './tokens.js';
import type { VerifyDeps } from './verify.js';

export { ActivityThrottle, activityRecorder } from './activity.js';
export { ENV_COOKIE } from './cookie.js';
export { openEnvironment } from './open.js';
export { activityKeySet, EnvironmentTokens, mintActivityToken } from './tokens.js';
export { OPEN_PATH, openUrl, verifyAccess } from './verify.js';

export interface Access {
  tokens: EnvironmentTokens;
  activity: ActivityRecorder;
  verify: VerifyDeps;
  open: OpenDeps;
}

/** Where an environment reports its activity. */
export const activityUrl = (apiUrl: string, envId: string) =>
  `${apiUrl}/api/v1/environments/${envId}/activity`;

/**
 * What the provisioner puts in each environment's activity Secret
 * (ConvergeDeps.activity), signed with activityKeySet's keys: the provisioner
 * needs no other key of the platform's.
 */
export async function activitySource(config: ActivityKeyConfig & Pick<Config, 'apiUrl'>) {
  const keys = await activityKeySet(config);
  if (!keys)
    throw new ConfigError(
      'Invalid configuration: ACTIVITY_SIGNING_KEYS (or AUTH_SIGNING_KEYS) is required',
    );
  return {
    token: (envId: string, ownerId: string) =>
      mintActivityToken(keys, config.apiUrl, envId, ownerId),
    url: (envId: string) => activityUrl(config.apiUrl, envId),
  };
}

export function createAccess(
  config: Pick<Config, 'environmentsDomain' | 'apiUrl' | 'tableName'>,
  doc: DocumentClient,
  deps: {
    auth: Pick<Auth, 'accessTokens' | 'users'>;
    /** activityKeySet's, when ACTIVITY_SIGNING_KEYS is set; absent: the access-token keys. */
    activityKeys?: SigningKeys;
    environments: Pick<EnvironmentStore, 'get' | 'findById' | 'recordActivity'>;
    audit: Pick<AuditStore, 'record'>;
    now: () => Date;
    log: (message: string, fields: Record<string, unknown>) => void;
  },
): Access {
  const tokens = new EnvironmentTokens(deps.auth.accessTokens.keys, {
    issuer: config.apiUrl,
    now: deps.now,
    activityKeys: deps.activityKeys,
  });
  const codes = new AccessCodeStore(doc, config.tableName);
  const activity = activityRecorder({
    environments: deps.environments,
    throttle: new ActivityThrottle(),
    now: deps.now,
    log: deps.log,
  });
  const url = (envId: string) => environmentUrl(config, envId);
  return {
    tokens,
    activity,
    verify: {
      domain: environmentsDomain(config.environmentsDomain),
      tokens,
      codes,
      users: deps.auth.users,
      activity,
      apiUrl: config.apiUrl,
      secure: url('e').startsWith('https:'),
      now: deps.now,
    },
    open: {
      environments: deps.environments,
      codes,
      audit: deps.audit,
      url,
      now: deps.now,
      log: deps.log,
    },
  };
}
