// The admin API's shapes (/api/v1/admin/*) as the Admin section reads them.
import type { Environment, TierLimits } from './types.js';

export type { TierLimits };

export interface Resources {
  cpu: string;
  memory: string;
}

/** A catalog entry as administrators see and send it (the whole Template schema). */
export interface AdminTemplate {
  id: string;
  name: string;
  description: string;
  icon?: string;
  image: string;
  port: number;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value: string }>;
  workspacePath: string;
  readinessPath?: string;
  readOnlyRootFilesystem: boolean;
  defaultResources: Resources;
  maxResources: Resources;
  volumeSizeGi: number;
  imagePullSecret?: string;
  tiers: string[];
  enabled: boolean;
  /** The template's own idle stop and lifetime; the stricter of these and the tier's applies. */
  idleTimeoutMinutes?: number;
  maxLifetimeHours?: number;
}

export interface Settings {
  maxRunningGlobal: number;
  tiers: Record<string, TierLimits>;
  cullWarningMinutes: number;
  dataRetentionDays: number;
  /** Which tiers may launch their own images, and from which registry or repository prefixes. */
  customImages?: { tiers: string[]; allowedRegistries: string[] };
}

export interface AdminUser {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'user';
  tier: string;
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: string;
  lastSeenAt: string | null;
}

export interface CreatedUser {
  user: AdminUser;
  temporaryPassword: string;
}

export interface FleetEntry {
  environment: Environment;
  owner: { id: string; email: string; name: string; tier: string; disabled: boolean } | null;
}

export interface FleetOverview {
  total: number;
  byPhase: Record<string, number>;
  running: { count: number; limit: number };
  resources: Resources;
}

export interface AuditEvent {
  id: string;
  at: string;
  actorId: string;
  action: string;
  target: string;
  result: 'success' | 'failure';
  requestId?: string;
  detail?: string;
}

export interface OrphanVolumes {
  items: Array<{
    namespace: string;
    name: string;
    envId: string;
    ownerId: string | null;
    createdAt: string | null;
  }>;
  count: number;
  since: string | null;
}
