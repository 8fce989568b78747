// A full OIDC sign-in against a real provider on this machine: the redirect
// with PKCE, the provider's login and consent, the callback, the session
// cookie, /api/v1/me — and the refusals: wrong state, replayed code, wrong
// nonce, unverified email, open redirects.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_COOKIE, OIDC_STATE_COOKIE } from '../../core/api/cookies.js';
import { CookieJar, createTestApp, type TestApp, WEB_ORIGIN } from '../support/app.js';
import { BrowserJar, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.js';

const API_URL = 'http://localhost:8787';
let t: TestApp;
let idp: TestOidcProvider;

beforeAll(async () => {
  idp = await startOidcProvider(`${API_URL}/auth/callback`);
  t = await createTestApp({
    API_URL,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    OIDC_PROVIDER_NAME: 'Test IdP',
    ADMIN_EMAILS: 'boss@uni.example',
    ALLOWED_EMAIL_DOMAINS: 'uni.example',
  });
  idp.accounts.set('ada', { email: 'Ada@uni.example', name: 'Ada Lovelace' });
  idp.accounts.set('boss', { email: 'boss@uni.example' });
  idp.accounts.set('unverified', { email: 'eve@uni.example', emailVerified: false });
  idp.accounts.set('outsider', { email: 'mallory@elsewhere.example' });
});
afterAll(() => idp?.stop());

/** Starts a sign-in at the API; returns the provider URL and the API's cookies. */
async function begin(returnTo?: string) {
  const jar = new CookieJar();
  const qs = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
  const res = await t.app.request(`${API_URL}/auth/login${qs}`);
  expect(res.status).toBe(302);
  jar.store(res);
  return { jar, providerUrl: res.headers.get('location')! };
}

/** Plays the browser at the provider: login as `login`, consent, follow redirects until our callback. */
async function authenticateAtProvider(providerUrl: string, login: string): Promise<string> {
  const browser = new BrowserJar();
  let url = providerUrl;
  for (let hop = 0; hop < 12; hop++) {
    if (url.startsWith(`${API_URL}/auth/callback`)) return url;
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: browser.header(url) } });
    browser.store(url, res);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url).href;
      continue;
    }
    const html = await res.text();
    const prompt =
      /name="prompt" value="(\w+)"/.exec(html)?.[1] ??
      (html.includes('name="login"') ? 'login' : 'consent');
    const form = new URLSearchParams(
      prompt === 'login' ? { prompt, login, password: 'anything' } : { prompt },
    );
    const post = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: browser.header(url), 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    browser.store(url, post);
    expect(post.status).toBeGreaterThanOrEqual(300);
    url = new URL(post.headers.get('location')!, url).href;
  }
  throw new Error('the provider never redirected back');
}

async function callback(url: string, jar: CookieJar) {
  const res = await t.app.request(url, { headers: { cookie: jar.header() } });
  jar.store(res);
  return res;
}

