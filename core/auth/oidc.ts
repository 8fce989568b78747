// OIDC sign-in (authorization code + PKCE, state and nonce) through
// openid-client, a certified relying party. Google is the default issuer; any
// OIDC issuer works by configuration.
//
//   /auth/login ─▶ transaction {state, nonce, verifier, returnTo} stored (10 min, one use)
//               └▶ browser-binding cookie = state; redirect to the provider
//   /auth/callback ─▶ cookie must equal ?state; transaction taken (deleted)
//                  └▶ code exchanged with the verifier; ID token's nonce, iss, aud checked
//                  └▶ identity (issuer, sub) → user; first sign-in creates the user
import * as client from 'openid-client';
import { DomainError } from '../errors.js';
import type { OidcStore } from '../store/oidc.js';
import { EmailTaken, normalizeEmail, type User, type UserStore } from '../store/users.js';
import { Forbidden, Unauthenticated } from './errors.js';
import { safeRedirect } from './redirect.js';
import { newId } from './secrets.js';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  scopes: string;
  providerName: string;
  /** Empty: any verified email may sign in. */
  allowedEmailDomains: string[];
  adminEmails: string[];
}

export class OidcNotConfigured extends DomainError {
  constructor() {
    super(
      'oidc-not-configured',
      'Single sign-on is not configured',
      404,
      'This installation has no identity provider configured.',
    );
  }
}

const TRANSACTION_TTL_MS = 10 * 60_000;

export class OidcSignIn {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(
    private readonly deps: {
      settings: OidcSettings | undefined;
      store: OidcStore;
      users: UserStore;
      redirectUri: string;
      webOrigin: string;
      defaultTier: string;
      now: () => Date;
    },
  ) {}

  get providerName() {
    return this.deps.settings?.providerName;
  }

  private settings(): OidcSettings {
    if (!this.deps.settings) throw new OidcNotConfigured();
    return this.deps.settings;
  }

  private discover(): Promise<client.Configuration> {
    const s = this.settings();
    this.configuration ??= client
      .discovery(
        new URL(s.issuer),
        s.clientId,
        undefined,
        s.clientSecret ? client.ClientSecretPost(s.clientSecret) : client.None(),
        // Plain http only for a provider on this machine (tests, local identity providers).
        new URL(s.issuer).protocol === 'http:' && isLoopback(new URL(s.issuer).hostname)
          ? { execute: [client.allowInsecureRequests] }
          : undefined,
      )
      .catch((err) => {
        this.configuration = undefined; // retry discovery on the next sign-in
        throw err;
      });
    return this.configuration;
  }

  /** Starts a sign-in: returns the provider URL and the state to bind to the browser. */
  async begin(returnTo: string | undefined): Promise<{ url: string; state: string }> {
    const s = this.settings();
    const config = await this.discover();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const now = this.deps.now();
    await this.deps.store.saveTransaction(
      { state, nonce, codeVerifier, returnTo: safeRedirect(returnTo, this.deps.webOrigin) },
      new Date(now.getTime() + TRANSACTION_TTL_MS),
    );
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.deps.redirectUri,
      scope: s.scopes,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, state };
  }

  /** Finishes a sign-in from the callback URL; returns the user and where to send the browser. */
  async complete(
    callbackUrl: URL,
    browserState: string | undefined,
  ): Promise<{ user: User; returnTo: string }> {
    const s = this.settings();
    const state = callbackUrl.searchParams.get('state');
    if (!state || !browserState || state !== browserState) {
      throw new Unauthenticated('The sign-in did not start in this browser; start again.');
    }
    const tx = await this.deps.store.takeTransaction(state, this.deps.now());
    if (!tx) throw new Unauthenticated('The sign-in expired or was already used; start again.');
    const config = await this.discover();
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: tx.codeVerifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (err) {
      throw new Unauthenticated(`The identity provider's answer was refused (${describe(err)}).`);
    }
    if (!claims) throw new Unauthenticated('The identity provider sent no ID token.');
    const user = await this.userFor(s, claims);
    return { user, returnTo: tx.returnTo };
  }

  private promoteIfListed(s: OidcSettings, user: User): Promise<User> | User {
    return s.adminEmails.includes(user.email) && user.role !== 'admin'
      ? promote(this.deps.users, user)
      : user;
  }

  private async userFor(s: OidcSettings, claims: client.IDToken): Promise<User> {
    const issuer = String(claims.iss);
    const linked = await this.deps.store.findIdentity(issuer, claims.sub);
    if (linked) {
      const user = await this.deps.users.get(linked);
      if (!user) throw new Unauthenticated('The account linked to this identity no longer exists.');
      if (user.disabled) throw new Forbidden('This account is disabled.');
      return this.promoteIfListed(s, user);
    }
    const email = typeof claims.email === 'string' ? normalizeEmail(claims.email) : undefined;
    if (!email || claims.email_verified !== true) {
      throw new Forbidden(
        'The identity provider did not confirm an email address for this account.',
      );
    }
    const domain = email.split('@')[1] ?? '';
    if (s.allowedEmailDomains.length > 0 && !s.allowedEmailDomains.includes(domain)) {
      throw new Forbidden(`Accounts from ${domain} may not sign in here.`);
    }
    // An account an admin created for this (verified) email is linked at its first sign-in.
    const existing = await this.deps.users.getByEmail(email);
    if (existing) {
      if (existing.disabled) throw new Forbidden('This account is disabled.');
      await this.deps.store.linkIdentity(issuer, claims.sub, existing.id);
      return this.promoteIfListed(s, existing);
    }
    const user: User = {
      id: newId(),
      email,
      name:
        typeof claims.name === 'string' && claims.name.trim()
          ? claims.name.trim().slice(0, 200)
          : email,
      role: s.adminEmails.includes(email) ? 'admin' : 'user',
      tier: this.deps.defaultTier,
      disabled: false,
      createdAt: this.deps.now().toISOString(),
      authVersion: 0,
    };
    try {
      await this.deps.users.create(user);
    } catch (err) {
      // A concurrent first sign-in of the same person created it: use theirs.
      if (!(err instanceof EmailTaken)) throw err;
      const raced = await this.deps.users.getByEmail(email);
      if (!raced) throw err;
      await this.deps.store.linkIdentity(issuer, claims.sub, raced.id);
      return raced;
    }
    const linkedId = await this.deps.store.linkIdentity(issuer, claims.sub, user.id);
    return linkedId === user.id ? user : ((await this.deps.users.get(linkedId)) ?? user);
  }
}

/** ADMIN_EMAILS holds at every sign-in, so adding an email later promotes that user. */
async function promote(users: UserStore, user: User): Promise<User> {
  await users.update(user.id, user.authVersion, { role: 'admin' });
  return { ...user, role: 'admin' };
}

function isLoopback(hostname: string) {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
}

/** The error's code, never its full text: it may echo the code or tokens. */
function describe(err: unknown): string {
  const e = err as { code?: string; error?: string; name?: string };
  return e.error ?? e.code ?? e.name ?? 'error';
}
