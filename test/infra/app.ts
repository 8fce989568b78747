// Runs sst.config.ts — app() and run(), the stacks/ modules fresh — under the
// recorder, for one stage and one set of deploy-time settings.
import { vi } from 'vitest';
import { installRecorder, type Recording, resolve, uninstallRecorder } from './recorder.js';

// Not a literal import: tsc (tsconfig.json) must not follow it into the SST
// globals; tsconfig.sst.json checks those files.
const CONFIG = '../../sst.config.ts';

export const SETTINGS = {
  ENVIRONMENTS_DOMAIN: 'env.example.org',
  EKS_CLUSTER_NAME: 'research',
  ALARM_EMAIL: 'ops@example.org',
};

/** Every variable stacks/settings.ts reads at deploy. */
const DEPLOY_SETTING =
  /^(LABLEASE_.*|ENVIRONMENTS_DOMAIN|EKS_CLUSTER_NAME|ALARM_EMAIL|ADMIN_EMAILS|ALLOWED_EMAIL_DOMAINS|API_DOMAIN|WEB_DOMAIN|AUDIT_RETENTION_DAYS|LOCAL_ACCOUNTS|OIDC_CLIENT_ID)$/;

export interface RunResult {
  recording: Recording;
  app: { removal: string; protect: boolean; home: string };
  outputs: Record<string, unknown>;
}

export async function runApp(
  stage: string,
  env: Record<string, string | undefined> = SETTINGS,
): Promise<RunResult> {
  // Fresh stacks/ modules per run under vitest; a plain process (npm run bench) runs once.
  if (process.env.VITEST) vi.resetModules();
  const saved = { ...process.env };
  // Only this run's settings: `npm run bench` has started local platforms in
  // this process before, which leave e.g. LABLEASE_CLUSTER=kubesim behind.
  for (const k of Object.keys(process.env)) if (DEPLOY_SETTING.test(k)) delete process.env[k];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const recording = installRecorder(stage);
  try {
    const { default: config } = await import(/* @vite-ignore */ CONFIG);
    const app = await config.app({ stage });
    const outputs = resolve(await config.run());
    return { recording, app, outputs };
  } finally {
    uninstallRecorder();
    process.env = saved;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a function's recorded arguments, as SST receives them
export type Fn = Record<string, any>;

/** The four functions as declared: the API route's, the subscriber's, the crons'. */
export function functionsOf({ recording }: RunResult): Record<string, Fn> {
  const { calls, resources } = recording;
  const route = calls.find((c) => c.target === 'Api' && c.method === 'route');
  const subscription = calls.find((c) => c.target === 'Intents' && c.method === 'subscribe');
  const cron = (name: string) =>
    resources.find((r) => r.type === 'sst.aws.Cron' && r.name === name);
  return resolve({
    api: route?.args[1],
    provisioner: subscription?.args[0],
    reaper: cron('Reaper')?.args.function,
    reconciler: cron('Reconciler')?.args.function,
  });
}
