// Open: the owner (or an admin) asks to enter an environment; the answer is
// a redirect to the environment host carrying a one-time code, which the
// host's forward auth (verify.ts) turns into the environment cookie. The code
// is the only credential ever put in a URL: 256 random bits, single use,
// valid for seconds, bound to this environment and this user, and stored as
// a hash only.
//
// A stopped (or still starting) environment is opened all the same: the
// router answers its host with the "stopped" page, which links to the
// dashboard to start it. A deleted one is a 409.

import type { Principal } from '../auth/principal.js';
import { hashSecret, newId, newSecret } from '../auth/secrets.js';
import { visibleEnvironment } from '../environment/visible.js';
import { DomainError } from '../errors.js';
import type { AccessCodeStore } from '../store/access-codes.js';
import type { AuditStore } from '../store/audit.js';
import type { EnvironmentStore } from '../store/environments.js';
import { OPEN_PATH, safeNext } from './verify.js';

export const CODE_TTL_MS = 30_000;

export class EnvironmentDeleted extends DomainError {
  constructor() {
    super(
      'environment-deleted',
      'Environment deleted',
      409,
      'The environment is deleted; there is nothing to open.',
    );
  }
}

export interface OpenDeps {
  environments: Pick<EnvironmentStore, 'get' | 'findById'>;
  codes: Pick<AccessCodeStore, 'put'>;
  audit: Pick<AuditStore, 'record'>;
  /** The environment's URL, `<scheme>://<envId>.<domain>/` (environmentUrl in core/cluster/kubeconfig.ts). */
  url: (envId: string) => string;
  now: () => Date;
  log: (message: string, fields: Record<string, unknown>) => void;
}

/** The Location to send the browser to: `<env url>/.lablease/open?code=…&next=…`. */
export async function openEnvironment(
  deps: OpenDeps,
  principal: Principal,
  envId: string,
  opts: { next?: string; requestId?: string } = {},
): Promise<string> {
  const env = await visible(deps, principal, envId);
  if (env.desiredState === 'deleted') throw new EnvironmentDeleted();
  const code = newSecret('code');
  const now = deps.now();
  if (env.ownerId !== principal.userId) {
    // An admin entering someone else's environment is in the trail, always.
    try {
      await deps.audit.record({
        id: newId(),
        at: now.toISOString(),
        actorId: principal.userId,
        action: 'environment.open',
        target: `environment:${env.id}`,
        result: 'success',
        ...(opts.requestId ? { requestId: opts.requestId } : {}),
        detail: `owner ${env.ownerId}`,
      });
    } catch (err) {
      // No trail, no entry: an admin's access to another user's environment is never unrecorded.
      deps.log('audit of an admin open failed', { envId: env.id, err: String(err) });
      throw err;
    }
  }
  await deps.codes.put({
    codeHash: hashSecret(code),
    envId: env.id,
    userId: principal.userId,
    ownerId: env.ownerId,
    expiresAt: new Date(now.getTime() + CODE_TTL_MS),
  });
  const base = deps.url(env.id).replace(/\/$/, '');
  // Slashes stay readable (next=/); everything else a query could misread is escaped.
  const next = encodeURIComponent(safeNext(opts.next)).replaceAll('%2F', '/');
  return `${base}${OPEN_PATH}?code=${code}&next=${next}`;
}

const visible = (deps: OpenDeps, principal: Principal, id: string) =>
  visibleEnvironment(deps.environments, principal, id);
