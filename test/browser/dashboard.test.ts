// The dashboard in real Chromium against the whole local platform (DynamoDB
// Local, fauxqs, kubesim, the API, the Vite dev server): the bootstrap admin
// signs in, is made to choose a password, lands on Environments, creates an
// API token that is shown once and works, revokes it, and signs out. Each main
// page passes an axe-core scan and fits a 390-px-wide phone.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  type BrowserTestPlatform,
  horizontalOverflow,
  launchBrowser,
  screenshot,
  seriousA11yViolations,
  startPlatform,
} from './support.js';

const NEW_PASSWORD = 'correct horse battery staple';

describe('dashboard', () => {
  let platform: BrowserTestPlatform;
  let browser: Browser;
  let page: Page;
  let web: string;
  let admin: { email: string; password: string };

  beforeAll(async () => {
    platform = await startPlatform();
    web = platform.webUrl;
    admin = platform.bootstrapAdmin;
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  async function expectAccessible(name: string) {
    expect(await seriousA11yViolations(page), `${name}: serious/critical axe violations`).toEqual(
      [],
    );
  }

  it('shows the sign-in page with the local account form', async () => {
    // The first load compiles the dashboard in Vite: give it time.
    await page.goto(web, { timeout: 60_000 });
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor({ timeout: 60_000 });
    await expect(page.getByLabel('Email', { exact: true }).isVisible()).resolves.toBe(true);
    // No identity provider is configured locally: no "Sign in with …" button.
    expect(await page.getByRole('link', { name: /^Sign in with/ }).count()).toBe(0);
    await expectAccessible('sign-in');
    await screenshot(page, 'sign-in-1280');
  }, 90_000);

  it('says why a sign-in failed, in words', async () => {
    await page.getByLabel('Email', { exact: true }).fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('The email or password is not correct.');
  });

  it("explains an identity provider's refusal from ?signin_error", async () => {
    await page.goto(`${web}/?signin_error=forbidden`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('may not sign in here');
    // The code is read once and removed, so a reload does not repeat it.
    expect(new URL(page.url()).search).toBe('');
  });

  it('makes the bootstrap admin choose a password, then lands on Environments', async () => {
    await page.getByLabel('Email', { exact: true }).fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await expectAccessible('password change');
    await screenshot(page, 'password-change-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    expect((await horizontalOverflow(page)).scrollWidth).toBeLessThanOrEqual(390);
    await screenshot(page, 'password-change-390');
    await page.setViewportSize({ width: 1280, height: 860 });

    // Too short: the rule stays unmet and the API is not asked.
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Confirm new password').fill('short');
    await page.getByRole('button', { name: 'Save password and continue' }).click();
    await page.getByText('Choose a password that meets every rule below.').waitFor();
    expect(
      await page.locator('#password-rules li[data-met="false"]').first().textContent(),
    ).toContain('At least 12 characters');

    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Save password and continue' }).click();
    await page.getByRole('heading', { name: 'Environments', level: 1 }).waitFor();
    // The header says who is signed in, and as what.
    expect(await page.locator('.app-header').textContent()).toContain('Administrator');
  });

  it('invites a first launch on an empty Environments page', async () => {
    await page.getByRole('heading', { name: 'Launch your first environment' }).waitFor();
    await expectAccessible('environments');
    await screenshot(page, 'environments-1280');
    // The dark theme follows the system, and passes the same scan (contrast included).
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(400); // let the buttons' colour transitions finish
    await expectAccessible('environments (dark)');
    await screenshot(page, 'environments-dark-1280');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('creates an API token, shows it once, and revokes it', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Account' })
      .click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByText('You have no API tokens.').waitFor();
    await expectAccessible('account');
    await screenshot(page, 'account-1280');

    await page.getByLabel('Name', { exact: true }).fill('nightly sync');
    await page.getByRole('checkbox', { name: /Manage environments/ }).check();
    await page.getByLabel('Expires after').selectOption('30');
    await page.getByRole('button', { name: 'Create token' }).click();

    const secret = page.getByLabel('Your new API token');
    await secret.waitFor();
    const token = await secret.inputValue();
    expect(token.length).toBeGreaterThan(20);
    await screenshot(page, 'account-token-created-1280');

    // The token works as a bearer credential, with the scopes chosen.
    const me = await fetch(`${platform.apiUrl}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);
    expect((await me.json()).scopes.sort()).toEqual(['environments:read', 'environments:write']);

    // Shown once: after "I have copied it" the secret is gone from the page for good.
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.getByLabel('Your new API token').count()).toBe(0);
    const row = page.getByRole('row', { name: /nightly sync/ });
    await row.waitFor();
    expect(await page.content()).not.toContain(token);

    await page.getByRole('button', { name: 'Revoke nightly sync' }).click();
    const dialog = page.getByRole('dialog', { name: /Revoke “nightly sync”/ });
    await dialog.waitFor();
    // Focus starts on Cancel: a stray Enter never revokes.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await expectAccessible('revoke dialog');
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText('Revoked “nightly sync”.').waitFor();
    await page.getByText('You have no API tokens.').waitFor();

    const after = await fetch(`${platform.apiUrl}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status).toBe(401);
  });

  it('renews an expired access cookie once, however many requests hit it', async () => {
    // The access cookie lives ~10 minutes; drop it as if it had expired.
    await browser.context.clearCookies({ name: '__Host-lablease_access' });
    const refreshes: string[] = [];
    const onRequest = (req: { url(): string }) => {
      if (req.url().endsWith('/auth/refresh')) refreshes.push(req.url());
    };
    page.on('request', onRequest);
    // The Environments page asks for the list and the catalog at once: both get a 401.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Environments' })
      .click();
    await page.getByRole('heading', { name: 'Launch your first environment' }).waitFor();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Account' })
      .click();
    await page.getByText('You have no API tokens.').waitFor();
    page.off('request', onRequest);
    expect(refreshes).toHaveLength(1);
  });

  it('shows the Admin section to an admin, with the fleet at a glance', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin' })
      .click();
    await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
    await page
      .getByRole('region', { name: 'Fleet' })
      .getByText(/of \d+ allowed/)
      .waitFor();
    await expectAccessible('admin');
    await screenshot(page, 'admin-1280');

    // Keyboard: the first Tab offers to skip the header, and Enter lands in the page.
    await page.goto(`${web}/admin`);
    await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });

  it('fits a 390-px-wide phone on every page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, heading] of [
      ['/environments', 'Environments'],
      ['/account', 'Account'],
      ['/admin', 'Admin'],
    ] as const) {
      await page.goto(`${web}${path}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      const overflow = await horizontalOverflow(page);
      expect(
        overflow.scrollWidth,
        `${path} overflows: ${overflow.widest.join(', ')}`,
      ).toBeLessThanOrEqual(390);
      await screenshot(page, `${heading.toLowerCase()}-390`);
    }
  });

  it('says so when the session ends elsewhere, and offers to sign in again', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(`${web}/account`);
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    // Both cookies gone: the refresh fails too, so the session is over.
    await browser.context.clearCookies();
    await page.getByLabel('Name', { exact: true }).fill('after the end');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('Your session ended').waitFor();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where they were.
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
  });

  it('signs out, and signs in again without the password change', async () => {
    await page.getByRole('button', { name: /^Sign out/ }).click();
    await page.getByText('You are signed out.').waitFor();
    const overflow = await horizontalOverflow(page);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(390);
    await screenshot(page, 'sign-in-390');

    // The session is really over: the API refuses the old cookies.
    expect(
      await page.evaluate(
        async (api) => (await fetch(`${api}/api/v1/me`, { credentials: 'include' })).status,
        platform.apiUrl,
      ),
    ).toBe(401);

    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByLabel('Email', { exact: true }).fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Environments', level: 1 }).waitFor();
  });
});
