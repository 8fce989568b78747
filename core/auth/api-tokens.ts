// Personal API tokens for scripts and CLIs: the secret is shown once, only its
// hash is stored, and every use checks expiry, scopes and the owner's status.

import { ValidationFailed } from '../errors.js';
import type { ApiToken, ApiTokenStore, Scope } from '../store/api-tokens.js';
import type { UserStore } from '../store/users.js';
import { Forbidden, Unauthenticated } from './errors.js';
import type { Principal } from './principal.js';
import { hashSecret, newId, newSecret, secretKind } from './secrets.js';

export const MAX_TOKEN_DAYS = 365;
/** lastUsedAt is informational: write it at most this often per token. */
const TOUCH_EVERY_MS = 60_000;

export interface CreatedToken {
  id: string;
  token: string;
  name: string;
  scopes: Scope[];
  expiresAt: string;
}

export type PublicToken = Omit<ApiToken, 'tokenHash' | 'userId'>;

export class ApiTokens {
  constructor(
    private readonly deps: { tokens: ApiTokenStore; users: UserStore; now: () => Date },
  ) {}

  async create(
    owner: Principal,
    input: { name: string; scopes: Scope[]; expiresInDays: number },
  ): Promise<CreatedToken> {
    if (owner.via === 'token')
      throw new Forbidden('API tokens cannot create API tokens; use the dashboard.');
    const forbidden = input.scopes.filter((s) => !owner.scopes.includes(s));
    if (forbidden.length > 0) {
      throw new ValidationFailed([
        { field: 'scopes', message: `you cannot grant ${forbidden.join(', ')}` },
      ]);
    }
    const now = this.deps.now();
    const token = newSecret('pat');
    const record: ApiToken = {
      id: newId(),
      userId: owner.userId,
      name: input.name,
      scopes: [...new Set(input.scopes)],
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString(),
      tokenHash: hashSecret(token),
    };
    await this.deps.tokens.create(record);
    return {
      id: record.id,
      token,
      name: record.name,
      scopes: record.scopes,
      expiresAt: record.expiresAt,
    };
  }

  async list(owner: Principal): Promise<PublicToken[]> {
    const now = this.deps.now();
    return (await this.deps.tokens.list(owner.userId))
      .filter((t) => new Date(t.expiresAt) > now)
      .map(({ tokenHash: _h, userId: _u, ...pub }) => pub)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  revoke(owner: Principal, id: string): Promise<void> {
    return this.deps.tokens.revoke(owner.userId, id);
  }

  /** The principal behind a bearer token, or 401. */
  async authenticate(bearer: string): Promise<Principal> {
    if (secretKind(bearer) !== 'pat') throw new Unauthenticated('The API token is not valid.');
    const now = this.deps.now();
    const hash = hashSecret(bearer);
    const token = await this.deps.tokens.findBySecretHash(hash, now);
    if (!token) throw new Unauthenticated('The API token is not valid, expired or was revoked.');
    const user = await this.deps.users.get(token.userId);
    if (!user || user.disabled)
      throw new Unauthenticated('The account behind this token is disabled.');
    if (
      !token.lastUsedAt ||
      now.getTime() - new Date(token.lastUsedAt).getTime() > TOUCH_EVERY_MS
    ) {
      await this.deps.tokens.touch(hash, token.userId, token.id, now);
    }
    return {
      userId: user.id,
      role: user.role,
      via: 'token',
      // A token never holds more than its owner's role allows today.
      scopes: token.scopes.filter((s) => s !== 'admin' || user.role === 'admin'),
      tokenId: token.id,
    };
  }
}
