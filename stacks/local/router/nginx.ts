// Runs Debian's nginx as the local router: unprivileged paths (its own pid,
// logs and temp files in a folder of its own), `daemon off`, a child of this
// process that dies with it (setpriv's parent-death signal, where util-linux
// has it), reloaded with SIGHUP after `nginx -t` accepted the new text.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface NginxBinary {
  path: string;
  version: string;
}

const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'];

/** Debian's nginx with the auth_request module, or undefined when absent. */
export async function findNginx(): Promise<NginxBinary | undefined> {
  const fromPath = (process.env.PATH ?? '').split(':').map((d) => join(d, 'nginx'));
  for (const path of [...fromPath, ...CANDIDATES]) {
    if (!existsSync(path)) continue;
    try {
      // nginx -V prints to stderr.
      const { stderr } = await run(path, ['-V']);
      if (!stderr.includes('--with-http_auth_request_module')) continue;
      const version = /nginx\/(\S+)/.exec(stderr)?.[1] ?? 'unknown';
      return { path, version };
    } catch {}
  }
  return undefined;
}

export interface NginxProcess {
  pid: number;
  /** Validates `config` with `nginx -t`, then swaps it in and reloads; throws (old config kept) if invalid. */
  reload(config: string): Promise<void>;
  stop(): Promise<void>;
}

const SETPRIV = '/usr/bin/setpriv';

export async function startNginx(
  nginx: NginxBinary,
  dir: string,
  config: string,
  port: number,
  log: (line: string) => void,
): Promise<NginxProcess> {
  for (const sub of ['tmp', 'empty']) await mkdir(join(dir, sub), { recursive: true });
  // As root, nginx's workers run as nobody: they must reach the temp folders.
  await chmod(dir, 0o755);
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, config);
  await test(nginx, dir, conf);
  const args = ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')];
  const child: ChildProcess = existsSync(SETPRIV)
    ? spawn(SETPRIV, ['--pdeathsig', 'TERM', '--', nginx.path, ...args], { stdio: 'ignore' })
    : spawn(nginx.path, args, { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let stopped = false;
  void exited.then((code) => {
    if (!stopped) log(`router: nginx exited (${code}); see ${join(dir, 'error.log')}`);
  });
  // The pid file appears only once nginx holds its port (a port in use makes it exit instead).
  const up = await Promise.race([
    waitForFile(join(dir, 'nginx.pid'))
      .then(() => waitForPort(port))
      .then(() => true),
    exited.then(() => false),
  ]);
  if (!up) {
    throw new Error(`nginx did not start: ${await tail(join(dir, 'error.log'))}`);
  }
  const pid = child.pid!;
  // Reloads one at a time, each on the config of its own call.
  let chain = Promise.resolve();
  return {
    pid,
    reload(next) {
      const step = chain.then(async () => {
        const candidate = join(dir, 'nginx.next.conf');
        await writeFile(candidate, next);
        await test(nginx, dir, candidate);
        await rename(candidate, conf);
        const old = workersOf(pid);
        process.kill(pid, 'SIGHUP');
        await oldWorkersStopListening(old);
      });
      chain = step.catch(() => {});
      return step;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode !== null) return;
      child.kill('SIGTERM'); // fast shutdown: open websockets close too
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function test(nginx: NginxBinary, dir: string, conf: string) {
  try {
    await run(nginx.path, ['-t', '-q', '-p', dir, '-c', conf, '-e', join(dir, 'error.log')]);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    throw new Error(`nginx refused the router configuration: ${stderr.trim()}`);
  }
}

async function tail(file: string) {
  try {
    return (await readFile(file, 'utf8')).trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no error log)';
  }
}

/** The pids of a master's workers (Linux /proc; empty elsewhere). */
function workersOf(master: number): number[] {
  if (process.platform !== 'linux') return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === master) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

/**
 * After a reload the old workers finish their connections but stop accepting:
 * nginx retitles one "worker process is shutting down" as it closes its
 * listening sockets. Until then a new connection may still meet the old
 * configuration.
 */
async function oldWorkersStopListening(old: number[], timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  const accepting = (pid: number) => {
    try {
      return !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('shutting down');
    } catch {
      return false; // gone
    }
  };
  while (old.some(accepting)) {
    if (Date.now() > deadline) throw new Error('nginx: old workers still accept after a reload');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves once the running nginx serves rendering `generation` (a reload took effect). */
export async function waitForGeneration(port: number, generation: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const served = await new Promise<string>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/.lablease/generation', agent: false },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', () => resolve(''));
      req.end();
    });
    if (served === String(generation)) return;
    if (Date.now() > deadline)
      throw new Error(`nginx still serves generation ${served || '?'}, not ${generation}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function waitForFile(path: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`no ${path}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function waitForPort(port: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}
