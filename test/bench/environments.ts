// Benchmark: creating environments through the real HTTP API on the local
// stack, next to the bare I/O it cannot avoid (one DynamoDB transaction of the
// same shape + one SQS send), measured in the same run; then POST-to-Running
// with kubesim's delays at zero, and Kubernetes API requests per lifecycle.
//
// Run: npx tsx test/bench/environments.ts   (or import { benchEnvironments })
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../../core/auth/secrets.js';
import { loadConfig } from '../../core/config.js';
import { defaultSettings } from '../../core/environment/model.js';
import { createServices } from '../../core/services.js';
import { startLocalPlatform } from '../../stacks/local/platform.js';
import { createUser, eventually } from '../support/platform.js';

export interface Percentiles {
  p50: number;
  p99: number;
}

export interface EnvironmentBenchResult {
  create: Record<'c1' | 'c32', Percentiles>;
  bare: Record<'c1' | 'c32', Percentiles>;
  postToRunningMs: Percentiles;
  kubeRequestsPerLifecycle: number;
  kubeRequestsByVerb: Record<string, number>;
}

function percentiles(samples: number[]): Percentiles {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Runs `total` calls of `fn` with `concurrency` in flight; answers each call's latency. */
async function timed(
  total: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await fn(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return latencies;
}

export async function benchEnvironments(
  opts: { creates?: number; lifecycles?: number } = {},
): Promise<EnvironmentBenchResult> {
  const creates = opts.creates ?? 256;
  const lifecycles = opts.lifecycles ?? 10;
  const stateDir = mkdtempSync(join(tmpdir(), 'lablease-bench-'));
  const platform = await startLocalPlatform({
    stateDir,
    apiPort: 0,
    webPort: false,
    persist: false,
    cluster: 'kubesim',
    kubeletDelays: 'zero',
    scheduleEveryMs: 3_600_000,
  });
  try {
    // A tier big enough that limits never refuse: the bench measures the path, not the quota.
    const config = loadConfig();
    const services = await createServices(config);
    const settings = defaultSettings();
    settings.maxRunningGlobal = 1_000_000;
    // The catalog's templates name their tiers: widen pro rather than invent a tier.
    settings.tiers.pro = { ...settings.tiers.pro!, maxRunning: 1_000_000, maxTotal: 1_000_000 };
    await services.catalog.saveSettings(settings, undefined);
    const user = await createUser(platform, { tier: 'pro' });

    // POST → Running first, one at a time, while the provisioner's queue is empty.
    const sim = platform.cluster.kubesim!;
    const runner = await createUser(platform, { tier: 'pro' });
    const toRunning: number[] = [];
    const before = sim.requests.snapshot();
    for (let i = 0; i < lifecycles; i++) {
      const t0 = performance.now();
      const { body } = await runner.json<{ id: string }>('/api/v1/environments', {
        method: 'POST',
        body: { name: `Run ${i}`, templateId: 'agent-api' },
      });
      await eventually(
        'Running',
        async () =>
          (await runner.json<{ status: { phase: string } }>(`/api/v1/environments/${body.id}`))
            .body,
        (e) => e.status.phase === 'Running',
        60_000,
      );
      toRunning.push(performance.now() - t0);
      await runner.json(`/api/v1/environments/${body.id}`, { method: 'DELETE' });
      await eventually(
        'Deleted',
        async () =>
          (await runner.json<{ status: { phase: string } }>(`/api/v1/environments/${body.id}`))
            .body,
        (e) => e.status.phase === 'Deleted',
        60_000,
      );
    }
    const after = sim.requests.snapshot();
    const byVerb: Record<string, number> = {};
    for (const [key, n] of Object.entries(after)) {
      const delta = n - (before[key] ?? 0);
      if (delta > 0) byVerb[key] = delta / lifecycles;
    }
    // Warm both paths (connections, JIT) before measuring.
    for (let i = 0; i < 10; i++)
      await user.json('/api/v1/environments', {
        method: 'POST',
        body: { name: 'warm', templateId: 'agent-api' },
      });

    const create = async () => {
      const res = await user.json('/api/v1/environments', {
        method: 'POST',
        body: { name: 'Bench', templateId: 'agent-api' },
      });
      if (res.status !== 202) throw new Error(`create answered ${res.status}`);
    };
    const sqs = new SQSClient({
      endpoint: platform.sqsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const bare = async () => {
      const id = newId();
      await services.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: config.tableName,
                Item: { PK: `BENCH#${id}`, SK: 'ENV', body: 'x'.repeat(900) },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Update: {
                TableName: config.tableName,
                Key: { PK: 'BENCH', SK: 'COUNTERS' },
                UpdateExpression: 'ADD running :one, #t :one',
                ExpressionAttributeNames: { '#t': 'total' },
                ExpressionAttributeValues: { ':one': 1, ':max': 1e9 },
                ConditionExpression: 'attribute_not_exists(running) OR running < :max',
              },
            },
            {
              Update: {
                TableName: config.tableName,
                Key: { PK: 'BENCH', SK: 'GLOBAL' },
                UpdateExpression: 'ADD running :one',
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
        }),
      );
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: platform.queueUrl,
          MessageBody: JSON.stringify({ envId: 'bench', ownerId: id, generation: 0 }),
          DelaySeconds: 900,
        }),
      );
    };
    for (let i = 0; i < 10; i++) await bare();

    const result = {
      create: {
        c1: percentiles(await timed(creates / 4, 1, create)),
        c32: percentiles(await timed(creates, 32, create)),
      },
      bare: {
        c1: percentiles(await timed(creates / 4, 1, bare)),
        c32: percentiles(await timed(creates, 32, bare)),
      },
    };
    sqs.destroy();

    return {
      ...result,
      postToRunningMs: percentiles(toRunning),
      kubeRequestsPerLifecycle: Object.values(byVerb).reduce((a, b) => a + b, 0),
      kubeRequestsByVerb: byVerb,
    };
  } finally {
    await platform.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export function formatEnvironmentBench(r: EnvironmentBenchResult): string {
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const row = (label: string, c: 'c1' | 'c32') =>
    `environments: ${label}: create p50 ${ms(r.create[c].p50)} p99 ${ms(r.create[c].p99)} | bare transaction+send p50 ${ms(r.bare[c].p50)} p99 ${ms(r.bare[c].p99)} | ratio p50 ${(r.create[c].p50 / r.bare[c].p50).toFixed(2)}×`;
  return [
    row('concurrency 1 ', 'c1'),
    row('concurrency 32', 'c32'),
    `environments: POST → Running (kubesim delays zero): p50 ${ms(r.postToRunningMs.p50)} p99 ${ms(r.postToRunningMs.p99)}`,
    `environments: Kubernetes API requests per lifecycle (create → Running → delete → Deleted): ${r.kubeRequestsPerLifecycle.toFixed(1)}`,
    `environments:   ${Object.entries(r.kubeRequestsByVerb)
      .sort(([, a], [, b]) => b - a)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatEnvironmentBench(await benchEnvironments()));
}
