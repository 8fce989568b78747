// Every function bundled the way SST bundles it (sst-build.ts), plus a bare
// Hono hello-world Lambda as the yardstick, and a way to load a bundle in a
// fresh Node process, as a Lambda cold start does, timing its import.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { functionsOf, runApp } from './app.js';
import { type Built, buildLikeSst, handlerSource } from './sst-build.js';

export interface FunctionBundle extends Built {
  name: string;
  exportName: string;
}

export const BARE_HONO = 'test/infra/fixtures/hello-hono.ts';

/** Builds the functions sst.config.ts declares (their handlers as declared) and the bare Hono one. */
export async function buildAll(outDir: string): Promise<FunctionBundle[]> {
  const fns = functionsOf(await runApp('dev'));
  const entries = [
    ...Object.entries(fns).map(([name, fn]) => ({ name, ...handlerSource(fn.handler) })),
    { name: 'bare-hono', source: BARE_HONO, exportName: 'handler' },
  ];
  const bundles: FunctionBundle[] = [];
  for (const e of entries)
    bundles.push({
      name: e.name,
      exportName: e.exportName,
      ...(await buildLikeSst(e.source, join(outDir, e.name))),
    });
  return bundles;
}

/** What a function finds in its environment on Lambda, pointed at nothing reachable. */
export function lambdaLikeEnv(
  dir = mkdtempSync(join(tmpdir(), 'lablease-env-')),
): NodeJS.ProcessEnv {
  const key = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:9' } }],
      users: [{ name: 'u', user: { token: 'x' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'c',
    }),
  );
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    LABLEASE_STAGE: 'bundle-test',
    TABLE_NAME: 'lablease-bundle-test',
    INTENT_QUEUE_URL: 'http://127.0.0.1:9/000000000000/intents',
    ENVIRONMENTS_DOMAIN: 'env.example.org',
    AUTH_SIGNING_KEYS: JSON.stringify([{ ...key, kid: 'k1', alg: 'EdDSA' }]),
    LABLEASE_CLUSTER: 'kubeconfig',
    KUBECONFIG: kubeconfig,
  };
}

/**
 * Imports a bundle in a fresh Node (this Node: 24, as Lambda's nodejs24.x)
 * and returns the import's duration in ms and the type of its export.
 */
export function coldImport(
  file: string,
  exportName: string,
  env: NodeJS.ProcessEnv,
): { ms: number; exportType: string } {
  const script = `const t = performance.now();
const m = await import(${JSON.stringify(pathToFileURL(file).href)});
const ms = performance.now() - t;
process.stdout.write(JSON.stringify({ ms, exportType: typeof m[${JSON.stringify(exportName)}] }));
process.exit(0);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
