// Runs the local platform for a browser test in its own process (as `npm run
// dev` does, under tsx), prints one READY line with its URLs and the bootstrap
// admin, and stops everything when its stdin closes or it gets SIGTERM. A
// separate process keeps the platform's process.env and module graph away
// from the test runner's.
import { startLocalPlatform } from '../../stacks/local/platform.js';
import { freePort } from '../../stacks/local/ports.js';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.js';

const [stateDir, ...flags] = process.argv.slice(2);
if (!stateDir) throw new Error('usage: platform-process.ts <stateDir> [--oidc]');

// With --oidc, a real OIDC provider (panva's oidc-provider, dev login form) is
// the identity provider: the API's port is chosen first, for its callback URL.
const apiPort = await freePort();
let oidc: TestOidcProvider | undefined;
if (flags.includes('--oidc')) {
  oidc = await startOidcProvider(`http://localhost:${apiPort}/auth/callback`);
  oidc.accounts.set('ada', { email: 'ada@lablease.test', name: 'Ada Lovelace' });
  oidc.accounts.set('unverified', { email: 'eve@lablease.test', emailVerified: false });
  Object.assign(process.env, {
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: oidc.clientId,
    OIDC_CLIENT_SECRET: oidc.clientSecret,
    OIDC_PROVIDER_NAME: 'Lablease ID',
  });
}

const platform = await startLocalPlatform({
  stateDir,
  apiPort,
  webPort: 0,
  persist: false,
  cluster: 'kubesim',
  kubeletDelays: 'zero',
  log: (line) => process.stderr.write(`${line}\n`),
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await platform.stop();
  await oidc?.stop();
  process.exit(0);
}
process.stdin.on('end', stop);
// Commands from the test, one per line, answered DONE or FAILED in order:
// `script <namespace> <behaviour>` makes kubesim's kubelet treat every pod
// there that way (e.g. ErrImagePull), `script-image <image> <behaviour>` every
// pod of that image; `reap` runs the reaper once now rather
// than at its next minute.
async function run(command: string | undefined, args: string[]) {
  if (command === 'script' && args[0] && args[1]) {
    const simulation = platform.cluster.kubesim?.simulation;
    if (!simulation) throw new Error('no kubesim');
    simulation.scriptNamespace(
      args[0],
      args[1] as Parameters<typeof simulation.scriptNamespace>[1],
    );
  } else if (command === 'script-image' && args[0] && args[1]) {
    const simulation = platform.cluster.kubesim?.simulation;
    if (!simulation) throw new Error('no kubesim');
    simulation.scriptImage(args[0], args[1] as Parameters<typeof simulation.scriptImage>[1]);
  } else if (command === 'reap') {
    const reaper = await import('../../functions/reaper.js');
    await reaper.handler();
  } else throw new Error(`unknown command: ${command}`);
}
let pending = '';
let queue = Promise.resolve();
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  let newline = pending.indexOf('\n');
  while (newline >= 0) {
    const [command, ...args] = pending.slice(0, newline).trim().split(/\s+/);
    pending = pending.slice(newline + 1);
    newline = pending.indexOf('\n');
    queue = queue.then(() =>
      run(command, args).then(
        () => void process.stdout.write('DONE\n'),
        (err: unknown) => void process.stdout.write(`FAILED ${String(err)}\n`),
      ),
    );
  }
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

process.stdout.write(
  `READY ${JSON.stringify({
    apiUrl: platform.apiUrl,
    webUrl: platform.webUrl,
    bootstrapAdmin: platform.bootstrapAdmin,
  })}\n`,
);
