// Single sign-on in real Chromium: the sign-in page offers the configured
// identity provider by name; a researcher signs in there (a real OIDC
// provider on this machine, with PKCE, state and nonce) and lands in the
// dashboard as a member; a refused sign-in comes back with a readable reason.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  type BrowserTestPlatform,
  launchBrowser,
  screenshot,
  seriousA11yViolations,
  startPlatform,
} from './support.js';

describe('sign-in with the identity provider', () => {
  let platform: BrowserTestPlatform;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    platform = await startPlatform({ oidc: true });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  /** The provider's development login and consent forms, as a person fills them in. */
  async function signInAtProvider(login: string) {
    await page.waitForURL((url) => !url.href.startsWith(platform.webUrl));
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('anything');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').waitFor();
    if (await page.locator('input[name="prompt"][value="consent"]').count())
      await page.locator('button[type="submit"]').click();
    await page.waitForURL((url) => url.href.startsWith(platform.webUrl));
  }

  it('offers "Sign in with <provider>" beside the local form', async () => {
    await page.goto(platform.webUrl, { timeout: 60_000 });
    const button = page.getByRole('link', { name: 'Sign in with Lablease ID' });
    await button.waitFor({ timeout: 60_000 });
    expect(await page.getByText('or with your email').count()).toBe(1);
    expect(await page.getByLabel('Email', { exact: true }).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in-oidc-1280');
  }, 90_000);

  it('signs a researcher in through the provider, as a member', async () => {
    await page.getByRole('link', { name: 'Sign in with Lablease ID' }).click();
    await signInAtProvider('ada');
    await page.getByRole('heading', { name: 'Environments', level: 1 }).waitFor();
    const header = await page.locator('.app-header').textContent();
    expect(header).toContain('Ada Lovelace');
    expect(header).toContain('Member');
    // No admin section for a member, not even by its address.
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.goto(`${platform.webUrl}/admin`);
    await page.getByRole('heading', { name: 'Nothing here' }).waitFor();
    await page.getByRole('button', { name: /^Sign out/ }).click();
    await page.getByText('You are signed out.').waitFor();
  }, 60_000);

  it('brings a refused sign-in back with the reason in words', async () => {
    // Forget the provider's session with Ada, as another person at this browser would.
    await browser.context.clearCookies();
    await page.getByRole('link', { name: 'Sign in with Lablease ID' }).click();
    await signInAtProvider('unverified');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('This account may not sign in here');
    expect(new URL(page.url()).searchParams.has('signin_error')).toBe(false);
  }, 60_000);
});
