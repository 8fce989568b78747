import { describe, expect, it } from 'vitest';
import {
  generatePassword,
  hashPassword,
  passwordProblem,
  verifyPassword,
} from '../../../core/auth/password.js';
import { hashSecret, newSecret, secretKind } from '../../../core/auth/secrets.js';

const cheap = { N: 2 ** 10, r: 8, p: 1 };

describe('passwords', () => {
  it('verifies the right password and refuses others', async () => {
    const hash = await hashPassword('correct horse battery', cheap);
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterx', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password!', cheap)).not.toBe(
      await hashPassword('same password!', cheap),
    );
  });

  it('refuses malformed stored hashes instead of throwing', async () => {
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$1$2$3$a$b')).toBe(false);
  });

  it('explains weak passwords', () => {
    expect(passwordProblem('short')).toMatch(/at least 12/);
    expect(passwordProblem('aaaaaaaaaaaaaaaa')).toMatch(/repeat/);
    expect(passwordProblem('ada.lovelace-2026!', { email: 'ada.lovelace@example.org' })).toMatch(
      /email/,
    );
    expect(passwordProblem(generatePassword())).toBeUndefined();
  });
});

describe('opaque secrets', () => {
  it('are prefixed, random and hashed for storage', () => {
    const a = newSecret('pat');
    const b = newSecret('pat');
    expect(a).not.toBe(b);
    expect(secretKind(a)).toBe('pat');
    expect(secretKind(`${a}x`)).toBeUndefined();
    expect(hashSecret(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecret(a)).not.toContain(a);
  });
});
