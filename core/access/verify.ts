// Forward auth: may this request reach this environment? The answer is a
// plain value the route turns into HTTP:
//   200 allow (maybe with a fresh cookie)  401 no credential  403 not for you
// Order of the checks:
//   1. /.lablease/open?code=…: the one-time code from Open, redeemed once
//      (a replayed or expired code is 401 whatever else the request holds);
//   2. the `lablease_env` cookie(s): signature, issuer, typ, audience = this
//      environment. A warm cookie costs no database read; past half its life
//      it is re-issued after one read of the user (still enabled, still the
//      owner or an admin), so a disabled account loses access within minutes.
// The API's own cookies (`__Host-lablease_*`) are never read here.
//
// Envoy's ext_authz copies no header of an allowing answer to the client
// (Envoy Gateway exposes only headersToBackend), but sends a denying answer
// — status, headers, body — to the client as is. So, in the path-prefix form,
// a cookie is set through a redirect that Envoy treats as a denial: the
// code's answer is 302 to `next` with Set-Cookie, a re-issue is 307 to the
// same URI, and "sign in" is 302 to Open instead of a bare 401.
import { hashSecret, secretKind } from '../auth/secrets.js';
import type { AccessCodeStore } from '../store/access-codes.js';
import type { UserStore } from '../store/users.js';
import type { ActivityRecorder } from './activity.js';
import { clearEnvCookieHeader, envCookieHeader, envCookieValues } from './cookie.js';
import {
  type EnvironmentsDomain,
  type ForwardedInput,
  parseForwarded,
  queryParam,
} from './forwarded.js';
import type { EnvironmentTokens } from './tokens.js';

/** Where the router sends the browser to get a code (the router answers it itself once allowed). */
export const OPEN_PATH = '/.lablease/open';

export interface VerifyDeps {
  domain: EnvironmentsDomain;
  tokens: EnvironmentTokens;
  codes: Pick<AccessCodeStore, 'redeem'>;
  users: Pick<UserStore, 'get'>;
  activity: ActivityRecorder;
  /** The API's public URL: the base of the Open URL in a 401. */
  apiUrl: string;
  /** Environments are served over https (cookies carry Secure). */
  secure: boolean;
  now: () => Date;
}

export interface VerifyAnswer {
  status: 200 | 302 | 307 | 400 | 401 | 403;
  /** Why, in a few words, for logs and tests (never a secret). */
  reason: string;
  headers: Record<string, string>;
  /** A short text for the client when the proxy shows the answer itself (Envoy). */
  body?: string;
  /** Who was let in, when someone was. */
  userId?: string;
  envId?: string;
}

export function openUrl(apiUrl: string, envId: string): string {
  return `${apiUrl}/api/v1/environments/${envId}/open`;
}

/** A path on the same host to land on after the code: never another origin. */
export function safeNext(next: string | undefined): string {
  if (!next || next.length > 2048) return '/';
  // Printable ASCII only; no '//' and no backslash (browsers read '/\x' as '//x': another host).
  if (!/^\/[\x21-\x7e]*$/.test(next) || next.startsWith('//') || next.includes('\\')) return '/';
  return next;
}

