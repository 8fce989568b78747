// One family of domain errors. Each says what happened in the domain's words
// and which HTTP status it maps to at the edge (core/api/problem.ts); core code
// throws these, never HTTP exceptions.

export interface FieldError {
  /** JSON pointer-ish path of the offending field, e.g. "resources.cpu". */
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    /** Stable, machine-readable code, e.g. "environment-not-found". */
    readonly code: string,
    /** Short, human title of the problem type. */
    readonly title: string,
    readonly status: number,
    detail?: string,
    readonly fieldErrors?: FieldError[],
    options?: { cause?: unknown },
  ) {
    super(detail ?? title, options);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends DomainError {
  constructor(errors: FieldError[], detail = 'The request has invalid fields.') {
    super('validation-failed', 'Validation failed', 422, detail, errors);
  }
}

export class NotFound extends DomainError {
  constructor(what: string) {
    super('not-found', 'Not found', 404, `${what} was not found.`);
  }
}
