// Short-lived access tokens: JWTs signed with Ed25519 from a fixed key set.
// Verification pins the algorithm and resolves the key only by looking the
// token's `kid` up in that set — a token can never name its own key (no `jku`,
// `x5u`, embedded `jwk`, or a path-like kid reaching a file).
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from 'jose';
import { z } from 'zod';

export const ACCESS_TOKEN_ALG = 'Ed25519';

export const Role = z.enum(['admin', 'user']);
export type Role = z.infer<typeof Role>;

/** What an access token says about its holder. */
export interface AccessClaims {
  /** The user id. */
  sub: string;
  role: Role;
  /** The refresh session family it was minted from, so logout can name it. */
  sid: string;
  /** Set while a one-time password must be changed: the token is good for nothing else. */
  mustChangePassword?: boolean;
}

export class InvalidAccessToken extends Error {
  override name = 'InvalidAccessToken';
}

const PrivateJwk = z.looseObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  kid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'kid must be 1-64 url-safe characters'),
  x: z.string(),
  d: z.string(),
});

export interface AccessTokenOptions {
  /** Private JWKs; the first signs, all verify (rotation: add the new key first, drop the old one after the token lifetime). */
  keys: JWK[];
  issuer: string;
  audience: string;
  ttlSeconds: number;
  now?: () => Date;
}

/**
 * The platform's Ed25519 key set, imported once: the first key signs, all
 * verify. Access tokens, environment cookies and activity tokens all sign
 * with it; each kind has its own audience (and `typ`), so one never passes
 * for another.
 */
export class SigningKeys {
  private constructor(
    private readonly signing: { kid: string; key: CryptoKey },
    private readonly verifying: Map<string, CryptoKey>,
  ) {}

  static async create(keys: JWK[]): Promise<SigningKeys> {
    if (keys.length === 0) throw new Error('at least one signing key is required');
    const verifying = new Map<string, CryptoKey>();
    let signing: { kid: string; key: CryptoKey } | undefined;
    for (const raw of keys) {
      const jwk = PrivateJwk.parse(raw);
      const { d: _private, ...publicJwk } = jwk;
      verifying.set(jwk.kid, (await importJWK(publicJwk, ACCESS_TOKEN_ALG)) as CryptoKey);
      signing ??= { kid: jwk.kid, key: (await importJWK(jwk, ACCESS_TOKEN_ALG)) as CryptoKey };
    }
    return new SigningKeys(signing!, verifying);
  }

  /** Signs `claims` (with iat/nbf/exp when `times` is given; without, the token is deterministic). */
  sign(
    claims: JWTPayload,
    opts: {
      subject: string;
      issuer: string;
      audience: string;
      typ?: string;
      times?: { iat: number; ttlSeconds: number };
    },
  ): Promise<string> {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: this.signing.kid, typ: opts.typ ?? 'JWT' })
      .setSubject(opts.subject)
      .setIssuer(opts.issuer)
      .setAudience(opts.audience);
    if (opts.times) {
      const { iat, ttlSeconds } = opts.times;
      jwt
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(iat + ttlSeconds);
    }
    return jwt.sign(this.signing.key);
  }

  /**
   * The payload of a token signed by one of our keys, with the algorithm
   * pinned and the key found by `kid` only. Throws InvalidAccessToken.
   * `audience` undefined leaves the audience to the caller (which must check it).
   */
  async verify(
    token: string,
    opts: {
      issuer: string;
      audience?: string;
      typ?: string;
      requiredClaims?: string[];
      currentDate?: Date;
    },
  ): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = typeof header.kid === 'string' ? this.verifying.get(header.kid) : undefined;
          if (!key) throw new InvalidAccessToken('unknown key id');
          return key;
        },
        {
          algorithms: [ACCESS_TOKEN_ALG],
          issuer: opts.issuer,
          ...(opts.audience !== undefined ? { audience: opts.audience } : {}),
          requiredClaims: opts.requiredClaims ?? ['sub', 'iat', 'exp'],
          currentDate: opts.currentDate,
          clockTolerance: 5,
          typ: opts.typ ?? 'JWT',
        },
      );
      return payload;
    } catch (err) {
      if (err instanceof InvalidAccessToken) throw err;
      if (err instanceof joseErrors.JOSEError) throw new InvalidAccessToken(err.code);
      throw err;
    }
  }
}

export class AccessTokens {
  private constructor(
    readonly keys: SigningKeys,
    private readonly opts: AccessTokenOptions,
  ) {}

  static async create(opts: AccessTokenOptions): Promise<AccessTokens> {
    return new AccessTokens(await SigningKeys.create(opts.keys), opts);
  }

  private now() {
    return Math.floor((this.opts.now?.() ?? new Date()).getTime() / 1000);
  }

  sign(claims: AccessClaims): Promise<string> {
    return this.keys.sign(
      {
        role: claims.role,
        sid: claims.sid,
        ...(claims.mustChangePassword ? { chg: true } : {}),
      },
      {
        subject: claims.sub,
        issuer: this.opts.issuer,
        audience: this.opts.audience,
        times: { iat: this.now(), ttlSeconds: this.opts.ttlSeconds },
      },
    );
  }

  async verify(token: string): Promise<AccessClaims> {
    const payload = await this.keys.verify(token, {
      issuer: this.opts.issuer,
      audience: this.opts.audience,
      currentDate: this.opts.now?.(),
    });
    return parseClaims(payload);
  }
}

function parseClaims(payload: JWTPayload): AccessClaims {
  const parsed = z
    .object({
      sub: z.string().min(1),
      role: Role,
      sid: z.string().min(1),
      chg: z.literal(true).optional(),
    })
    .safeParse(payload);
  if (!parsed.success) throw new InvalidAccessToken('malformed claims');
  const { chg, ...claims } = parsed.data;
  return chg ? { ...claims, mustChangePassword: true } : claims;
}

/** A new private JWK, for the local stack's first start and for tests. */
export async function generateSigningKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: ACCESS_TOKEN_ALG, use: 'sig' };
}
