// Local accounts: email + password, for small installs and the local stack.
// Failed attempts are counted per account and per client address; past the
// limit a sign-in answers 429 before the password is even checked.

import { ValidationFailed } from '../errors.js';
import type { RateLimits, Window } from '../store/rate-limits.js';
import { EmailTaken, type User, type UserStore } from '../store/users.js';
import {
  InvalidCredentials,
  LocalAccountsDisabled,
  TooManyAttempts,
  Unauthenticated,
} from './errors.js';
import {
  decoyHash,
  generatePassword,
  hashPassword,
  passwordProblem,
  type ScryptCost,
  verifyPassword,
} from './password.js';
import { newId } from './secrets.js';

/** Per account: 5 wrong passwords per 15 minutes, then locked until the window ends. */
export const ACCOUNT_FAILURES: Window = { limit: 5, seconds: 15 * 60 };
/** Per client address: 20 sign-in attempts a minute, right or wrong. */
export const ADDRESS_ATTEMPTS: Window = { limit: 20, seconds: 60 };

export class LocalAccounts {
  constructor(
    private readonly deps: {
      enabled: boolean;
      users: UserStore;
      limits: RateLimits;
      cost?: ScryptCost;
      now: () => Date;
    },
  ) {}

  /** Returns the user when the password is right; throws otherwise. */
  async verify(email: string, password: string, clientAddress: string): Promise<User> {
    if (!this.deps.enabled) throw new LocalAccountsDisabled();
    const now = this.deps.now();
    const address = await this.deps.limits.hit(`signin-ip#${clientAddress}`, ADDRESS_ATTEMPTS, now);
    if (!address.allowed) throw new TooManyAttempts(address.retryAfterSeconds);
    const accountKey = `signin-fail#${email.trim().toLowerCase()}`;
    const account = await this.deps.limits.peek(accountKey, ACCOUNT_FAILURES, now);
    if (!account.allowed) throw new TooManyAttempts(account.retryAfterSeconds);

    const user = await this.deps.users.getByEmail(email);
    // Same work whether or not the account exists: timing reveals nothing.
    const ok = await verifyPassword(
      password,
      user?.passwordHash ?? (await decoyHash(this.deps.cost)),
    );
    if (!user?.passwordHash || !ok) {
      await this.deps.limits.hit(accountKey, ACCOUNT_FAILURES, now);
      throw new InvalidCredentials();
    }
    if (user.disabled) throw new Unauthenticated('This account is disabled.');
    await this.deps.limits.clear(accountKey, ACCOUNT_FAILURES, now);
    return user;
  }

  /** Changes the password after checking the current one; ends every other session (authVersion bump). */
  async changePassword(user: User, currentPassword: string, newPassword: string): Promise<void> {
    if (!this.deps.enabled) throw new LocalAccountsDisabled();
    if (!user.passwordHash || !(await verifyPassword(currentPassword, user.passwordHash))) {
      throw new ValidationFailed([{ field: 'currentPassword', message: 'is not correct' }]);
    }
    const problem = passwordProblem(newPassword, { email: user.email });
    if (problem) throw new ValidationFailed([{ field: 'newPassword', message: problem }]);
    if (newPassword === currentPassword) {
      throw new ValidationFailed([
        { field: 'newPassword', message: 'must differ from the current password' },
      ]);
    }
    await this.deps.users.update(
      user.id,
      user.authVersion,
      { passwordHash: await hashPassword(newPassword, this.deps.cost), mustChangePassword: false },
      { bumpAuthVersion: true },
    );
  }

  /**
   * Creates the bootstrap admin of a new install, once. Returns its one-time
   * password, or undefined when the account already exists.
   */
  async ensureBootstrapAdmin(
    email: string,
    tier: string,
  ): Promise<{ email: string; password: string } | undefined> {
    if (!this.deps.enabled) return undefined;
    if (await this.deps.users.getByEmail(email)) return undefined;
    const password = generatePassword();
    try {
      await this.deps.users.create({
        id: newId(),
        email,
        name: 'Administrator',
        role: 'admin',
        tier,
        disabled: false,
        createdAt: this.deps.now().toISOString(),
        passwordHash: await hashPassword(password, this.deps.cost),
        mustChangePassword: true,
        authVersion: 0,
      });
    } catch (err) {
      // Another process created it between our read and write: theirs stands.
      if (err instanceof EmailTaken) return undefined;
      throw err;
    }
    return { email, password };
  }
}
