// What each function is given. Every function: the table, the intent queue
// (send only) and the settings core/config.ts validates at start. Only the
// workers that call Kubernetes (provisioner, reconciler) get cluster access;
// no function gets the dead-letter queue. Only the API holds the keys that
// sign sessions, cookies and API tokens, and the OIDC secret; the provisioner
// holds the activity tokens' key alone (core/access/tokens.ts).
import { ARCHITECTURE, NODEJS_BUNDLING, RUNTIME } from './bundling';
import { clusterEnvironment, clusterPermissions } from './cluster';
import { settings } from './deploy-settings';
import { apiUrl } from './gateway';
import { intents, sendIntentsPermission } from './queues';
import { secrets } from './secrets';
import { table, tablePermission } from './table';

export { settings };

export const environment: Record<string, $util.Input<string>> = {
  LABLEASE_STAGE: $app.stage,
  API_URL: apiUrl,
  TABLE_NAME: table.name,
  INTENT_QUEUE_URL: intents.url,
  ENVIRONMENTS_DOMAIN: settings.environmentsDomain,
  ADMIN_EMAILS: settings.adminEmails,
  ALLOWED_EMAIL_DOMAINS: settings.allowedEmailDomains,
  LOCAL_ACCOUNTS: settings.localAccounts ? 'true' : 'false',
  ...settings.router,
  ...(settings.auditRetentionDays ? { AUDIT_RETENTION_DAYS: settings.auditRetentionDays } : {}),
};

const activityKeys = { ACTIVITY_SIGNING_KEYS: secrets.ActivitySigningKeys.value };

const apiSecrets: Record<string, $util.Input<string>> = {
  AUTH_SIGNING_KEYS: secrets.AuthSigningKeys.value,
  ...activityKeys,
  ...(settings.oidcClientId
    ? { OIDC_CLIENT_ID: settings.oidcClientId, OIDC_CLIENT_SECRET: secrets.OidcClientSecret.value }
    : {}),
};

const base = {
  runtime: RUNTIME,
  architecture: ARCHITECTURE,
  nodejs: NODEJS_BUNDLING,
  logging: { format: 'json' as const, retention: '1 month' as const },
};

/** The API: table and intent queue, nothing of the cluster. */
export function apiFunction(extra: Record<string, $util.Input<string>>) {
  return {
    ...base,
    memory: '1024 MB' as const,
    environment: { ...environment, ...apiSecrets, ...extra },
    permissions: [tablePermission, sendIntentsPermission],
  };
}

/** A scheduled job that never calls Kubernetes (the reaper). */
export function jobFunction() {
  return {
    ...base,
    memory: '512 MB' as const,
    environment,
    permissions: [tablePermission, sendIntentsPermission],
  };
}

/** A worker that calls Kubernetes (provisioner, reconciler); the provisioner mints activity tokens. */
export function clusterWorkerFunction(opts: { mintsActivityTokens?: boolean } = {}) {
  return {
    ...base,
    memory: '1024 MB' as const,
    environment: {
      ...environment,
      ...clusterEnvironment(settings),
      ...(opts.mintsActivityTokens ? activityKeys : {}),
    },
    permissions: [tablePermission, sendIntentsPermission, ...clusterPermissions(settings)],
  };
}
