// The whole local platform in this test file's process, and an HTTP client
// that signs in the way the dashboard does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type LocalPlatform, startLocalPlatform } from '../../stacks/local/platform.js';

export interface Session {
  request(
    path: string,
    init?: {
      method?: string;
      body?: unknown;
      headers?: Record<string, string>;
      /** 'manual' to see a redirect (e.g. Open's, to an environment host) instead of following it. */
      redirect?: RequestRedirect;
    },
  ): Promise<Response>;
  json<T = unknown>(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T; res: Response }>;
}

/** Starts the platform (no web server) before the file's tests; fields are filled in by beforeAll. */
export function setupPlatform(opts: { scheduleEveryMs?: number } = {}): {
  platform: LocalPlatform;
  admin: Session;
} {
  const ctx = {} as { platform: LocalPlatform; admin: Session };
  const stateDir = mkdtempSync(join(tmpdir(), 'lablease-e2e-'));
  beforeAll(async () => {
    ctx.platform = await startLocalPlatform({
      stateDir,
      apiPort: 0,
      webPort: false,
      persist: false,
      cluster: 'kubesim',
      kubeletDelays: 'zero',
      // The reaper and reconciler stay out of the way unless a test wants them running.
      scheduleEveryMs: opts.scheduleEveryMs ?? 3_600_000,
      // LOCAL_ROUTER=node runs the e2e tests through the Node fallback router instead of nginx.
      routerEngine: process.env.LOCAL_ROUTER === 'node' ? 'node' : 'auto',
    });
    const admin = ctx.platform.bootstrapAdmin!;
    const session = await signIn(ctx.platform.apiUrl, admin.email, admin.password);
    const changed = await session.json('/auth/password/change', {
      method: 'POST',
      body: { currentPassword: admin.password, newPassword: 'e2e-operator-passphrase-2026' },
    });
    if (changed.status !== 200)
      throw new Error(`password change failed: ${JSON.stringify(changed.body)}`);
    ctx.admin = session;
  }, 120_000);
  afterAll(async () => {
    await ctx.platform?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });
  return ctx;
}

/** Signs in with a local account; keeps the cookies like a browser on the web origin would. */
export async function signIn(apiUrl: string, email: string, password: string): Promise<Session> {
  const cookies = new Map<string, string>();
  const origin = process.env.WEB_ORIGIN ?? 'http://localhost:5173';
  const request: Session['request'] = async (path, init = {}) => {
    const headers: Record<string, string> = { origin, ...init.headers };
    if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${apiUrl}${path}`, {
      method: init.method ?? 'GET',
      redirect: init.redirect,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) cookies.delete(pair!.slice(0, eq));
      else cookies.set(pair!.slice(0, eq), value);
    }
    return res;
  };
  // As the dashboard does: an expired access cookie is refreshed once and the call retried.
  const withRefresh: Session['request'] = async (path, init) => {
    const res = await request(path, init);
    if (res.status !== 401 || path.startsWith('/auth/')) return res;
    const refreshed = await request('/auth/refresh', { method: 'POST' });
    return refreshed.ok ? request(path, init) : res;
  };
  const session: Session = {
    request: withRefresh,
    async json(path, init) {
      const res = await withRefresh(path, init);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, res } as never;
    },
  };
  const res = await session.json('/auth/password', { method: 'POST', body: { email, password } });
  if (res.status !== 200)
    throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return session;
}

/** Polls until `done` holds (or throws with the last value seen). */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** A new local user of `tier`, signed in (through the same stores the platform uses). */
export async function createUser(
  platform: LocalPlatform,
  opts: { tier: string; email?: string },
): Promise<Session & { userId: string }> {
  const { loadConfig } = await import('../../core/config.js');
  const { createAuth } = await import('../../core/auth/index.js');
  const { createDocumentClient } = await import('../../core/store/client.js');
  const { hashPassword } = await import('../../core/auth/password.js');
  const { newId } = await import('../../core/auth/secrets.js');
  const config = loadConfig();
  const auth = await createAuth(config, createDocumentClient(config));
  const id = newId();
  const email = opts.email ?? `user-${id.slice(0, 8)}@lablease.test`;
  const password = `pw-${id}`;
  await auth.users.create({
    id,
    email,
    name: `User ${id.slice(0, 6)}`,
    role: 'user',
    tier: opts.tier,
    disabled: false,
    createdAt: new Date().toISOString(),
    passwordHash: await hashPassword(password, { N: 1024, r: 8, p: 1 }),
    authVersion: 0,
  });
  return Object.assign(await signIn(platform.apiUrl, email, password), { userId: id });
}
