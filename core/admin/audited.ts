// Every admin action leaves one audit event, whether it succeeded or was
// refused; the event is written after the outcome is known.

import { newId } from '../auth/secrets.js';
import { DomainError } from '../errors.js';
import type { AuditStore } from '../store/audit.js';

/** Who is acting, for the audit trail. */
export interface Actor {
  userId: string;
  requestId?: string;
}

export interface AuditDeps {
  audit: Pick<AuditStore, 'record'>;
  now: () => Date;
}

export async function audited<T>(
  deps: AuditDeps,
  actor: Actor,
  what: { action: string; target: string; detail?: string },
  act: () => Promise<T>,
): Promise<T> {
  const record = (result: 'success' | 'failure', detail?: string) =>
    deps.audit.record({
      id: newId(),
      at: deps.now().toISOString(),
      actorId: actor.userId,
      action: what.action,
      target: what.target,
      result,
      ...(actor.requestId ? { requestId: actor.requestId } : {}),
      ...(detail ? { detail } : {}),
    });
  let value: T;
  try {
    value = await act();
  } catch (err) {
    // A refusal (a DomainError) is part of the trail; an outage is the logs' business.
    if (err instanceof DomainError) await record('failure', err.code);
    throw err;
  }
  await record('success', what.detail);
  return value;
}
