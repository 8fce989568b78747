// Real Chromium for the dashboard's tests: Debian's /usr/bin/chromium driven
// by playwright-core (never `playwright install`: nothing outside the package
// registries is reachable). Each browser gets a fresh profile and a private
// HOME/XDG tree, so nothing from the machine leaks in and nothing is left.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const root = mkdtempSync(join(tmpdir(), 'lablease-chromium-'));
  const home = join(root, 'home');
  for (const dir of ['home', 'config', 'cache', 'data', 'profile']) mkdirSync(join(root, dir));
  const context = await chromium.launchPersistentContext(join(root, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(root, 'config'),
      XDG_CACHE_HOME: join(root, 'cache'),
      XDG_DATA_HOME: join(root, 'data'),
    },
    viewport: { width: 1280, height: 860 },
    colorScheme: 'light',
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Where screenshots go: CI keeps test-results/ as artifacts. */
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-results/screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  writeFileSync(path, await page.screenshot({ fullPage: true }));
  return path;
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window)))
    await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected as a global script
    const result = await (window as any).axe.run(document, {
      resultTypes: ['violations'],
    });
    return result.violations as AxeViolation[];
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
}

/** Whether anything makes the page scroll sideways at the current width. */
export async function horizontalOverflow(page: Page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    widest: [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
  }));
}

export interface BrowserTestPlatform {
  apiUrl: string;
  webUrl: string;
  bootstrapAdmin: { email: string; password: string };
  /** Makes kubesim's kubelet treat every pod in a namespace one way, e.g. 'ErrImagePull'. */
  scriptNamespace(namespace: string, behaviour: string): Promise<void>;
  /** Makes kubesim's kubelet treat every pod of an image one way, e.g. 'ErrImagePull'. */
  scriptImage(image: string, behaviour: string): Promise<void>;
  /** Runs the reaper once now (warnings and culls), instead of waiting for its minute. */
  reap(): Promise<void>;
  stop(): Promise<void>;
}

/** The whole local platform (API, web dev server, kubesim, …) in a child process, one per test file. */
export async function startPlatform(opts: { oidc?: boolean } = {}): Promise<BrowserTestPlatform> {
  const stateDir = mkdtempSync(join(tmpdir(), 'lablease-browser-'));
  const root = resolve(import.meta.dirname, '../..');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'platform-process.ts'),
      stateDir,
      ...(opts.oidc ? ['--oidc'] : []),
    ],
    { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  let output = '';
  child.stderr.on('data', (d) => {
    output = (output + d).slice(-20_000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    const ready = await new Promise<
      Omit<BrowserTestPlatform, 'stop' | 'scriptNamespace' | 'scriptImage' | 'reap'>
    >((done, fail) => {
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += d;
        const line = stdout.split('\n').find((l) => l.startsWith('READY '));
        if (line) done(JSON.parse(line.slice('READY '.length)));
      });
      child.once('exit', (code) => fail(new Error(`the platform exited (${code}):\n${output}`)));
    });
    if (!ready.webUrl || !ready.bootstrapAdmin) throw new Error('the platform has no web or admin');
    const command = (line: string) =>
      new Promise<void>((done, fail) => {
        const onData = (d: Buffer) => {
          const text = String(d);
          if (!/^(DONE|FAILED)/m.test(text)) return;
          child.stdout.off('data', onData);
          if (/^DONE/m.test(text)) done();
          else fail(new Error(text));
        };
        child.stdout.on('data', onData);
        child.stdin.write(`${line}\n`);
      });
    return {
      ...ready,
      scriptNamespace: (namespace, behaviour) => command(`script ${namespace} ${behaviour}`),
      scriptImage: (image, behaviour) => command(`script-image ${image} ${behaviour}`),
      reap: () => command('reap'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Signs the bootstrap admin in through the dashboard and sets its own password on the forced change. */
export async function signInAsBootstrapAdmin(
  page: Page,
  webUrl: string,
  admin: { email: string; password: string },
  newPassword: string,
) {
  await page.goto(webUrl, { timeout: 60_000 });
  await page.getByLabel('Email', { exact: true }).fill(admin.email);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Confirm new password').fill(newPassword);
  await page.getByRole('button', { name: 'Save password and continue' }).click();
  await page.getByRole('heading', { name: 'Environments', level: 1 }).waitFor();
}
