// What the provisioner needs to know of a failed Kubernetes call: try again
// later (throttled, server trouble, network) or stop and tell the user (the
// cluster refused the object: invalid, forbidden by quota or Pod Security).
import { DomainError } from '../errors.js';

export class TransientClusterError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      'cluster-unavailable',
      'Cluster temporarily unavailable',
      503,
      message,
      undefined,
      options,
    );
  }
}

export class PermanentClusterError extends DomainError {
  constructor(
    code: string,
    /** The cluster's own words (Status.message), shown to the user. */
    message: string,
    readonly httpStatus: number,
  ) {
    super(code, 'The cluster refused the change', 422, message);
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { retryAfterSeconds?: number };
}

function statusBody(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body };
    }
  }
  return (body ?? {}) as StatusBody;
}

/** Classifies an error thrown by @kubernetes/client-node (or the network under it). */
export function classifyClusterError(
  err: unknown,
): TransientClusterError | PermanentClusterError | undefined {
  const e = err as { code?: unknown; body?: unknown; headers?: Record<string, string> };
  if (typeof e?.code !== 'number') {
    // No HTTP status: a network failure, a reset connection, a timeout.
    return new TransientClusterError(
      `cannot reach the cluster: ${(err as Error)?.message ?? String(err)}`,
      undefined,
      { cause: err },
    );
  }
  const status = statusBody(e.body);
  const message = status.message ?? `HTTP ${e.code}`;
  if (e.code === 429 || e.code >= 500 || e.code === 408) {
    const header = Number(e.headers?.['retry-after'] ?? e.headers?.['Retry-After']);
    const retryAfter =
      Number.isFinite(header) && header > 0 ? header : status.details?.retryAfterSeconds;
    return new TransientClusterError(message, retryAfter, { cause: err });
  }
  if (e.code === 404 || e.code === 409) return undefined; // expected outcomes the caller decides on
  return new PermanentClusterError(
    `cluster-${(status.reason ?? String(e.code)).toLowerCase()}`,
    message,
    e.code,
  );
}
