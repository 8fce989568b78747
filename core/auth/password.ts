// Local-account passwords: scrypt with a per-password salt, compared in
// constant time. The stored string carries its parameters, so the cost can be
// raised later without breaking existing hashes.
import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt minimum (2^17 with r=8) costs ~128 MiB; 2^15 keeps Lambda's 512 MiB comfortable at ~32 MiB. */
export const DEFAULT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

export async function hashPassword(
  password: string,
  cost: ScryptCost = DEFAULT_COST,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return [
    'scrypt',
    cost.N,
    cost.r,
    cost.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(N),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of a random password, to verify against when the account does not exist, so timing does not reveal which emails have accounts. */
let decoy: Promise<string> | undefined;
export function decoyHash(cost: ScryptCost = DEFAULT_COST) {
  decoy ??= hashPassword(randomBytes(16).toString('hex'), cost);
  return decoy;
}

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** Returns why a new password is unacceptable, or undefined when it is fine. */
export function passwordProblem(
  password: string,
  context: { email?: string } = {},
): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH)
    return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH)
    return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (
    context.email &&
    password.toLowerCase().includes(context.email.toLowerCase().split('@')[0] ?? '\u0000')
  )
    return 'must not contain your email name';
  if (new Set(password).size < 5) return 'must not repeat a few characters';
  return undefined;
}

/** A one-time password for a bootstrap admin or a new local account: 20 characters, ~119 bits. */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from({ length: 20 }, () => alphabet[randomInt(alphabet.length)]).join('');
}
