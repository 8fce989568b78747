// The Admin section in real Chromium against the local platform: an operator
// creates a local account and adds a template; the new user (after the forced
// password change) finds it in the catalog, launches it and, at the tier's
// limit, reads why Launch is disabled. Back as the operator: deleting the
// template in use is refused with the reason and "disable instead", the fleet
// shows the user's environment and stops it, the audit log filters, a stale
// settings save is caught (412), users change tier and are disabled. Every
// admin page passes axe and fits a 390-px phone; screenshots of each.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  type BrowserTestPlatform,
  horizontalOverflow,
  launchBrowser,
  screenshot,
  seriousA11yViolations,
  signInAsBootstrapAdmin,
  startPlatform,
} from './support.js';

const ADMIN_PASSWORD = 'an operator passphrase here';
const ADA = { email: 'ada@lablease.test', name: 'Ada Lovelace', password: '' };
const ADA_PASSWORD = 'analytical engine notes';

describe('admin section', () => {
  let platform: BrowserTestPlatform;
  let browser: Browser;
  let page: Page;
  let web: string;

  beforeAll(async () => {
    platform = await startPlatform();
    web = platform.webUrl;
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
    await signInAsBootstrapAdmin(page, web, platform.bootstrapAdmin, ADMIN_PASSWORD);
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

  const adminTab = (name: string) =>
    page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name });

  async function signOut() {
    await page.getByRole('button', { name: /^Sign out/ }).click();
    await page.getByText('You are signed out.').waitFor();
  }

  async function signIn(email: string, password: string) {
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('shows Admin only to admins, with the fleet at a glance', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin' })
      .click();
    await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
    const counts = page.getByRole('region', { name: 'Fleet' });
    await counts.getByText(/of \d+ allowed/).waitFor();
    expect(await page.getByRole('link', { name: /^Catalog/ }).count()).toBeGreaterThan(0);
  });

  it('creates a local account and shows its temporary password once', async () => {
    await adminTab('Users').click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await page.getByRole('row', { name: new RegExp(platform.bootstrapAdmin.email) }).waitFor();
    await page.getByRole('button', { name: 'Add local account' }).click();
    await page.getByLabel('Email', { exact: true }).fill(ADA.email);
    await page.getByLabel('Full name').fill(ADA.name);
    await page.getByLabel('Tier', { exact: true }).selectOption('free');
    await page.getByRole('button', { name: 'Create account' }).click();
    const secret = page.getByLabel('Temporary password');
    await secret.waitFor();
    ADA.password = await secret.inputValue();
    expect(ADA.password.length).toBeGreaterThanOrEqual(12);
    await page.getByRole('row', { name: new RegExp(ADA.email) }).waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByLabel('Temporary password').count()).toBe(0);
  });

  it('adds a template to the catalog for the free tier', async () => {
    await adminTab('Catalog').click();
    await page.getByRole('row', { name: /JupyterLab/ }).waitFor();
    await page.getByRole('button', { name: 'Add template' }).click();
    await page.getByLabel('Id', { exact: true }).fill('rstudio');
    await page.getByLabel('Display name').fill('RStudio');
    await page.getByLabel('Description').fill('R and the tidyverse in the browser.');
    await page.getByLabel('Image', { exact: true }).fill('ghcr.io/lablease/rstudio:4.4');
    await page.getByLabel('Port', { exact: true }).fill('8787');
    await page.getByRole('checkbox', { name: 'free', exact: true }).check();
    await expectAccessible('template form');
    await screenshot(page, 'admin-catalog-new-1280');
    await page.getByRole('button', { name: 'Add to catalog' }).click();
    await page.getByText('Added “RStudio” to the catalog.').waitFor();
    const row = page.getByRole('row', { name: /RStudio/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Enabled');
  });

  it('edits a template, and catches an edit that would undo someone else’s (412)', async () => {
    await page.getByRole('button', { name: 'Edit RStudio' }).click();
    await page.getByRole('heading', { name: 'Edit “RStudio”' }).waitFor();
    expect(await page.getByLabel('Id', { exact: true }).isDisabled()).toBe(true);
    // Someone else saves it meanwhile.
    const status = await page.evaluate(async (api) => {
      const url = `${api}/api/v1/admin/templates/rstudio`;
      const read = await fetch(url, { credentials: 'include' });
      const res = await fetch(url, {
        method: 'PUT',
        credentials: 'include',
        headers: { 'content-type': 'application/json', 'if-match': read.headers.get('etag') ?? '' },
        body: JSON.stringify({ ...(await read.json()), description: 'Edited elsewhere.' }),
      });
      return res.status;
    }, platform.apiUrl);
    expect(status).toBe(200);
    await page.getByLabel('Description').fill('R, RStudio and the tidyverse.');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByText('Someone else saved this template since you opened it').waitFor();

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Edit RStudio' }).click();
    expect(await page.getByLabel('Description').inputValue()).toBe('Edited elsewhere.');
    await page.getByLabel('Description').fill('R, RStudio and the tidyverse.');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByText('Saved “RStudio”.').waitFor();
  });

  it('the new user finds the template, launches it, and at the limit reads why Launch is disabled', async () => {
    await signOut();
    await signIn(ADA.email, ADA.password);
    await page.getByLabel('New password', { exact: true }).fill(ADA_PASSWORD);
    await page.getByLabel('Confirm new password').fill(ADA_PASSWORD);
    await page.getByRole('button', { name: 'Save password and continue' }).click();
    await page.getByRole('heading', { name: 'Environments', level: 1 }).waitFor();
    // A member has no Admin section, not even by address.
    expect(
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Admin' })
        .count(),
    ).toBe(0);
    await page.goto(`${web}/admin/catalog`);
    await page.getByRole('heading', { name: 'Nothing here' }).waitFor();

    await page.goto(`${web}/environments/new`);
    await page.getByRole('radio', { name: /RStudio/ }).check();
    // The tier's limits are on the form.
    const limits = page.getByRole('region', { name: 'Your free tier' });
    expect(await limits.textContent()).toContain('0 of 1 running');
    await page.getByLabel('Name', { exact: true }).fill('Stats');
    await page.getByRole('button', { name: 'Launch' }).click();
    await page.getByRole('heading', { name: 'Stats', level: 1 }).waitFor();
    await page.waitForFunction(
      () => document.querySelector('.page-header .badge')?.textContent === 'Running',
      undefined,
      { timeout: 60_000 },
    );

    // At the limit: Launch is disabled before anyone clicks, and says why.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Environments' })
      .click();
    const reason = page.locator('#launch-blocked');
    await reason.waitFor();
    expect(await reason.textContent()).toContain('limit of 1 running environment');
    const launch = page.getByRole('button', { name: 'Launch environment' });
    expect(await launch.getAttribute('aria-disabled')).toBe('true');
    expect(await launch.getAttribute('aria-describedby')).toBe('launch-blocked');
    await expectAccessible('environments at the limit');
    await screenshot(page, 'environments-at-limit-1280');

    await page.goto(`${web}/environments/new`);
    await page.getByRole('radio', { name: /RStudio/ }).waitFor({ state: 'attached' });
    await page.getByText(/stop one to launch another/).waitFor();
    expect(await page.getByRole('button', { name: 'Launch' }).isDisabled()).toBe(true);
    await expectAccessible('launch at the limit');
    await screenshot(page, 'launch-at-limit-1280');
  }, 120_000);

  it('refuses to delete a template in use, says why, and offers to disable it', async () => {
    await signOut();
    await signIn(platform.bootstrapAdmin.email, ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Environments', level: 1 }).waitFor();
    await page.goto(`${web}/admin/catalog`);
    await page.getByRole('button', { name: 'Delete RStudio' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “RStudio”?' });
    await dialog.getByRole('button', { name: 'Delete template' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Template in use');
    expect(await alert.textContent()).toContain('1 environment still uses the template');
    await expectAccessible('catalog, delete refused');
    await page.getByRole('button', { name: 'Disable “RStudio” instead' }).click();
    await page.getByText(/Disabled “RStudio”/).waitFor();
    expect(await page.getByRole('row', { name: /RStudio/ }).textContent()).toContain('Disabled');
  });

  it('shows the fleet with owners, filters it, and stops an environment', async () => {
    await adminTab('Fleet').click();
    const row = page.getByRole('row', { name: /Stats/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(ADA.email);
    expect(await row.textContent()).toContain('RStudio');
    expect(await row.textContent()).toContain('Running');

    await page.getByLabel('Template', { exact: true }).selectOption('jupyterlab');
    await page.getByText('No environment matches.').waitFor();
    await page.getByLabel('Template', { exact: true }).selectOption('');
    await page.getByRole('button', { name: `Show only environments of ${ADA.email}` }).click();
    await page.getByRole('button', { name: `Show every owner, not only ${ADA.email}` }).waitFor();
    await row.waitFor();

    // An admin exempts it from the reaper for a while, and ends that again.
    await page.getByRole('button', { name: `Keep alive Stats of ${ADA.email}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Keep “Stats” running?' });
    await dialog.getByLabel('For').selectOption('7');
    await expectAccessible('keep-alive dialog');
    await dialog.getByRole('button', { name: 'Keep it alive' }).click();
    await page.getByText(/“Stats” is kept running until/).waitFor();
    await page.getByRole('row', { name: /Kept alive until/ }).waitFor();
    await page.getByRole('button', { name: `End keep-alive of Stats of ${ADA.email}` }).click();
    await page.getByText('“Stats” stops when idle again, like any other.').waitFor();
    await page.getByRole('region', { name: 'Volumes without an environment' }).waitFor();

    await page.getByRole('button', { name: `Stop Stats of ${ADA.email}` }).click();
    await page.getByText('Stopping “Stats”; its volume is kept.').waitFor();
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('tr')].some(
          (tr) => tr.textContent?.includes('Stats') && tr.textContent.includes('Stopped'),
        ),
      undefined,
      { timeout: 60_000 },
    );
    await page.getByLabel('Phase', { exact: true }).selectOption('Stopped');
    await row.waitFor();
  }, 90_000);

  it('filters the audit log by action and by person', async () => {
    await adminTab('Audit log').click();
    await page.getByRole('heading', { name: 'Events, newest first' }).waitFor();
    await page.getByLabel('Action').fill('template.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    const created = page.getByRole('row', { name: /template:rstudio/ });
    await created.waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await created.textContent()).toContain(platform.bootstrapAdmin.email);

    await page.getByLabel('Action').fill('');
    await page.getByLabel('Who (email or “system”)').fill(ADA.email);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('row', { name: /environment\.create/ }).waitFor();
    const actors = await page.locator('tbody td[data-label="Who"]').allTextContents();
    expect(new Set(actors)).toEqual(new Set([ADA.email]));

    // A time window: from tomorrow on, nothing has happened yet.
    const tomorrow = new Date(Date.now() + 86_400_000);
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000)
      .toISOString()
      .slice(0, 16);
    await page.getByLabel('From', { exact: true }).fill(local);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText(/^Nothing matches/).waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page
      .getByRole('row', { name: /template\.create/ })
      .first()
      .waitFor();
  });

  it('catches a settings save that would undo someone else’s (412), and reloads', async () => {
    await adminTab('Settings and tiers').click();
    const running = page.getByLabel('Running at once for free');
    await running.waitFor();
    expect(await running.inputValue()).toBe('1');

    // Someone else saves meanwhile (another admin, another tab).
    const status = await page.evaluate(async (api) => {
      const read = await fetch(`${api}/api/v1/admin/settings`, { credentials: 'include' });
      const settings = await read.json();
      const res = await fetch(`${api}/api/v1/admin/settings`, {
        method: 'PUT',
        credentials: 'include',
        headers: { 'content-type': 'application/json', 'if-match': read.headers.get('etag')! },
        body: JSON.stringify({ ...settings, cullWarningMinutes: 15 }),
      });
      return res.status;
    }, platform.apiUrl);
    expect(status).toBe(200);

    await running.fill('2');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Someone else saved the settings since you opened them').waitFor();
    await expectAccessible('settings, stale save');
    await screenshot(page, 'admin-settings-stale-1280');
    await page.getByRole('button', { name: 'Reload the settings' }).click();
    await page.waitForFunction(
      () =>
        (document.querySelector('input[aria-label="Running at once for free"]') as HTMLInputElement)
          ?.value === '1',
    );
    expect(await page.getByLabel('Cull warning (minutes before)').inputValue()).toBe('15');

    await running.fill('2');
    // Custom images for the pro tier, from one registry path; an empty tier warning stays unset.
    await page
      .getByRole('region', { name: 'Custom images' })
      .getByRole('checkbox', { name: 'pro', exact: true })
      .check();
    await page.getByLabel('Allowed registries or repositories').fill('ghcr.io/lablease\n');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const saved = await page.evaluate(
      async (api) =>
        (await fetch(`${api}/api/v1/admin/settings`, { credentials: 'include' })).json(),
      platform.apiUrl,
    );
    expect(saved.tiers.free.maxRunning).toBe(2);
    expect(saved.tiers.free.cullWarningMinutes).toBeUndefined();
    expect(saved.customImages).toEqual({ tiers: ['pro'], allowedRegistries: ['ghcr.io/lablease'] });
  });

  it('changes a user’s tier, disables and enables the account', async () => {
    await adminTab('Users').click();
    await page.getByLabel(`Tier of ${ADA.name}`).selectOption('pro');
    await page.getByRole('button', { name: `Save changes to ${ADA.name}` }).click();
    await page.getByText(`Saved ${ADA.email}.`).waitFor();
    expect(await page.getByLabel(`Tier of ${ADA.name}`).inputValue()).toBe('pro');

    await page.getByRole('button', { name: `Disable ${ADA.name}` }).click();
    await page
      .getByRole('dialog', { name: `Disable ${ADA.email}?` })
      .getByRole('button', { name: 'Disable account' })
      .click();
    await page.getByText(/Disabled ada@lablease.test: signed out everywhere/).waitFor();
    expect(await page.getByRole('row', { name: new RegExp(ADA.email) }).textContent()).toContain(
      'Disabled',
    );
    await page.getByRole('button', { name: `Enable ${ADA.name}` }).click();
    await page.getByText(`Enabled ${ADA.email}: they can sign in again.`).waitFor();
  });

  it('passes axe and fits a 390-px phone on every admin page', async () => {
    const pages: Array<[string, string, string, (p: Page) => Promise<unknown>]> = [
      ['/admin', 'Admin', 'admin-overview', (p) => p.getByText(/of \d+ allowed/).waitFor()],
      [
        '/admin/catalog',
        'Catalog',
        'admin-catalog',
        (p) => p.getByRole('row', { name: /RStudio/ }).waitFor(),
      ],
      [
        '/admin/users',
        'Users',
        'admin-users',
        (p) => p.getByRole('row', { name: /ada@/ }).waitFor(),
      ],
      [
        '/admin/settings',
        'Settings and tiers',
        'admin-settings',
        (p) => p.getByLabel('Running at once for free').waitFor(),
      ],
      [
        '/admin/fleet',
        'Fleet',
        'admin-fleet',
        (p) => p.getByRole('row', { name: /Stats/ }).waitFor(),
      ],
      [
        '/admin/audit',
        'Audit log',
        'admin-audit',
        (p) =>
          p
            .getByRole('row', { name: /settings\.update/ })
            .first()
            .waitFor(),
      ],
    ];
    for (const [path, heading, name, loaded] of pages) {
      await page.setViewportSize({ width: 1280, height: 860 });
      await page.goto(`${web}${path}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await loaded(page);
      await expectAccessible(path);
      await screenshot(page, `${name}-1280`);
      await page.setViewportSize({ width: 390, height: 844 });
      await loaded(page);
      const overflow = await horizontalOverflow(page);
      expect(
        overflow.scrollWidth,
        `${path} overflows: ${overflow.widest.join(', ')}`,
      ).toBeLessThanOrEqual(390);
      await expectAccessible(`${path} at 390 px`);
      await screenshot(page, `${name}-390`);
      // The dark theme follows the system and passes the same scan (contrast included).
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.waitForTimeout(300); // colour transitions
      await expectAccessible(`${path} (dark)`);
      await page.emulateMedia({ colorScheme: 'light' });
    }
    await page.setViewportSize({ width: 1280, height: 860 });
  }, 120_000);
  it('lets a user of an allowed tier launch their own image, only from the allowed registry', async () => {
    // Ada is on the pro tier now, which the settings above allow custom images from ghcr.io/lablease.
    await signOut();
    await signIn(ADA.email, ADA_PASSWORD);
    await page.getByRole('heading', { name: 'Environments', level: 1 }).waitFor();
    await page.goto(`${web}/environments/new`);
    await page.getByRole('radio', { name: /JupyterLab/ }).check();
    const own = page.getByLabel('Your own image (optional)');
    await own.waitFor();
    expect(await page.getByText(/Allowed from: ghcr\.io\/lablease/).count()).toBe(1);
    await page.getByLabel('Name', { exact: true }).fill('Own image');
    await own.fill('docker.io/someone/else:1');
    await page.getByRole('button', { name: 'Launch' }).click();
    // Refused, in words, beside the field; nothing launched.
    await page.locator('.field-error').first().waitFor();
    expect(await own.getAttribute('aria-invalid')).toBe('true');
    await expectAccessible('launch, image refused');

    await own.fill('ghcr.io/lablease/notebook:2');
    await page.getByRole('button', { name: 'Launch' }).click();
    await page.getByRole('heading', { name: 'Own image', level: 1 }).waitFor();
    expect(await page.locator('.detail-meta').textContent()).toContain(
      'ghcr.io/lablease/notebook:2 (your own)',
    );
  }, 60_000);
});
