// Credentials for environment hosts, signed with the platform's key set
// (core/auth/access-token.ts) and never usable elsewhere:
// - the environment cookie `lablease_env`: aud `env:<envId>`, sub the user,
//   `owner` the environment's owner (so activity needs no read), 15 minutes,
//   typ `lablease-env+jwt`;
// - the activity token mounted into the pod: aud `activity:<envId>`, sub the
//   owner, typ `lablease-activity+jwt`, no iat/exp. Ed25519 signatures are
//   deterministic, so the same environment always gets the same token: the
//   Secret holding it never drifts, and rotating the signing key (the first
//   key of ACTIVITY_SIGNING_KEYS, or of AUTH_SIGNING_KEYS where that is
//   unset) changes it — that is its revocation. With its own key set the
//   provisioner, which mints these, holds nothing that signs a cookie or a
//   session: those verify against AUTH_SIGNING_KEYS alone.
// An API access token (aud lablease-api, typ JWT) fails every check here, and
// these fail the API's.
import type { JWK } from 'jose';
import { InvalidAccessToken, SigningKeys } from '../auth/access-token.js';
import { type Config, ConfigError } from '../config.js';

export const ENV_COOKIE_TYP = 'lablease-env+jwt';
export const ACTIVITY_TOKEN_TYP = 'lablease-activity+jwt';
export const ENV_COOKIE_TTL_SECONDS = 15 * 60;

export const envAudience = (envId: string) => `env:${envId}`;
export const activityAudience = (envId: string) => `activity:${envId}`;

export interface EnvCookieClaims {
  envId: string;
  userId: string;
  ownerId: string;
  /** Epoch seconds. */
  iat: number;
  exp: number;
}

export type EnvCookieCheck =
  | { ok: true; claims: EnvCookieClaims }
  /** Signed by us for an environment, but another one: a credential, just not for here. */
  | { ok: false; reason: 'other-environment' }
  | { ok: false; reason: 'invalid' };

const USER_ID = /^[0-9a-f]{32}$/;

export interface EnvironmentTokenOptions {
  issuer: string;
  now: () => Date;
  ttlSeconds?: number;
  /** Signs and checks activity tokens (activityKeySet); absent: `keys` do. */
  activityKeys?: SigningKeys;
}

export class EnvironmentTokens {
  constructor(
    private readonly keys: SigningKeys,
    private readonly opts: EnvironmentTokenOptions,
  ) {}

  static async fromKeys(keys: JWK[], opts: EnvironmentTokenOptions): Promise<EnvironmentTokens> {
    return new EnvironmentTokens(await SigningKeys.create(keys), opts);
  }

  private get activityKeys(): SigningKeys {
    return this.opts.activityKeys ?? this.keys;
  }

  get ttlSeconds() {
    return this.opts.ttlSeconds ?? ENV_COOKIE_TTL_SECONDS;
  }

  signCookie(c: { envId: string; userId: string; ownerId: string }): Promise<string> {
    return this.keys.sign(
      { owner: c.ownerId },
      {
        subject: c.userId,
        issuer: this.opts.issuer,
        audience: envAudience(c.envId),
        typ: ENV_COOKIE_TYP,
        times: {
          iat: Math.floor(this.opts.now().getTime() / 1000),
          ttlSeconds: this.ttlSeconds,
        },
      },
    );
  }

  /** Checks a cookie for `envId`. The audience is compared here, to tell "another environment's" from "not ours". */
  async verifyCookie(token: string, envId: string): Promise<EnvCookieCheck> {
    let payload: Awaited<ReturnType<SigningKeys['verify']>>;
    try {
      payload = await this.keys.verify(token, {
        issuer: this.opts.issuer,
        typ: ENV_COOKIE_TYP,
        requiredClaims: ['sub', 'aud', 'iat', 'exp', 'owner'],
        currentDate: this.opts.now(),
      });
    } catch (err) {
      if (err instanceof InvalidAccessToken) return { ok: false, reason: 'invalid' };
      throw err;
    }
    const { aud, sub, owner, iat, exp } = payload;
    if (typeof aud !== 'string' || !aud.startsWith('env:')) return { ok: false, reason: 'invalid' };
    if (aud !== envAudience(envId)) return { ok: false, reason: 'other-environment' };
    if (
      typeof sub !== 'string' ||
      !USER_ID.test(sub) ||
      typeof owner !== 'string' ||
      !USER_ID.test(owner) ||
      typeof iat !== 'number' ||
      typeof exp !== 'number'
    )
      return { ok: false, reason: 'invalid' };
    return { ok: true, claims: { envId, userId: sub, ownerId: owner, iat, exp } };
  }

  /** The pod's token for POST /api/v1/environments/:id/activity (deterministic, see above). */
  mintActivityToken(envId: string, ownerId: string): Promise<string> {
    return this.activityKeys.sign(
      {},
      {
        subject: ownerId,
        issuer: this.opts.issuer,
        audience: activityAudience(envId),
        typ: ACTIVITY_TOKEN_TYP,
      },
    );
  }

  /** The owner an activity token speaks for, or undefined when it is not a token for `envId`. */
  async verifyActivityToken(token: string, envId: string): Promise<string | undefined> {
    try {
      const payload = await this.activityKeys.verify(token, {
        issuer: this.opts.issuer,
        audience: activityAudience(envId),
        typ: ACTIVITY_TOKEN_TYP,
        requiredClaims: ['sub'],
      });
      return typeof payload.sub === 'string' && USER_ID.test(payload.sub) ? payload.sub : undefined;
    } catch (err) {
      if (err instanceof InvalidAccessToken) return undefined;
      throw err;
    }
  }
}

export type ActivityKeyConfig = {
  auth: Pick<Config['auth'], 'signingKeys' | 'activitySigningKeys'>;
};

/**
 * The keys of activity tokens. ACTIVITY_SIGNING_KEYS sign (its first key)
 * when set; AUTH_SIGNING_KEYS otherwise. Both verify, so the tokens pods were
 * given before ACTIVITY_SIGNING_KEYS was set keep working until their next
 * start. A kid in both sets is refused: it would name two keys.
 */
export async function activityKeySet(config: ActivityKeyConfig): Promise<SigningKeys | undefined> {
  const { activitySigningKeys = [], signingKeys = [] } = config.auth;
  const authKids = new Set(signingKeys.map((k) => k.kid));
  if (activitySigningKeys.some((k) => authKids.has(k.kid)))
    throw new ConfigError(
      'Invalid configuration: ACTIVITY_SIGNING_KEYS and AUTH_SIGNING_KEYS must not share a kid',
    );
  const keys = [...activitySigningKeys, ...signingKeys] as JWK[];
  return keys.length ? SigningKeys.create(keys) : undefined;
}

/**
 * The activity token of one environment, for the provisioner to put into the
 * Secret it mounts into the pod. `keys`: activityKeySet's, or private JWKs
 * whose first signs; `issuer` is config.apiUrl.
 */
export async function mintActivityToken(
  keys: JWK[] | SigningKeys,
  issuer: string,
  envId: string,
  ownerId: string,
): Promise<string> {
  const set = keys instanceof SigningKeys ? keys : await SigningKeys.create(keys);
  return new EnvironmentTokens(set, { issuer, now: () => new Date() }).mintActivityToken(
    envId,
    ownerId,
  );
}
