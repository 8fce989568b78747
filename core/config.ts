// Configuration, read once from the environment and validated, so a missing or
// malformed setting fails at start with "X is required" instead of deep inside
// a request. Nothing else in core/ reads process.env.
import { z } from 'zod';
import {
  type AuthBackendRef,
  isEnvironmentsDomain,
  isSafeBaseUrl,
  type ObjectRef,
  parseAuthBackend,
  parseObjectRef,
} from './cluster/routes/validate.js';

const optionalUrl = z.url().optional();

const jwkArray = z.string().transform((s, ctx) => {
  try {
    const keys = JSON.parse(s);
    if (Array.isArray(keys) && keys.length > 0) return keys as Record<string, unknown>[];
  } catch {}
  ctx.addIssue({ code: 'custom', message: 'must be a JSON array of JWKs' });
  return z.NEVER;
});

const Env = z.object({
  LABLEASE_STAGE: z.string().min(1).default('local'),
  LABLEASE_VERSION: z.string().default('0.1.0'),
  LABLEASE_COMMIT: z.string().default('unknown'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  TABLE_NAME: z.string().min(3).default('lablease'),
  INTENT_QUEUE_URL: optionalUrl,
  /** Set only when talking to a local engine (DynamoDB Local); unset on AWS. */
  DYNAMODB_ENDPOINT: optionalUrl,
  /** Set only when talking to a local SQS (fauxqs); unset on AWS. */
  SQS_ENDPOINT: optionalUrl,
  /** kubesim: the embedded emulator; kubeconfig: a kubeconfig file or the current context; eks: in-process EKS token. */
  LABLEASE_CLUSTER: z.enum(['kubesim', 'kubeconfig', 'eks']).default('kubesim'),
  KUBECONFIG: z.string().optional(),
  /** LABLEASE_CLUSTER=kubeconfig on Lambda: the kubeconfig itself (from the Kubeconfig secret), not a path. */
  KUBECONFIG_DATA: z.string().optional(),
  /** LABLEASE_CLUSTER=eks: the cluster's name (endpoint and CA come from DescribeCluster). */
  EKS_CLUSTER_NAME: z.string().min(1).optional(),
  /** The cluster's API server URL, for display in /api/v1/info only (the API never calls Kubernetes). */
  LABLEASE_CLUSTER_SERVER: optionalUrl,
  /** The dashboard's origin: the only origin allowed for cookie-authenticated unsafe requests. */
  WEB_ORIGIN: z.url().default('http://localhost:5173'),
  /** Environments live on their own domain: <envId>.<ENVIRONMENTS_DOMAIN>. */
  ENVIRONMENTS_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?$/, 'must be a lowercase DNS name')
    // Hosts <envId>.<domain> reach route objects: each label a DNS label, the whole a DNS name.
    .refine((s) => isEnvironmentsDomain(s.replace(/:\d+$/, '')), 'must be a lowercase DNS name')
    .default('env.localhost'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** The API's public base URL: the issuer of access tokens and the base of OIDC callbacks. */
  API_URL: z
    .string()
    .default('http://localhost:8787')
    // It reaches proxy configuration (auth-url, extAuth): a plain base URL only, checked as
    // typed (z.url() would quietly drop tabs and newlines).
    .refine(
      (s) => isSafeBaseUrl(s.replace(/\/$/, '')),
      'must be a plain http(s) base URL: lowercase host, optional port and path; no query, fragment, quotes, spaces or ;{}#$',
    ),
  /** Set by the local stack only: what serves environment hosts there (nginx/<version> or node), for /api/v1/info. */
  LABLEASE_LOCAL_ROUTER: z
    .string()
    .regex(/^(nginx\/[0-9A-Za-z.+~-]+|node)$/, 'must be nginx/<version> or node')
    .optional(),
  /** How environments are routed: Gateway API + Envoy Gateway SecurityPolicy, or ingress-nginx. */
  LABLEASE_ROUTER: z.enum(['gateway', 'ingress-nginx']).default('gateway'),
  /** gateway: the Gateway that environments' HTTPRoutes attach to, as <namespace>/<name>. */
  LABLEASE_GATEWAY: z
    .string()
    .refine((s) => parseObjectRef(s) !== undefined, 'must be <namespace>/<name>')
    .default('lablease-system/lablease'),
  /** gateway: extAuth's backendRef reaching the API, as <Service|Backend>/<namespace>/<name>:<port>. */
  LABLEASE_GATEWAY_AUTH_BACKEND: z
    .string()
    .refine(
      (s) => parseAuthBackend(s) !== undefined,
      'must be <Service|Backend>/<namespace>/<name>:<port>',
    )
    .default('Backend/lablease-system/lablease-api:443'),
  /** ingress-nginx: the IngressClass of environments' Ingresses. */
  LABLEASE_INGRESS_CLASS: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label')
    .default('nginx'),
  /** JSON array of private Ed25519 JWKs with a kid; the first signs, all verify. */
  AUTH_SIGNING_KEYS: jwkArray.optional(),
  /**
   * The same, for the pods' activity tokens alone: the provisioner, which mints
   * them, then holds no key that signs sessions or environment cookies. Unset:
   * AUTH_SIGNING_KEYS signs them (the local stack).
   */
  ACTIVITY_SIGNING_KEYS: jwkArray.optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(3600)
    .default(14 * 86_400),
  LOCAL_ACCOUNTS: z.enum(['true', 'false']).default('true'),
  BOOTSTRAP_ADMIN_EMAIL: z.email().default('admin@lablease.local'),
  DEFAULT_TIER: z.string().min(1).default('free'),
  /** How soon the provisioner looks again at an environment that is still moving. */
  PROVISIONER_POLL_SECONDS: z.coerce.number().int().min(1).max(900).default(5),
  /** OIDC sign-in is on when a client id is set. */
  OIDC_ISSUER: z.url().default('https://accounts.google.com'),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_SCOPES: z.string().default('openid email profile'),
  OIDC_PROVIDER_NAME: z.string().min(1).default('Google'),
  /** Comma-separated; empty lets any verified email sign in. */
  ALLOWED_EMAIL_DOMAINS: z.string().default(''),
  /** Comma-separated emails that are admins (checked at every OIDC sign-in). */
  ADMIN_EMAILS: z.string().default(''),
  /** How long the audit log keeps an event (DynamoDB TTL). */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
});

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);

