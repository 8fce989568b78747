// The environment cookie and the activity token: signed with the platform's
// keys, each good for one environment and for nothing else.
import { decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  clearEnvCookieHeader,
  envCookieHeader,
  envCookieValues,
} from '../../../core/access/cookie.js';
import {
  activityKeySet,
  EnvironmentTokens,
  mintActivityToken,
} from '../../../core/access/tokens.js';
import { AccessTokens, generateSigningKey } from '../../../core/auth/access-token.js';

const issuer = 'http://localhost:8787';
const A = 'eaaaaaaaaaaaaaaaa';
const B = 'ebbbbbbbbbbbbbbbb';
const owner = '0123456789abcdef0123456789abcdef';
const other = 'fedcba9876543210fedcba9876543210';

let clock: Date;
let tokens: EnvironmentTokens;
let keys: Awaited<ReturnType<typeof generateSigningKey>>[];

beforeAll(async () => {
  keys = [await generateSigningKey('k1')];
  clock = new Date('2026-11-22T10:00:00Z');
  tokens = await EnvironmentTokens.fromKeys(keys, { issuer, now: () => clock });
});

describe('the environment cookie', () => {
  it('round-trips for its environment', async () => {
    const t = await tokens.signCookie({ envId: A, userId: owner, ownerId: owner });
    const check = await tokens.verifyCookie(t, A);
    expect(check).toEqual({
      ok: true,
      claims: {
        envId: A,
        userId: owner,
        ownerId: owner,
        iat: clock.getTime() / 1000,
        exp: clock.getTime() / 1000 + 900,
      },
    });
  });

  it("is another environment's credential on environment B", async () => {
    const t = await tokens.signCookie({ envId: A, userId: owner, ownerId: owner });
    expect(await tokens.verifyCookie(t, B)).toEqual({ ok: false, reason: 'other-environment' });
  });

  it('expires after 15 minutes', async () => {
    const t = await tokens.signCookie({ envId: A, userId: owner, ownerId: owner });
    const later = new EnvironmentTokens(
      (await AccessTokens.create({ keys, issuer, audience: 'x', ttlSeconds: 60 })).keys,
      {
        issuer,
        now: () => new Date(clock.getTime() + 15 * 60_000 + 6_000),
      },
    );
    expect(await later.verifyCookie(t, A)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('is refused when signed by another key set or issuer', async () => {
    const stranger = await EnvironmentTokens.fromKeys([await generateSigningKey('k1')], {
      issuer,
      now: () => clock,
    });
    const forged = await stranger.signCookie({ envId: A, userId: other, ownerId: owner });
    expect(await tokens.verifyCookie(forged, A)).toEqual({ ok: false, reason: 'invalid' });
    const elsewhere = await EnvironmentTokens.fromKeys(keys, {
      issuer: 'https://other.example',
      now: () => clock,
    });
    const t = await elsewhere.signCookie({ envId: A, userId: owner, ownerId: owner });
    expect(await tokens.verifyCookie(t, A)).toEqual({ ok: false, reason: 'invalid' });
  });

  it("never accepts the API's access token, nor is accepted as one", async () => {
    const api = await AccessTokens.create({
      keys,
      issuer,
      audience: 'lablease-api',
      ttlSeconds: 600,
    });
    const access = await api.sign({ sub: owner, role: 'admin', sid: 's' });
    expect(await tokens.verifyCookie(access, A)).toEqual({ ok: false, reason: 'invalid' });
    const cookie = await tokens.signCookie({ envId: A, userId: owner, ownerId: owner });
    await expect(api.verify(cookie)).rejects.toThrow();
  });
});

describe('the activity token', () => {
  it('is deterministic per environment and good for that environment only', async () => {
    const one = await tokens.mintActivityToken(A, owner);
    expect(await mintActivityToken(keys, issuer, A, owner)).toBe(one);
    expect(await tokens.verifyActivityToken(one, A)).toBe(owner);
    expect(await tokens.verifyActivityToken(one, B)).toBeUndefined();
    const cookie = await tokens.signCookie({ envId: A, userId: owner, ownerId: owner });
    expect(await tokens.verifyActivityToken(cookie, A)).toBeUndefined();
    expect((await tokens.verifyCookie(one, A)).ok).toBe(false);
  });

  it('changes when the signing key rotates (its revocation)', async () => {
    const rotated = await mintActivityToken(
      [await generateSigningKey('k2'), ...keys],
      issuer,
      A,
      owner,
    );
    expect(rotated).not.toBe(await tokens.mintActivityToken(A, owner));
  });
});

describe('activity tokens under their own key set (ACTIVITY_SIGNING_KEYS)', () => {
  const config = async (activity: string[], auth: string[]) => ({
    auth: {
      activitySigningKeys: await Promise.all(activity.map((kid) => generateSigningKey(kid))),
      signingKeys: await Promise.all(auth.map((kid) => generateSigningKey(kid))),
    },
  });

  it('are minted with the activity key, which signs nothing else the API accepts', async () => {
    const c = await config(['a1'], ['k1']);
    const activityKeys = (await activityKeySet(c))!;
    const api = await EnvironmentTokens.fromKeys(c.auth.signingKeys, {
      issuer,
      now: () => clock,
      activityKeys,
    });
    const minted = await mintActivityToken(activityKeys, issuer, A, owner);
    expect(decodeProtectedHeader(minted).kid).toBe('a1');
    expect(await api.verifyActivityToken(minted, A)).toBe(owner);
    expect(await api.mintActivityToken(A, owner)).toBe(minted);
    // What the provisioner could sign with its key is no cookie and no session.
    const provisioner = await EnvironmentTokens.fromKeys(c.auth.activitySigningKeys, {
      issuer,
      now: () => clock,
    });
    const forged = await provisioner.signCookie({ envId: A, userId: owner, ownerId: owner });
    expect(await api.verifyCookie(forged, A)).toEqual({ ok: false, reason: 'invalid' });
    const sessions = await AccessTokens.create({
      keys: c.auth.signingKeys,
      issuer,
      audience: 'lablease-api',
      ttlSeconds: 600,
      now: () => clock,
    });
    const forgedSession = await (
      await AccessTokens.create({
        keys: c.auth.activitySigningKeys,
        issuer,
        audience: 'lablease-api',
        ttlSeconds: 600,
        now: () => clock,
      })
    ).sign({ sub: owner, role: 'admin', sid: 's' });
    await expect(sessions.verify(forgedSession)).rejects.toThrow();
  });

  it('still accept the tokens the platform key signed before the activity key was set', async () => {
    const c = await config(['a1'], ['k1']);
    const before = await mintActivityToken(c.auth.signingKeys, issuer, A, owner);
    const api = await EnvironmentTokens.fromKeys(c.auth.signingKeys, {
      issuer,
      now: () => clock,
      activityKeys: (await activityKeySet(c))!,
    });
    expect(await api.verifyActivityToken(before, A)).toBe(owner);
    const stranger = await mintActivityToken([await generateSigningKey('x1')], issuer, A, owner);
    expect(await api.verifyActivityToken(stranger, A)).toBeUndefined();
  });

  it('fall back to the platform keys when no activity key is set; a shared kid is refused', async () => {
    const platform = await config([], ['k1']);
    expect(
      decodeProtectedHeader(
        await mintActivityToken((await activityKeySet(platform))!, issuer, A, owner),
      ).kid,
    ).toBe('k1');
    expect(
      await activityKeySet({ auth: { signingKeys: undefined, activitySigningKeys: undefined } }),
    ).toBeUndefined();
    await expect(activityKeySet(await config(['k1'], ['k1']))).rejects.toThrow(
      /must not share a kid/,
    );
  });
});

describe('the cookie header', () => {
  const jwt = 'aaa.bbb.ccc';
  it('finds every lablease_env value and nothing else', () => {
    expect(envCookieValues(undefined)).toEqual([]);
    expect(envCookieValues(`lablease_env=${jwt}`)).toEqual([jwt]);
    expect(envCookieValues(`a=1; lablease_env=${jwt}; lablease_env=ddd.eee.fff`)).toEqual([
      jwt,
      'ddd.eee.fff',
    ]);
    expect(envCookieValues(`__Host-lablease_access=${jwt}`)).toEqual([]);
    expect(envCookieValues(`xlablease_env=${jwt}; lablease_envx=${jwt}`)).toEqual([]);
    expect(envCookieValues('lablease_env=not-a-jwt')).toEqual([]);
    expect(envCookieValues(Array(10).fill(`lablease_env=${jwt}`).join('; '))).toHaveLength(4);
  });

  it('is host-only, HttpOnly, Lax, Secure on https', () => {
    const line = envCookieHeader(jwt, { secure: true, maxAge: 900 });
    expect(line).toBe(`lablease_env=${jwt}; Path=/; Max-Age=900; HttpOnly; SameSite=Lax; Secure`);
    expect(line).not.toMatch(/domain/i);
    expect(envCookieHeader(jwt, { secure: false, maxAge: 900 })).not.toMatch(/Secure/);
    expect(clearEnvCookieHeader({ secure: false })).toMatch(/^lablease_env=; Path=\/; Max-Age=0/);
  });
});
