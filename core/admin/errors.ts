// What administration refuses, in the domain's words; statuses for the HTTP edge.
import { DomainError } from '../errors.js';

export class TemplateExists extends DomainError {
  constructor(id: string) {
    super('template-exists', 'Template exists', 409, `A template with the id "${id}" exists.`);
  }
}

export class TemplateInUse extends DomainError {
  constructor(id: string, count: number) {
    super(
      'template-in-use',
      'Template in use',
      409,
      `${count} environment${count === 1 ? '' : 's'} still use${count === 1 ? 's' : ''} the template "${id}"; disable it instead, so no new ones start.`,
    );
  }
}

/** What is versioned with ETag / If-Match. */
export type Versioned = 'settings' | 'template';

const subject = { settings: 'The settings changed', template: 'The template changed' };

/** If-Match names a version that is no longer current: someone else saved in between. */
export class PreconditionFailed extends DomainError {
  constructor(what: Versioned = 'settings') {
    super(
      'precondition-failed',
      'Precondition failed',
      412,
      `${subject[what]} since you read ${what === 'settings' ? 'them' : 'it'}; reload and apply your change again.`,
    );
  }
}

/** A write of versioned data without If-Match could silently undo someone else's change. */
export class PreconditionRequired extends DomainError {
  constructor(what: Versioned = 'settings') {
    super(
      'precondition-required',
      'Precondition required',
      428,
      `Send the ETag you read of the ${what} in If-Match, so a concurrent change is not overwritten.`,
    );
  }
}

/** An admin may not lock themselves out (disable or demote their own account). */
export class SelfLockout extends DomainError {
  constructor(what: string) {
    super('self-lockout', 'Not on your own account', 409, `You cannot ${what} your own account.`);
  }
}