export type Config = {
  stage: string;
  version: string;
  commit: string;
  region: string;
  tableName: string;
  intentQueueUrl: string | undefined;
  dynamodbEndpoint: string | undefined;
  sqsEndpoint: string | undefined;
  cluster: {
    kind: 'kubesim' | 'kubeconfig' | 'eks';
    kubeconfig: string | undefined;
    server: string | undefined;
    /** The kubeconfig's text (KUBECONFIG_DATA), preferred to the file. */
    kubeconfigData?: string | undefined;
    /** LABLEASE_CLUSTER=eks: the EKS cluster's name. */
    eksClusterName?: string | undefined;
  };
  webOrigin: string;
  environmentsDomain: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  apiUrl: string;
  /** The local stack's router (nginx/<version> or node); undefined elsewhere. */
  localRouter?: string;
  router: {
    kind: 'gateway' | 'ingress-nginx';
    gateway: ObjectRef;
    authBackend: AuthBackendRef;
    ingressClass: string;
  };
  provisionerPollSeconds: number;
  auditRetentionDays: number;
  auth: {
    signingKeys: Record<string, unknown>[] | undefined;
    activitySigningKeys: Record<string, unknown>[] | undefined;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    localAccounts: boolean;
    bootstrapAdminEmail: string;
    defaultTier: string;
    oidc:
      | {
          issuer: string;
          clientId: string;
          clientSecret: string | undefined;
          scopes: string;
          providerName: string;
          allowedEmailDomains: string[];
          adminEmails: string[];
        }
      | undefined;
  };
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset": shells and CI often export VAR= by accident.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = i.path.join('.');
      return i.code === 'invalid_type' && present[name] === undefined
        ? `${name} is required`
        : `${name}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  return {
    stage: e.LABLEASE_STAGE,
    version: e.LABLEASE_VERSION,
    commit: e.LABLEASE_COMMIT,
    region: e.AWS_REGION,
    tableName: e.TABLE_NAME,
    intentQueueUrl: e.INTENT_QUEUE_URL,
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
    sqsEndpoint: e.SQS_ENDPOINT,
    cluster: {
      kind: e.LABLEASE_CLUSTER,
      kubeconfig: e.KUBECONFIG,
      server: e.LABLEASE_CLUSTER_SERVER,
      kubeconfigData: e.KUBECONFIG_DATA,
      eksClusterName: e.EKS_CLUSTER_NAME,
    },
    webOrigin: new URL(e.WEB_ORIGIN).origin,
    environmentsDomain: e.ENVIRONMENTS_DOMAIN,
    logLevel: e.LOG_LEVEL,
    apiUrl: e.API_URL.replace(/\/$/, ''),
    localRouter: e.LABLEASE_LOCAL_ROUTER,
    router: {
      kind: e.LABLEASE_ROUTER,
      gateway: parseObjectRef(e.LABLEASE_GATEWAY)!,
      authBackend: parseAuthBackend(e.LABLEASE_GATEWAY_AUTH_BACKEND)!,
      ingressClass: e.LABLEASE_INGRESS_CLASS,
    },
    provisionerPollSeconds: e.PROVISIONER_POLL_SECONDS,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    auth: {
      signingKeys: e.AUTH_SIGNING_KEYS,
      activitySigningKeys: e.ACTIVITY_SIGNING_KEYS,
      accessTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
      localAccounts: e.LOCAL_ACCOUNTS === 'true',
      bootstrapAdminEmail: e.BOOTSTRAP_ADMIN_EMAIL,
      defaultTier: e.DEFAULT_TIER,
      oidc: e.OIDC_CLIENT_ID
        ? {
            issuer: e.OIDC_ISSUER,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            scopes: e.OIDC_SCOPES,
            providerName: e.OIDC_PROVIDER_NAME,
            allowedEmailDomains: list(e.ALLOWED_EMAIL_DOMAINS),
            adminEmails: list(e.ADMIN_EMAILS),
          }
        : undefined,
    },
  };
}
