import { createHmac, generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AccessTokens,
  generateSigningKey,
  InvalidAccessToken,
} from '../../../core/auth/access-token.js';

const issuer = 'http://localhost:8787';
const audience = 'lablease';
const claims = { sub: 'u123', role: 'user' as const, sid: 's456' };

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('access tokens', () => {
  let key: JWK;
  let tokens: AccessTokens;
  let good: string;

  beforeAll(async () => {
    key = await generateSigningKey('k1');
    tokens = await AccessTokens.create({ keys: [key], issuer, audience, ttlSeconds: 300 });
    good = await tokens.sign(claims);
  });

  it('round-trips the claims', async () => {
    expect(await tokens.verify(good)).toEqual(claims);
  });

  it('verifies tokens of an older key during rotation, and signs with the new one', async () => {
    const next = await generateSigningKey('k2');
    const rotated = await AccessTokens.create({
      keys: [next, key],
      issuer,
      audience,
      ttlSeconds: 300,
    });
    expect(await rotated.verify(good)).toEqual(claims);
    const fresh = await rotated.sign(claims);
    expect(JSON.parse(Buffer.from(fresh.split('.')[0]!, 'base64url').toString()).kid).toBe('k2');
    // Once the old key is dropped, its tokens stop working.
    const dropped = await AccessTokens.create({ keys: [next], issuer, audience, ttlSeconds: 300 });
    await expect(dropped.verify(good)).rejects.toThrow(InvalidAccessToken);
  });

  // Each forgery a reviewer would try must be refused.
  const forgeries: Array<[string, () => Promise<string>]> = [
    [
      'alg none',
      async () => `${b64({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${good.split('.')[1]}.`,
    ],
    [
      'signed with another key under the same kid',
      async () => {
        const { privateKey } = await generateKeyPair('Ed25519');
        return sign(privateKey, {}, { kid: 'k1' });
      },
    ],
    [
      'HS256 with the public key as the secret',
      async () => {
        const { d: _d, ...pub } = key;
        const header = b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' });
        const body = good.split('.')[1];
        const mac = createHmac('sha256', JSON.stringify(pub))
          .update(`${header}.${body}`)
          .digest('base64url');
        return `${header}.${body}.${mac}`;
      },
    ],
    [
      'expired',
      async () => signWithKey({ exp: now() - 3600, iat: now() - 7200, nbf: now() - 7200 }),
    ],
    ['not yet valid', async () => signWithKey({ nbf: now() + 3600, iat: now() })],
    ['wrong issuer', async () => signWithKey({ iss: 'https://evil.example' })],
    ['wrong audience', async () => signWithKey({ aud: 'someone-else' })],
    ['unknown kid', async () => signWithKey({}, { kid: 'k9' })],
    ['path-like kid', async () => signWithKey({}, { kid: '../../../../dev/null' })],
    ['no kid', async () => signWithKey({}, { kid: undefined })],
    [
      'modified payload',
      async () => {
        const [h, p, s] = good.split('.');
        const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
        return `${h}.${b64({ ...payload, role: 'admin' })}.${s}`;
      },
    ],
    ['missing role claim', async () => signWithKey({ role: undefined })],
    ['garbage', async () => 'not.a.jwt'],
  ];

  it('accepts a token made by the forging helper with nothing forged (control)', async () => {
    expect(await tokens.verify(await signWithKey({}))).toEqual(claims);
  });

  it.each(forgeries)('refuses a token: %s', async (_name, forge) => {
    await expect(tokens.verify(await forge())).rejects.toThrow(InvalidAccessToken);
  });

  const now = () => Math.floor(Date.now() / 1000);

  async function sign(
    privateKey: CryptoKey | import('jose').CryptoKey,
    payload: Record<string, unknown>,
    header: Record<string, unknown>,
  ) {
    const body = {
      sub: claims.sub,
      role: claims.role,
      sid: claims.sid,
      iss: issuer,
      aud: audience,
      iat: now(),
      nbf: now(),
      exp: now() + 300,
      ...payload,
    };
    for (const k of Object.keys(body))
      if ((body as Record<string, unknown>)[k] === undefined)
        delete (body as Record<string, unknown>)[k];
    return new SignJWT(body)
      .setProtectedHeader({ alg: 'Ed25519', typ: 'JWT', ...header } as never)
      .sign(privateKey);
  }

  async function signWithKey(
    payload: Record<string, unknown>,
    header: Record<string, unknown> = { kid: 'k1' },
  ) {
    const { importJWK } = await import('jose');
    const priv = await importJWK(key, 'Ed25519');
    const cleanHeader = Object.fromEntries(
      Object.entries(header).filter(([, v]) => v !== undefined),
    );
    return sign(priv as CryptoKey, payload, cleanHeader);
  }

  it('refuses an RS256 token even when its key is otherwise trusted', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = await exportJWK(privateKey);
    const { importJWK } = await import('jose');
    const token = await new SignJWT({ role: 'admin', sid: 's' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('u1')
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(jwk, 'RS256'));
    await expect(tokens.verify(token)).rejects.toThrow(InvalidAccessToken);
  });
});
