// Benchmark: /auth/verify with a warm environment cookie, in process
// (app.request, no network), the way the proxy asks it on every request to an
// environment. The cookie comes from the real flow (Open → code → verify) on
// DynamoDB Local; the loop then counts every DynamoDB command it causes: a
// warm cookie reads nothing, and activity writes at most once a minute.
// Beside it, the cookie's signature check alone (the floor of the path).
//
// Run: npx tsx test/bench/access.ts [N]   (or import { benchAccess })
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { openEnvironment } from '../../core/access/index.js';
import { createApp } from '../../core/api/app.js';
import { backendsFromConfig } from '../../core/api/backends.js';
import { generateSigningKey } from '../../core/auth/access-token.js';
import { loadConfig } from '../../core/config.js';
import { createEnvironment } from '../../core/environment/lifecycle.js';
import { createServices } from '../../core/services.js';
import { startDynamoDbLocal } from '../../stacks/local/dynamodb-local.js';
import { ensureTable } from '../../stacks/local/table.js';
import type { Percentiles } from './environments.js';

export interface AccessBenchResult {
  requests: number;
  verifyMs: Percentiles;
  signatureOnlyMs: Percentiles;
  /** DynamoDB commands sent during the timed loop, by name. */
  dynamo: Record<string, number>;
}

function percentiles(samples: number[]): Percentiles {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

export async function benchAccess(requests = 20_000): Promise<AccessBenchResult> {
  const dynamo = await startDynamoDbLocal({ inMemory: true });
  try {
    const config = loadConfig({
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      TABLE_NAME: 'bench-access',
      AUTH_SIGNING_KEYS: JSON.stringify([await generateSigningKey('bench')]),
    });
    const client = new DynamoDBClient({
      region: config.region,
      endpoint: dynamo.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTable(client, config.tableName);
    const doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const log = () => {};
    const services = await createServices(config, { doc, log });
    const app = createApp({
      config,
      backends: backendsFromConfig(config),
      auth: services.auth,
      environments: { lifecycle: services.lifecycle, environments: services.environments },
      access: services.access,
      log,
    });

    // The real flow once: a user, a running environment, Open, the code through verify.
    const admin = await services.auth.localAccounts.ensureBootstrapAdmin(
      'bench@lablease.test',
      'pro',
    );
    const user = (await services.auth.users.getByEmail(admin!.email))!;
    const { env } = await createEnvironment(
      services.lifecycle,
      { userId: user.id, tier: 'pro' },
      { name: 'Bench', templateId: 'jupyterlab' },
    );
    const location = new URL(
      await openEnvironment(
        services.access.open,
        { userId: user.id, role: user.role, via: 'session', scopes: ['environments:write'] },
        env.id,
      ),
    );
    const host = location.host;
    const opened = await app.request('/auth/verify', {
      headers: {
        'x-forwarded-host': host,
        'x-forwarded-uri': `${location.pathname}${location.search}`,
      },
    });
    if (opened.status !== 200) throw new Error(`code not redeemed: ${opened.status}`);
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;

    const headers = {
      'x-forwarded-host': host,
      'x-forwarded-uri': '/lab/api/contents?content=1',
      'x-forwarded-method': 'GET',
      'x-forwarded-proto': 'http',
      'x-original-url': `http://${host}/lab/api/contents?content=1`,
      'x-original-method': 'GET',
      cookie: `_xsrf=2|abc; ${cookie}; username-localhost-8888=xyz`,
    };
    // Warm up the JIT and the key import, then count every DynamoDB command of the timed loop.
    for (let i = 0; i < 500; i++) await app.request('/auth/verify', { headers });
    const commands: Record<string, number> = {};
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName);
        commands[name] = (commands[name] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'benchAccessCounter' },
    );
    const latencies: number[] = [];
    for (let i = 0; i < requests; i++) {
      const t0 = performance.now();
      const res = await app.request('/auth/verify', { headers });
      latencies.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`verify answered ${res.status}`);
    }

    const token = cookie.slice(cookie.indexOf('=') + 1);
    const signature: number[] = [];
    for (let i = 0; i < Math.min(requests, 5_000); i++) {
      const t0 = performance.now();
      await services.access.tokens.verifyCookie(token, env.id);
      signature.push(performance.now() - t0);
    }
    return {
      requests,
      verifyMs: percentiles(latencies),
      signatureOnlyMs: percentiles(signature),
      dynamo: commands,
    };
  } finally {
    await dynamo.stop();
  }
}

export function formatAccessBench(r: AccessBenchResult): string {
  const ms = (p: Percentiles) => `p50 ${p.p50.toFixed(3)} ms, p99 ${p.p99.toFixed(3)} ms`;
  const commands = Object.entries(r.dynamo)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `access: /auth/verify, warm cookie, ${r.requests} requests in process: ${ms(r.verifyMs)}`,
    `access: cookie signature check alone: ${ms(r.signatureOnlyMs)}`,
    `access: DynamoDB commands during the loop: ${commands || 'none'}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatAccessBench(await benchAccess(Number(process.argv[2] ?? 20_000))));
  process.exit(0);
}
