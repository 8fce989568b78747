// Every function bundled the way SST bundles it (sst-build.ts), plus two
// yardsticks (a bare Hono hello-world Lambda, and Hono with the DynamoDB
// document client), and a way to load a bundle in a fresh Node process, as a
// Lambda cold start does, timing its import and its first answer.
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
  /** For an HTTP function: the path of a GET its first invocation answers 200. */
  probe?: string;
  /** A declared function's environment as sst.config.ts gives it (deploy-time values as `<Name.attr>`). */
  declared?: Record<string, string>;
}

/** The yardsticks, built and timed beside the functions. */
export const YARDSTICKS = [
  { name: 'bare-hono', source: 'test/infra/fixtures/hello-hono.ts', probe: '/' },
  { name: 'hono-dynamodb', source: 'test/infra/fixtures/hono-dynamodb.ts', probe: '/health' },
] as const;

/** Builds the functions sst.config.ts declares (their handlers as declared) and the yardsticks. */
export async function buildAll(outDir: string): Promise<FunctionBundle[]> {
  const fns = functionsOf(await runApp('dev'));
  const entries = [
    ...Object.entries(fns).map(([name, fn]) => ({
      name,
      ...handlerSource(fn.handler),
      probe: name === 'api' ? '/health' : undefined,
      declared: fn.environment as Record<string, string>,
    })),
    ...YARDSTICKS.map((y) => ({ ...y, exportName: 'handler', declared: undefined })),
  ];
  const bundles: FunctionBundle[] = [];
  for (const e of entries)
    bundles.push({
      name: e.name,
      exportName: e.exportName,
      probe: e.probe,
      declared: e.declared,
      ...(await buildLikeSst(e.source, join(outDir, e.name))),
    });
  return bundles;
}

/**
 * What `bundle` finds in its environment on Lambda: Lambda's own variables and
 * exactly the names its stack declares — the values it declares, local ones
 * (`local`) for those only a deploy knows. One exception: cluster access is a
 * local kubeconfig, as no EKS cluster is reachable here.
 */
export function declaredEnv(
  bundle: Pick<FunctionBundle, 'name' | 'declared'>,
  local: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  if (!bundle.declared) return local;
  const runtime = ['PATH', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
  const env: NodeJS.ProcessEnv = Object.fromEntries(runtime.map((k) => [k, local[k]]));
  for (const [name, value] of Object.entries(bundle.declared)) {
    if (!value.startsWith('<')) env[name] = value;
    else if (local[name] !== undefined) env[name] = local[name];
    else throw new Error(`${bundle.name}: no local value for ${name} (${value})`);
  }
  if (env.LABLEASE_CLUSTER === 'eks') {
    delete env.EKS_CLUSTER_NAME;
    Object.assign(env, { LABLEASE_CLUSTER: 'kubeconfig', KUBECONFIG: local.KUBECONFIG });
  }
  return env;
}

/** What a function finds in its environment on Lambda, pointed at nothing reachable. */
export function lambdaLikeEnv(
  dir = mkdtempSync(join(tmpdir(), 'lablease-env-')),
): NodeJS.ProcessEnv {
  const jwk = (kid: string) => ({
    ...generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }),
    kid,
    alg: 'EdDSA',
  });
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
    API_URL: 'https://api.example.org',
    WEB_ORIGIN: 'https://app.example.org',
    AUTH_SIGNING_KEYS: JSON.stringify([jwk('k1')]),
    ACTIVITY_SIGNING_KEYS: JSON.stringify([jwk('a1')]),
    LABLEASE_CLUSTER: 'kubeconfig',
    KUBECONFIG: kubeconfig,
  };
}

export interface ColdStart {
  /** The import: what Lambda's init phase runs. */
  ms: number;
  exportType: string;
  /** With a probe: the import and the first invocation, to its answer. */
  firstResponseMs?: number;
  status?: number;
}

/**
 * Imports a bundle in a fresh Node (this Node: 24, as Lambda's nodejs24.x)
 * and returns the import's duration in ms and the type of its export; with a
 * probe path, then invokes the handler once with an API Gateway (HTTP API,
 * payload 2.0) GET of it, as the first request after a cold start.
 */
export function coldImport(
  bundle: Pick<FunctionBundle, 'file' | 'exportName' | 'probe'>,
  env: NodeJS.ProcessEnv,
): ColdStart {
  const event = bundle.probe ? httpApiGet(bundle.probe) : null;
  const script = `const t = performance.now();
const m = await import(${JSON.stringify(pathToFileURL(bundle.file).href)});
const ms = performance.now() - t;
const handler = m[${JSON.stringify(bundle.exportName)}];
const out = { ms, exportType: typeof handler };
const event = ${JSON.stringify(event)};
if (event) {
  const res = await handler(event, { awsRequestId: 'cold', getRemainingTimeInMillis: () => 20000 });
  Object.assign(out, { firstResponseMs: performance.now() - t, status: res.statusCode });
}
process.stdout.write(JSON.stringify(out));
process.exit(0);`;
  try {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out);
  } catch (err) {
    // Node prints the minified line that threw first: keep only what says why.
    const stderr = String((err as { stderr?: string }).stderr ?? '');
    const why = stderr.split('\n').filter((line) => /^\w*Error\b|^\s+at /.test(line));
    throw new Error(
      `${bundle.file} failed to load: ${why.slice(0, 4).join('\n') || stderr.slice(-500)}`,
    );
  }
}

/** A GET as API Gateway's HTTP API hands it to a Lambda (payload format 2.0). */
function httpApiGet(path: string) {
  const host = 'api.example.org';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host, accept: 'application/json', 'user-agent': 'cold-start' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: host,
      domainPrefix: 'api',
      http: {
        method: 'GET',
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'cold-start',
      },
      requestId: 'cold',
      routeKey: '$default',
      stage: '$default',
      time: '07/Dec/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
