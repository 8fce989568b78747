// What the administration verbs work with: the stores and the lifecycle,
// wired once in core/services.ts.
import type { ScryptCost } from '../auth/password.js';
import type { LifecycleDeps } from '../environment/lifecycle.js';
import type { ApiTokenStore } from '../store/api-tokens.js';
import type { AuditStore } from '../store/audit.js';
import type { CatalogStore } from '../store/catalog.js';
import type { EnvironmentStore } from '../store/environments.js';
import type { FleetStore } from '../store/fleet.js';
import type { OrphanVolumeStore } from '../store/orphans.js';
import type { UserStore } from '../store/users.js';

export interface AdminDeps {
  catalog: CatalogStore;
  environments: EnvironmentStore;
  fleet: FleetStore;
  /** Workspace volumes without an environment, as the reconciler last found them. */
  orphanVolumes: Pick<OrphanVolumeStore, 'list'>;
  users: UserStore;
  apiTokens: ApiTokenStore;
  audit: AuditStore;
  lifecycle: LifecycleDeps;
  localAccountsEnabled: boolean;
  scryptCost?: ScryptCost;
  now: () => Date;
}
