// Opaque secrets (refresh tokens, API tokens, one-time codes): 256 random bits
// with a readable prefix, so a leaked one is recognisable in a secret scanner.
// Only their SHA-256 is stored: with this much entropy a slow hash adds
// nothing, and a fast one lets a lookup go straight to the item.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export type SecretKind = 'rt' | 'pat' | 'code';

export function newSecret(kind: SecretKind): string {
  return `ll${kind}_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretKind(secret: string): SecretKind | undefined {
  const m = /^ll(rt|pat|code)_[A-Za-z0-9_-]{43}$/.exec(secret);
  return m ? (m[1] as SecretKind) : undefined;
}

/** Ids of users, sessions and tokens: random, never derived from an email. */
export function newId(): string {
  return randomUUID().replaceAll('-', '');
}
