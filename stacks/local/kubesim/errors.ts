// Errors as the kube-apiserver reports them: a metav1.Status body with the
// real reason and message texts, so clients that branch on them (client-node,
// kubectl, our provisioner) behave as on a real cluster.

/** metav1.StatusCause: its Go field `Type` is serialized as `reason`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Forbidden'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'Expired'
  | 'Gone'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Unauthorized';

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus() {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `pods "x"` — how the API server names an object in messages. */
const subject = (resource: string, name: string) => `${resource} "${name}"`;

export const notFound = (resource: string, name: string, group = '', kind = resource) =>
  new StatusError(404, 'NotFound', `${subject(resource, name)} not found`, { name, group, kind });

export const alreadyExists = (resource: string, name: string, group = '', kind = resource) =>
  new StatusError(409, 'AlreadyExists', `${subject(resource, name)} already exists`, {
    name,
    group,
    kind,
  });

export const conflict = (resource: string, name: string, group = '', kind = resource) =>
  new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${subject(resource, name)}: the object has been modified; please apply your changes to the latest version and try again`,
    { name, group, kind },
  );

export const invalid = (
  kind: string,
  name: string,
  causes: Required<Pick<StatusCause, 'field' | 'message'>>[],
  group = '',
) =>
  new StatusError(
    422,
    'Invalid',
    // The message names the group-qualified kind (`Deployment.apps "web" is invalid: ...`);
    // one error reads `f: msg`, several are bracketed, as Go's aggregate prints them.
    `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${causes.length === 1 ? '' : '['}${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}${causes.length === 1 ? '' : ']'}`,
    {
      name,
      group,
      kind,
      causes: causes.map((c) => ({ reason: 'FieldValueInvalid', ...c })),
    },
  );

export const forbidden = (
  resource: string,
  name: string,
  why: string,
  group = '',
  kind = resource,
) =>
  new StatusError(403, 'Forbidden', `${subject(resource, name)} is forbidden: ${why}`, {
    name,
    group,
    kind,
  });

export const badRequest = (message: string) => new StatusError(400, 'BadRequest', message);

export const expired = (
  message = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
) => new StatusError(410, 'Expired', message);
