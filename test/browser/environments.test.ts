// A researcher's whole day in real Chromium against the local platform:
// launch from the catalog, watch it come up, open it, stop and start it, hit
// the tier's running limit and read why, delete it, and see a start that
// cannot succeed explain itself.
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

describe('environments in the dashboard', () => {
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
    await signInAsBootstrapAdmin(page, web, platform.bootstrapAdmin, 'a long research passphrase');
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

  const badge = () => page.locator('.page-header .badge');

  async function launch(name: string) {
    await page.goto(`${web}/environments/new`);
    await page.getByRole('radio', { name: /JupyterLab/ }).check();
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Launch' }).click();
  }

  it('launches from the catalog and shows it coming up until Running', async () => {
    await page.getByRole('link', { name: 'Launch environment' }).click();
    await page.getByRole('heading', { name: 'Launch an environment' }).waitFor();
    await page.getByRole('radio', { name: /JupyterLab/ }).waitFor({ state: 'attached' });
    // The catalog's templates, as cards with descriptions; resources within the limits.
    expect(await page.getByRole('radio').count()).toBeGreaterThan(1);
    await page.getByRole('radio', { name: /JupyterLab/ }).check();
    await page.getByText(/allows up to/).waitFor();
    await expectAccessible('launch');
    await screenshot(page, 'launch-1280');

    await page.getByLabel('Name', { exact: true }).fill('Thesis analysis');
    await page.getByRole('button', { name: 'Launch' }).click();
    await page.getByRole('heading', { name: 'Thesis analysis', level: 1 }).waitFor();
    await page.waitForFunction(
      () => document.querySelector('.page-header .badge')?.textContent === 'Running',
      undefined,
      { timeout: 60_000 },
    );
    const open = page.getByRole('link', { name: /^Open Thesis analysis/ });
    const id = new URL(page.url()).pathname.split('/').pop();
    // Open goes through the API, which checks who asks and redirects to the environment's host.
    expect(await open.getAttribute('href')).toBe(
      `${platform.apiUrl}/api/v1/environments/${id}/open`,
    );
    expect(await open.getAttribute('target')).toBe('_blank');
    const [tab] = await Promise.all([browser.context.waitForEvent('page'), open.click()]);
    await tab.getByRole('heading', { name: `Environment ${id}` }).waitFor({ timeout: 30_000 });
    expect(new URL(tab.url()).hostname).toBe(`${id}.env.localhost`);
    await screenshot(tab, 'environment-opened-1280');
    await tab.close();
    await page.getByText('Recent events').waitFor();
    expect(await page.getByRole('row', { name: /Ready/ }).count()).toBeGreaterThan(0);
    await expectAccessible('environment detail');
    await screenshot(page, 'environment-running-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    expect((await horizontalOverflow(page)).scrollWidth).toBeLessThanOrEqual(390);
    await screenshot(page, 'environment-running-390');
    await page.setViewportSize({ width: 1280, height: 860 });
  }, 90_000);

  it('stops and starts it again', async () => {
    await page.getByRole('button', { name: 'Stop Thesis analysis' }).click();
    await page.waitForFunction(
      () => document.querySelector('.page-header .badge')?.textContent === 'Stopped',
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.getByRole('link', { name: /^Open/ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Start Thesis analysis' }).click();
    await page.waitForFunction(
      () => document.querySelector('.page-header .badge')?.textContent === 'Running',
      undefined,
      { timeout: 60_000 },
    );
    expect(await badge().textContent()).toBe('Running');
  }, 120_000);

  async function setCullWarningMinutes(minutes: number) {
    const status = await page.evaluate(
      async ({ api, minutes }) => {
        const url = `${api}/api/v1/admin/settings`;
        const read = await fetch(url, { credentials: 'include' });
        const res = await fetch(url, {
          method: 'PUT',
          credentials: 'include',
          headers: {
            'content-type': 'application/json',
            'if-match': read.headers.get('etag') ?? '',
          },
          body: JSON.stringify({ ...(await read.json()), cullWarningMinutes: minutes }),
        });
        return res.status;
      },
      { api: platform.apiUrl, minutes },
    );
    expect(status).toBe(200);
  }

  it('says when an unused environment will stop, and keeps it running on request', async () => {
    // A warning a day ahead puts the free tier's 60-minute idle stop inside the window at once.
    await setCullWarningMinutes(24 * 60);
    try {
      await platform.reap();
      await page.reload();
      const warning = page.locator('.cull-warning');
      await warning.waitFor();
      expect(await warning.textContent()).toMatch(/Stops in \d+ min unless used/);
      await expectAccessible('cull warning');
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.waitForTimeout(300); // colour transitions
      await expectAccessible('cull warning (dark)');
      await page.emulateMedia({ colorScheme: 'light' });
      await screenshot(page, 'environment-cull-warning-1280');
      await page.getByRole('button', { name: /^Keep it running.*Thesis analysis/ }).click();
      // The heartbeat clears the warning; the page shows it gone without a reload.
      await warning.waitFor({ state: 'detached' });
    } finally {
      // Back to the default, and a reaper run that clears any warning it no longer gives.
      await setCullWarningMinutes(10);
      await platform.reap();
    }
  }, 90_000);

  it('says why Launch is disabled at the tier limit, before anyone clicks', async () => {
    // The free tier runs one environment at a time.
    await page.goto(`${web}/environments`);
    const reason = page.locator('#launch-blocked');
    await reason.waitFor();
    expect(await reason.textContent()).toMatch(/limit of 1 running environment: stop one/);
    await page.goto(`${web}/environments/new`);
    await page.getByRole('radio', { name: /JupyterLab/ }).waitFor({ state: 'attached' });
    expect(await page.getByRole('region', { name: /tier$/ }).textContent()).toContain(
      '1 of 1 running',
    );
    expect(await page.getByRole('button', { name: 'Launch' }).isDisabled()).toBe(true);
    expect(await page.locator('#launch-blocked').textContent()).toContain('stop one');
  });

  it('lists it with its status and actions, also on a phone', async () => {
    await page.goto(`${web}/environments`);
    const card = page.getByRole('article', { name: 'Thesis analysis' });
    await card.waitFor();
    expect(await card.locator('.badge').textContent()).toBe('Running');
    expect(await card.getByRole('link', { name: /^Open/ }).count()).toBe(1);
    await expectAccessible('environments list');
    await screenshot(page, 'environments-list-1280');

    await page.setViewportSize({ width: 390, height: 844 });
    await card.waitFor();
    const overflow = await horizontalOverflow(page);
    expect(overflow.scrollWidth, overflow.widest.join(', ')).toBeLessThanOrEqual(390);
    await screenshot(page, 'environments-list-390');
    await page.goto(`${web}/environments/new`);
    await page.getByRole('radio', { name: /JupyterLab/ }).waitFor({ state: 'attached' });
    expect((await horizontalOverflow(page)).scrollWidth).toBeLessThanOrEqual(390);
    await screenshot(page, 'launch-390');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('deletes it after a confirmation', async () => {
    await page.goto(`${web}/environments`);
    const card = page.getByRole('article', { name: 'Thesis analysis' });
    await card.getByRole('button', { name: 'Delete Thesis analysis' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Thesis analysis?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('workspace volume with your files is kept');
    await dialog.getByRole('button', { name: 'Delete environment' }).click();
    await page.getByRole('heading', { name: 'Launch your first environment' }).waitFor({
      timeout: 60_000,
    });

    // Its files are kept until the owner deletes the data, typing the name to confirm.
    const kept = page.getByRole('region', { name: 'Kept workspace volumes' });
    await kept.waitFor({ timeout: 60_000 });
    await kept.getByRole('button', { name: 'Delete data…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete the data of Thesis analysis?' });
    await confirm.waitFor();
    const button = confirm.getByRole('button', { name: 'Delete data' });
    expect(await button.isDisabled()).toBe(true);
    await confirm.getByLabel('Type “Thesis analysis” to confirm').fill('Thesis analysis');
    expect(await button.isDisabled()).toBe(false);
    await button.click();
    await kept.getByText(/deleted for good in/).waitFor();
    expect(
      await kept.getByRole('button', { name: 'Keep the data of Thesis analysis' }).count(),
    ).toBe(1);
    await expectAccessible('kept volumes');
    await screenshot(page, 'environments-kept-volume-1280');
  }, 90_000);

  it('explains a start that cannot succeed, with the cluster’s reason and what to do', async () => {
    // The template's image cannot be pulled (kubesim scripts that image to fail).
    const catalog = await page.evaluate(
      async (api) => (await fetch(`${api}/api/v1/templates`, { credentials: 'include' })).json(),
      platform.apiUrl,
    );
    const image = catalog.items.find((t: { id: string }) => t.id === 'jupyterlab').image;
    await platform.scriptImage(image, 'ErrImagePull');
    await launch('Doomed');
    await page.getByRole('heading', { name: 'Doomed', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'It did not start' }).waitFor({ timeout: 60_000 });
    const alert = page.locator('.alert-error');
    expect(await alert.textContent()).toMatch(/ImagePull|ErrImagePull/);
    expect(await alert.textContent()).toContain('The image could not be downloaded');
    expect(await badge().textContent()).toBe('Failed');
    // A failed start can be tried again.
    expect(await page.getByRole('button', { name: 'Try again to start Doomed' }).count()).toBe(1);
    await expectAccessible('failed environment');
    await screenshot(page, 'environment-failed-1280');
  }, 90_000);
});
