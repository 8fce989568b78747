// The quickstart's first command, as a newcomer runs it: `npm run dev` comes
// up healthy on real local services, refuses a second copy, and Ctrl-C leaves
// no process and no open port behind.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../stacks/local/ports.js';

const root = join(import.meta.dirname, '../..');

function startDev(env: Record<string, string>) {
  const child = spawn('npm', ['run', 'dev'], {
    cwd: root,
    env: { ...process.env, ...env },
    // Its own process group, so Ctrl-C can be sent to all of it like a terminal does.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  // npm itself dies of the SIGINT a terminal sends it; what matters is what dev.ts does.
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  return { child, exited, output: () => output };
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  output: () => string,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; output:\n${output()}`);
}

function portOpen(port: number) {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function processesInGroup(pgid: number) {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '-g', String(pgid)], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return ''; // ps exits 1 when the group is empty
  }
}

describe('npm run dev', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'lablease-dev-'));
  let first: ReturnType<typeof startDev> | undefined;
  afterAll(() => {
    if (first?.child.pid && processesInGroup(first.child.pid))
      process.kill(-first.child.pid, 'SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('comes up healthy, refuses a second copy, and stops cleanly on Ctrl-C', async () => {
    const apiPort = await freePort();
    const webPort = await freePort();
    const routerPort = await freePort();
    const env = {
      LABLEASE_STATE_DIR: stateDir,
      API_PORT: String(apiPort),
      WEB_PORT: String(webPort),
      ROUTER_PORT: String(routerPort),
    };
    first = startDev(env);
    const api = `http://127.0.0.1:${apiPort}`;

    await waitFor(
      '/health',
      async () => ((await fetch(`${api}/health`)).ok ? true : undefined),
      90_000,
      first.output,
    );
    const info = await (await fetch(`${api}/api/v1/info`)).json();
    expect(info.backends.dynamodb.engine).toBe('DynamoDB Local');
    expect(info.backends.queue.engine).toBe('fauxqs');
    expect(info.backends.cluster.kind).toMatch(/kubesim/);
    // The banner says where everything is.
    await waitFor(
      'the banner',
      async () => (first?.output().includes('Lablease is running') ? true : undefined),
      10_000,
      first.output,
    );
    expect(first.output()).toContain(`http://localhost:${webPort}`);
    // Environments are served by the local router, at its port.
    expect(first.output()).toContain(`http://<envId>.env.localhost:${routerPort}/`);
    expect(info.backends.router.environments).toBe(`http://<envId>.env.localhost:${routerPort}/`);
    // The dashboard is served.
    const page = await fetch(`http://127.0.0.1:${webPort}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    // The embedded cluster's kubeconfig is where DESIGN.md says.
    expect(readFileSync(join(stateDir, 'kubeconfig'), 'utf8')).toContain(
      info.backends.cluster.server,
    );

    const second = startDev({
      ...env,
      API_PORT: String(await freePort()),
      WEB_PORT: String(await freePort()),
      ROUTER_PORT: String(await freePort()),
    });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/already running \(pid \d+/);

    const pgid = first.child.pid!;
    process.kill(-pgid, 'SIGINT');
    expect([0, 'SIGINT']).toContain(await first.exited);
    expect(first.output()).toContain('SIGINT: stopping Lablease');
    await waitFor(
      'every process to exit',
      async () => (processesInGroup(pgid) === '' ? true : undefined),
      15_000,
      () => processesInGroup(pgid),
    );
    expect(await portOpen(apiPort)).toBe(false);
    expect(await portOpen(webPort)).toBe(false);
    expect(() => readFileSync(join(stateDir, 'dev.lock'))).toThrow(/ENOENT/);
  }, 150_000);
});
