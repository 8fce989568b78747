// The operator's deploy-time settings, read from the environment of
// `sst deploy` and checked there, so a missing one fails the deploy with its
// name instead of a function failing at its first request. Pure: no SST
// globals, unit-tested through the wiring test.

export type ClusterAccess =
  | { kind: 'eks'; clusterName: string }
  | { kind: 'kubeconfig' /* the Kubeconfig secret holds it */ };

export interface Settings {
  environmentsDomain: string;
  cluster: ClusterAccess;
  apiDomain: string | undefined;
  webDomain: string | undefined;
  oidcClientId: string | undefined;
  adminEmails: string;
  allowedEmailDomains: string;
  alarmEmail: string | undefined;
  /** Email + password accounts (created by an admin); off when only the identity provider signs in. */
  localAccounts: boolean;
  /** How environments are routed (core/config.ts: LABLEASE_ROUTER and its options), passed through when set. */
  router: Record<string, string>;
  /** How long the audit log keeps an event (core/config.ts: AUDIT_RETENTION_DAYS), passed through when set. */
  auditRetentionDays: string | undefined;
}

/** The Kubernetes group the workers' roles map to (EKS access entries); stacks/cluster/rbac.yaml binds it. */
export const CLUSTER_GROUP = 'lablease-workers';

const ROUTER_SETTINGS = [
  'LABLEASE_ROUTER',
  'LABLEASE_GATEWAY',
  'LABLEASE_GATEWAY_AUTH_BACKEND',
  'LABLEASE_INGRESS_CLASS',
];

export class SettingsError extends Error {
  override name = 'SettingsError';
}

export function readSettings(env: Record<string, string | undefined> = process.env): Settings {
  const get = (name: string) => env[name]?.trim() || undefined;
  const require = (name: string, why: string) => {
    const value = get(name);
    if (!value) throw new SettingsError(`${name} is required: ${why}`);
    return value;
  };
  const environmentsDomain = require('ENVIRONMENTS_DOMAIN', 'environments are served at <id>.<ENVIRONMENTS_DOMAIN> (a wildcard DNS name)');
  const kind = get('LABLEASE_CLUSTER') ?? 'eks';
  let cluster: ClusterAccess;
  if (kind === 'eks')
    cluster = { kind, clusterName: require('EKS_CLUSTER_NAME', 'the EKS cluster to run on') };
  else if (kind === 'kubeconfig') cluster = { kind };
  else throw new SettingsError(`LABLEASE_CLUSTER must be eks or kubeconfig, not ${kind}`);
  const auditRetentionDays = get('AUDIT_RETENTION_DAYS');
  if (
    auditRetentionDays !== undefined &&
    !(
      /^\d{1,4}$/.test(auditRetentionDays) &&
      +auditRetentionDays >= 1 &&
      +auditRetentionDays <= 3650
    )
  )
    throw new SettingsError(`AUDIT_RETENTION_DAYS must be a number of days, 1 to 3650`);
  return {
    environmentsDomain,
    cluster,
    apiDomain: get('API_DOMAIN'),
    webDomain: get('WEB_DOMAIN'),
    oidcClientId: get('OIDC_CLIENT_ID'),
    adminEmails: get('ADMIN_EMAILS') ?? '',
    allowedEmailDomains: get('ALLOWED_EMAIL_DOMAINS') ?? '',
    alarmEmail: get('ALARM_EMAIL'),
    localAccounts: (get('LOCAL_ACCOUNTS') ?? 'true') === 'true',
    router: Object.fromEntries(
      ROUTER_SETTINGS.flatMap((name) => (get(name) ? [[name, get(name)!]] : [])),
    ),
    auditRetentionDays,
  };
}

/** Production stages keep their data: point-in-time recovery, deletion protection, retain on remove. */
export function isProduction(stage: string): boolean {
  return stage === 'production' || stage === 'prod';
}