describe('OIDC sign-in', () => {
  it('redirects to the provider with PKCE, state and nonce', async () => {
    const { jar, providerUrl } = await begin('/environments');
    const url = new URL(providerUrl);
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(url.searchParams.get('state')).toBe(jar.get(OIDC_STATE_COOKIE));
    expect(url.searchParams.get('redirect_uri')).toBe(`${API_URL}/auth/callback`);
  });

  it('signs a new user in, creates them with a generated id, and sends them back where they were going', async () => {
    const { jar, providerUrl } = await begin('/environments?tab=running');
    const back = await authenticateAtProvider(providerUrl, 'ada');
    const res = await callback(back, jar);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${WEB_ORIGIN}/environments?tab=running`);
    expect(jar.get(ACCESS_COOKIE)).toBeTruthy();
    expect(jar.get(OIDC_STATE_COOKIE)).toBeUndefined();

    const me = await t.app.request('/api/v1/me', { headers: { cookie: jar.header() } });
    expect(me.status).toBe(200);
    const body = await me.json();
    expect(body).toMatchObject({
      email: 'ada@uni.example',
      name: 'Ada Lovelace',
      role: 'user',
      tier: 'free',
    });
    expect(body.id).toMatch(/^[0-9a-f]{32}$/);

    // The second sign-in finds the same user through the linked identity.
    const again = await begin();
    const res2 = await callback(await authenticateAtProvider(again.providerUrl, 'ada'), again.jar);
    expect(res2.status).toBe(302);
    const me2 = await (
      await t.app.request('/api/v1/me', { headers: { cookie: again.jar.header() } })
    ).json();
    expect(me2.id).toBe(body.id);
  });

  it('makes ADMIN_EMAILS admins', async () => {
    const { jar, providerUrl } = await begin();
    await callback(await authenticateAtProvider(providerUrl, 'boss'), jar);
    const me = await (
      await t.app.request('/api/v1/me', { headers: { cookie: jar.header() } })
    ).json();
    expect(me.role).toBe('admin');
  });

  it('refuses a callback whose state does not match the browser', async () => {
    const { providerUrl } = await begin();
    const back = await authenticateAtProvider(providerUrl, 'ada');
    const stranger = new CookieJar();
    stranger.set(OIDC_STATE_COOKIE, 'some-other-state');
    const res = await callback(back, stranger);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${WEB_ORIGIN}/?signin_error=unauthenticated`);
    expect(stranger.get(ACCESS_COOKIE)).toBeUndefined();
    // No cookie at all is refused the same way (login CSRF: a flow started elsewhere).
    const none = await callback(back, new CookieJar());
    expect(none.headers.get('location')).toContain('signin_error=unauthenticated');
  });

  it('refuses a replayed callback, and a replayed code even with a live transaction', async () => {
    const { jar, providerUrl } = await begin();
    const back = await authenticateAtProvider(providerUrl, 'ada');
    const state = jar.get(OIDC_STATE_COOKIE)!;
    const saved = await t.doc.send(
      new (await import('@aws-sdk/lib-dynamodb')).GetCommand({
        TableName: t.tableName,
        Key: { PK: `OIDCTX#${state}`, SK: 'OIDCTX' },
      }),
    );
    const first = await callback(back, jar);
    expect(first.headers.get('location')).not.toContain('signin_error');

    // Same URL again: the transaction was used up.
    const replay = new CookieJar();
    replay.set(OIDC_STATE_COOKIE, state);
    const again = await callback(back, replay);
    expect(again.headers.get('location')).toContain('signin_error=unauthenticated');

    // Put the transaction back: now the provider itself refuses the used code.
    await t.doc.send(
      new (await import('@aws-sdk/lib-dynamodb')).PutCommand({
        TableName: t.tableName,
        Item: saved.Item,
      }),
    );
    const codeReplay = await callback(back, replay);
    expect(codeReplay.headers.get('location')).toContain('signin_error=unauthenticated');
    expect(replay.get(ACCESS_COOKIE)).toBeUndefined();
  });

  it('refuses an ID token whose nonce is not the one we sent', async () => {
    const { jar, providerUrl } = await begin();
    const state = jar.get(OIDC_STATE_COOKIE)!;
    await t.doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { PK: `OIDCTX#${state}`, SK: 'OIDCTX' },
        UpdateExpression: 'SET nonce = :n',
        ExpressionAttributeValues: { ':n': 'not-the-nonce-the-provider-saw' },
      }),
    );
    const res = await callback(await authenticateAtProvider(providerUrl, 'ada'), jar);
    expect(res.headers.get('location')).toContain('signin_error=unauthenticated');
    expect(jar.get(ACCESS_COOKIE)).toBeUndefined();
  });

  it('refuses unverified emails and domains outside the allow-list', async () => {
    for (const login of ['unverified', 'outsider']) {
      const { jar, providerUrl } = await begin();
      const res = await callback(await authenticateAtProvider(providerUrl, login), jar);
      expect(res.headers.get('location')).toBe(`${WEB_ORIGIN}/?signin_error=forbidden`);
      expect(jar.get(ACCESS_COOKIE)).toBeUndefined();
    }
    expect(await t.auth.users.getByEmail('mallory@elsewhere.example')).toBeUndefined();
  });

  it.each([
    '//evil.example',
    '/\\evil.example',
    'https:evil.example',
    'https://evil.example/x',
    'javascript:alert(1)',
    '/%2F%2Fevil.example',
  ])('never redirects off the dashboard after sign-in: %s', async (returnTo) => {
    const { jar, providerUrl } = await begin(returnTo);
    const res = await callback(await authenticateAtProvider(providerUrl, 'ada'), jar);
    expect(res.headers.get('location')).toBe(`${WEB_ORIGIN}/`);
  });

  it('answers 404 problem+json for /auth/login where no provider is configured', async () => {
    const local = await createTestApp();
    const res = await local.app.request('/auth/login');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      type: expect.stringContaining('oidc-not-configured'),
    });
  });
});
