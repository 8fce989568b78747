// Sessions: a short-lived access JWT plus a rotating refresh token. The
// refresh token is `<familyId>.<secret>`; each refresh replaces the secret.
// Presenting a secret that was already rotated away means two parties hold
// the token (one of them a thief): the whole family is revoked.
//
//   sign-in ──▶ family F, secret s1
//   refresh(s1) ──▶ s2          (F.tokenHash = h(s2), previousHash = h(s1))
//   refresh(s1) again ──▶ reuse detected: F revoked; s2 stops working too
import type { SessionStore } from '../store/sessions.js';
import type { User, UserStore } from '../store/users.js';
import type { AccessTokens } from './access-token.js';
import { Unauthenticated } from './errors.js';
import { hashSecret, newId, newSecret } from './secrets.js';

export interface IssuedSession {
  accessToken: string;
  refreshToken: string;
  familyId: string;
  accessExpiresInSeconds: number;
  refreshExpiresAt: Date;
}

/** Two tabs refreshing at once present the same secret; the loser is not a thief. */
const CONCURRENT_REFRESH_GRACE_MS = 10_000;

export class SessionManager {
  constructor(
    private readonly deps: {
      users: UserStore;
      sessions: SessionStore;
      accessTokens: AccessTokens;
      accessTtlSeconds: number;
      refreshTtlSeconds: number;
      now: () => Date;
      log: (message: string, fields: Record<string, unknown>) => void;
    },
  ) {}

  async start(user: User): Promise<IssuedSession> {
    const now = this.deps.now();
    const familyId = newId();
    const secret = newSecret('rt');
    const refreshExpiresAt = new Date(now.getTime() + this.deps.refreshTtlSeconds * 1000);
    await this.deps.sessions.create({
      familyId,
      userId: user.id,
      tokenHash: hashSecret(secret),
      createdAt: now.toISOString(),
      expiresAt: refreshExpiresAt,
      authVersion: user.authVersion,
    });
    return this.issue(user, familyId, secret, refreshExpiresAt);
  }

  async refresh(refreshToken: string): Promise<IssuedSession> {
    const now = this.deps.now();
    const [familyId, secret, extra] = refreshToken.split('.');
    if (!familyId || !secret || extra !== undefined)
      throw new Unauthenticated('The session is invalid; sign in again.');
    const session = await this.deps.sessions.get(familyId, now);
    if (!session || session.revokedAt)
      throw new Unauthenticated('The session has ended; sign in again.');

    const presented = hashSecret(secret);
    if (presented !== session.tokenHash) {
      const rotatedRecently =
        session.rotatedAt &&
        now.getTime() - new Date(session.rotatedAt).getTime() < CONCURRENT_REFRESH_GRACE_MS;
      if (presented === session.previousHash && rotatedRecently) {
        throw new Unauthenticated('The session was just refreshed by another request; retry.');
      }
      await this.deps.sessions.revoke(familyId, now);
      this.deps.log('refresh token reuse: session family revoked', {
        familyId,
        userId: session.userId,
      });
      throw new Unauthenticated('The session has ended; sign in again.');
    }

    // Disabled users and changed roles take effect here, at the latest.
    const user = await this.deps.users.get(session.userId);
    if (!user || user.disabled || user.authVersion !== session.authVersion) {
      await this.deps.sessions.revoke(familyId, now);
      throw new Unauthenticated('The session has ended; sign in again.');
    }

    const next = newSecret('rt');
    if (!(await this.deps.sessions.rotate(familyId, presented, hashSecret(next), now))) {
      throw new Unauthenticated('The session was just refreshed by another request; retry.');
    }
    return this.issue(user, familyId, next, new Date(session.expiresAt * 1000));
  }

  /** Ends the family of a refresh token or of an access token's `sid`; unknown ones are fine. */
  async end(familyId: string): Promise<void> {
    await this.deps.sessions.revoke(familyId, this.deps.now());
  }

  private async issue(
    user: User,
    familyId: string,
    secret: string,
    refreshExpiresAt: Date,
  ): Promise<IssuedSession> {
    return {
      accessToken: await this.deps.accessTokens.sign({
        sub: user.id,
        role: user.role,
        sid: familyId,
        mustChangePassword: user.mustChangePassword === true,
      }),
      refreshToken: `${familyId}.${secret}`,
      familyId,
      accessExpiresInSeconds: this.deps.accessTtlSeconds,
      refreshExpiresAt,
    };
  }
}
