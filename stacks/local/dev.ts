// `npm run dev`: the whole platform on this machine, until Ctrl-C.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { AlreadyRunning, acquireLock } from './lock.js';
import { startLocalPlatform } from './platform.js';

const stateDir = resolve(process.env.LABLEASE_STATE_DIR ?? '.lablease');
const apiPort = Number(process.env.API_PORT ?? 8787);
const webPort = Number(process.env.WEB_PORT ?? 5173);
const routerPort = Number(process.env.ROUTER_PORT ?? 8780);
const routerEngine = (['nginx', 'node'] as const).find((e) => e === process.env.LOCAL_ROUTER);
const cluster = process.env.LABLEASE_CLUSTER === 'kubeconfig' ? 'kubeconfig' : 'kubesim';

async function main() {
  const started = performance.now();
  mkdirSync(stateDir, { recursive: true });
  const release = acquireLock(resolve(stateDir, 'dev.lock'));
  let platform: Awaited<ReturnType<typeof startLocalPlatform>> | undefined;
  let stopping = false;

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Lablease…`);
    await platform?.stop();
    release();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    platform = await startLocalPlatform({
      stateDir,
      apiPort,
      webPort,
      persist: true,
      cluster,
      kubeletDelays: 'realistic',
      routerPort,
      routerEngine,
      log: (line) => console.log(line),
    });
  } catch (err) {
    release();
    throw err;
  }
  if (stopping) return;

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const p = platform;
  console.log(
    [
      '',
      `  Lablease is running (ready in ${seconds}s)`,
      '',
      `  Dashboard   ${p.webUrl}`,
      `  API         ${p.apiUrl}   (health: ${p.apiUrl}/health, info: ${p.apiUrl}/api/v1/info)`,
      ...(p.router
        ? [
            `  Router      http://<envId>.env.localhost:${p.router.port}/ — ${
              p.router.engine === 'nginx'
                ? `nginx ${p.router.version} (auth_request to the API's /auth/verify)`
                : 'Node fallback router (install nginx for the real thing)'
            }`,
          ]
        : []),
      '',
      `  DynamoDB    DynamoDB Local at ${p.dynamodbEndpoint} (data in ${resolve(stateDir, 'dynamodb')})`,
      `  Queue       fauxqs at ${p.sqsEndpoint} (${p.queueUrl}, DLQ ${p.dlqUrl})`,
      p.cluster.kind === 'kubesim'
        ? `  Cluster     kubesim at ${p.cluster.server} — kubectl --kubeconfig ${p.cluster.kubeconfigPath} get pods -A`
        : `  Cluster     current kubeconfig context at ${p.cluster.server}`,
      '',
      ...signInLines(p.bootstrapAdmin),
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  console.error(
    err instanceof AlreadyRunning
      ? err.message
      : `Lablease failed to start: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
});

function signInLines(admin: Awaited<ReturnType<typeof startLocalPlatform>>['bootstrapAdmin']) {
  if (!admin) return ['  Sign in with your local account.'];
  return [
    admin.firstStart
      ? '  First start: a bootstrap admin was created. Sign in with'
      : '  Bootstrap admin (until its password is changed):',
    `    email     ${admin.email}`,
    `    password  ${admin.password}   (one-time; you will be asked to change it — also in ${admin.file})`,
  ];
}