export async function verifyAccess(
  deps: VerifyDeps,
  input: ForwardedInput & { cookie: string | undefined },
): Promise<VerifyAnswer> {
  const parsed = parseForwarded(input, deps.domain);
  if (!parsed.ok) return { status: parsed.status, reason: parsed.reason, headers: {} };
  const req = parsed.request;
  const envoy = req.form === 'path-prefix';
  const navigation = (req.method === 'GET' || req.method === 'HEAD') && !req.upgrade;

  const signIn = (reason: string, clear = false): VerifyAnswer => {
    const open = openUrl(deps.apiUrl, req.envId);
    const headers: Record<string, string> = { 'x-lablease-signin': open };
    if (clear) headers['set-cookie'] = clearEnvCookieHeader({ secure: deps.secure });
    if (envoy && navigation) {
      return { status: 302, reason, envId: req.envId, headers: { ...headers, location: open } };
    }
    return {
      status: 401,
      reason,
      envId: req.envId,
      headers: { ...headers, location: open },
      ...(envoy ? { body: 'Sign in to open this environment.' } : {}),
    };
  };

  // 1. The one-time code.
  if (req.path === OPEN_PATH) {
    const code = queryParam(req.query, 'code');
    if (code !== undefined) {
      if (secretKind(code) !== 'code') return signIn('not a code');
      const redeemed = await deps.codes.redeem(hashSecret(code), req.envId, deps.now());
      if (!redeemed) return signIn('code unknown, used or expired');
      const token = await deps.tokens.signCookie({ envId: req.envId, ...redeemed });
      const setCookie = envCookieHeader(token, {
        secure: deps.secure,
        maxAge: deps.tokens.ttlSeconds,
      });
      await deps.activity.touch({ id: req.envId, ownerId: redeemed.ownerId });
      const who = { userId: redeemed.userId, envId: req.envId };
      if (envoy) {
        const location = safeNext(queryParam(req.query, 'next'));
        return {
          status: 302,
          reason: 'code redeemed',
          headers: { 'set-cookie': setCookie, location },
          ...who,
        };
      }
      return { status: 200, reason: 'code redeemed', headers: { 'set-cookie': setCookie }, ...who };
    }
  }

  // 2. The cookie: any value valid for this environment lets the request in.
  const values = envCookieValues(input.cookie);
  if (values.length === 0) return signIn('no environment cookie');
  let otherEnvironment = false;
  let invalid = false;
  for (const value of values) {
    const check = await deps.tokens.verifyCookie(value, req.envId);
    if (!check.ok) {
      if (check.reason === 'other-environment') otherEnvironment = true;
      else invalid = true;
      continue;
    }
    const { claims } = check;
    await deps.activity.touch({ id: req.envId, ownerId: claims.ownerId });
    const who = { userId: claims.userId, envId: req.envId };
    const nowSeconds = Math.floor(deps.now().getTime() / 1000);
    if (nowSeconds - claims.iat < (claims.exp - claims.iat) / 2) {
      return { status: 200, reason: 'cookie', headers: {}, ...who };
    }
    // Past half its life: one read of the user before a fresh cookie.
    const user = await deps.users.get(claims.userId);
    if (!user || user.disabled || (user.id !== claims.ownerId && user.role !== 'admin')) {
      return signIn('the account may no longer open this environment', true);
    }
    const token = await deps.tokens.signCookie({
      envId: req.envId,
      userId: claims.userId,
      ownerId: claims.ownerId,
    });
    const setCookie = envCookieHeader(token, {
      secure: deps.secure,
      maxAge: deps.tokens.ttlSeconds,
    });
    if (envoy) {
      // Envoy drops an allowing answer's headers: re-issue on a navigation by a redirect to itself.
      if (!navigation)
        return { status: 200, reason: 'cookie (renewal deferred)', headers: {}, ...who };
      const location = req.query ? `${req.path}?${req.query}` : req.path;
      return {
        status: 307,
        reason: 'cookie renewed',
        headers: { 'set-cookie': setCookie, location },
        ...who,
      };
    }
    return { status: 200, reason: 'cookie renewed', headers: { 'set-cookie': setCookie }, ...who };
  }
  // 403 only when every cookie is another environment's: an expired cookie of
  // one's own beside a tossed one must still lead to sign-in, which recovers.
  if (otherEnvironment && !invalid) {
    return {
      status: 403,
      reason: 'a cookie for another environment',
      envId: req.envId,
      headers: {},
      ...(envoy ? { body: 'This environment belongs to someone else.' } : {}),
    };
  }
  return signIn('invalid or expired environment cookie');
}
