// The API's shapes as the dashboard reads them (DESIGN.md "API (contract)").
// Only what the screens use; the server may send more.

export type Scope = 'environments:read' | 'environments:write' | 'admin';

export interface Info {
  name: 'lablease';
  version: string;
  commit: string;
  stage: string;
  backends: {
    dynamodb: { engine: string };
    queue: { engine: string };
    cluster: { kind: string; server?: string };
  };
  signIn: { localAccounts: boolean; oidc: { name: string } | null };
}

export interface Me {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'user';
  tier: string;
  mustChangePassword: boolean;
  via: 'session' | 'token';
  scopes: Scope[];
}

export interface SignedIn {
  user: Me;
}

export interface Collection<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ApiToken {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt?: string;
}

export interface CreatedApiToken {
  id: string;
  /** The secret: the API shows it once, at creation. */
  token: string;
  name: string;
  scopes: Scope[];
  expiresAt: string;
}

export type Phase =
  | 'Pending'
  | 'Starting'
  | 'Running'
  | 'Stopping'
  | 'Stopped'
  | 'Deleting'
  | 'Deleted'
  | 'Failed';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface ProgressEvent {
  at: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface Environment {
  id: string;
  name: string;
  templateId: string;
  /** A custom image run in place of the template's; null for the template's own. */
  image?: string | null;
  resources: { cpu: string; memory: string };
  volume: { name: string; sizeGi: number };
  desiredState: 'running' | 'stopped' | 'deleted';
  generation: number;
  createdAt: string;
  updatedAt: string;
  dataDeletion: { requestedAt: string; purgeAfter: string } | null;
  /** Set by an admin: no idle warning or cull before this time. */
  keepAliveUntil?: string | null;
  status: {
    phase: Phase;
    conditions: Condition[];
    observedGeneration: number;
    url: string | null;
    events: ProgressEvent[];
    lastActivityAt: string | null;
    startedAt: string | null;
    cullAt: string | null;
    failure: { reason: string; message: string } | null;
  };
}

export interface Template {
  id: string;
  name: string;
  description: string;
  icon: string | null;
  image: string;
  defaultResources: { cpu: string; memory: string };
  maxResources: { cpu: string; memory: string };
  volumeSizeGi: number;
}

export interface TierLimits {
  maxRunning: number;
  maxTotal: number;
  maxCpu: string;
  maxMemory: string;
  idleTimeoutMinutes: number;
  maxLifetimeHours: number;
  volumeSizeGi: number;
  /** This tier's warning before a cull; the installation's when absent. */
  cullWarningMinutes?: number;
}

/** GET /api/v1/me/limits: your tier's limits and what you use of them. */
export interface Limits {
  tier: string;
  limits: TierLimits;
  usage: { running: number; total: number };
  /** Where this tier may launch its own images from; null when it may not. */
  customImages?: { allowedRegistries: string[] } | null;
}
