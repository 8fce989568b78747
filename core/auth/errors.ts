import { DomainError } from '../errors.js';

export class Unauthenticated extends DomainError {
  constructor(detail = 'Sign in to continue.') {
    super('unauthenticated', 'Not signed in', 401, detail);
  }
}

export class InvalidCredentials extends DomainError {
  constructor() {
    // One message for a wrong password and an unknown email: no account enumeration.
    super(
      'invalid-credentials',
      'Invalid credentials',
      401,
      'The email or password is not correct.',
    );
  }
}

export class Forbidden extends DomainError {
  constructor(detail = 'You are not allowed to do this.') {
    super('forbidden', 'Forbidden', 403, detail);
  }
}

export class PasswordChangeRequired extends DomainError {
  constructor() {
    super(
      'password-change-required',
      'Password change required',
      403,
      'Change your one-time password before continuing.',
    );
  }
}

export class TooManyAttempts extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'too-many-attempts',
      'Too many attempts',
      429,
      `Too many attempts; try again in ${retryAfterSeconds} seconds.`,
    );
  }
}

export class LocalAccountsDisabled extends DomainError {
  constructor() {
    super(
      'local-accounts-disabled',
      'Local accounts are disabled',
      404,
      'This installation signs in through its identity provider only.',
    );
  }
}
