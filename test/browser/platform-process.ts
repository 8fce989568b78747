// Runs the local platform for a browser test in its own process (as `npm run
// dev` does, under tsx), prints one READY line with its URLs and the bootstrap
// admin, and stops everything when its stdin closes or it gets SIGTERM. A
// separate process keeps the platform's process.env and module graph away
// from the test runner's.
import { startLocalPlatform } from '../../stacks/local/platform.js';

const stateDir = process.argv[2];
if (!stateDir) throw new Error('usage: platform-process.ts <stateDir>');

const platform = await startLocalPlatform({
  stateDir,
  apiPort: 0,
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
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

process.stdout.write(
  `READY ${JSON.stringify({
    apiUrl: platform.apiUrl,
    webUrl: platform.webUrl,
    bootstrapAdmin: platform.bootstrapAdmin,
  })}\n`,
);
