// Function bundles as SST builds them: what a cold start loads, and its time
// (a fresh Node importing the bundle, then for the HTTP ones answering a first
// GET; the median of several runs), next to two yardsticks built and timed in
// the same run: a bare Hono hello-world Lambda, and Hono with the DynamoDB
// document client (the least a function of this design loads).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAll, coldImport, lambdaLikeEnv, median } from '../infra/bundles.js';

export interface BundleBench {
  runs: number;
  rows: {
    name: string;
    bytes: number;
    totalBytes: number;
    /** Median and fastest of the runs: on a shared machine the fastest is the steadier figure. */
    importMs: number;
    importMinMs: number;
    firstResponseMs?: number;
  }[];
}

export async function benchBundles(
  runs = Number(process.env.BENCH_BUNDLE_RUNS ?? 7),
): Promise<BundleBench> {
  const out = mkdtempSync(join(tmpdir(), 'lablease-bench-bundles-'));
  try {
    return await measure(out, runs);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function measure(out: string, runs: number): Promise<BundleBench> {
  const bundles = await buildAll(out);
  const env = lambdaLikeEnv(out);
  const imports = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const firsts = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  // Interleaved, so a busy moment on the machine spreads over every bundle alike.
  for (let i = 0; i < runs; i++)
    for (const b of bundles) {
      const cold = coldImport(b, env);
      imports.get(b.name)!.push(cold.ms);
      if (cold.firstResponseMs !== undefined) firsts.get(b.name)!.push(cold.firstResponseMs);
    }
  return {
    runs,
    rows: bundles.map((b) => ({
      name: b.name,
      bytes: b.bytes,
      totalBytes: b.totalBytes,
      importMs: median(imports.get(b.name)!),
      importMinMs: Math.min(...imports.get(b.name)!),
      firstResponseMs: firsts.get(b.name)!.length ? median(firsts.get(b.name)!) : undefined,
    })),
  };
}

export function formatBundleBench({ runs, rows }: BundleBench): string {
  const row = (name: string) => rows.find((r) => r.name === name)!;
  const bare = row('bare-hono');
  const floor = row('hono-dynamodb');
  const kib = (bytes: number) => (bytes / 1024).toFixed(0).padStart(5);
  const ms = (value?: number) => (value === undefined ? '' : value.toFixed(1)).padStart(7);
  const lines = rows.map(
    (r) =>
      `  ${r.name.padEnd(14)}${kib(r.bytes)} KiB of${kib(r.totalBytes)}  ${ms(r.importMs)} ms (min ${ms(r.importMinMs).trim()})  ` +
      `${(r.importMs / bare.importMs).toFixed(1).padStart(5)}× bare  ` +
      `${(r.importMs / floor.importMs).toFixed(2)}× hono-dynamodb  ${ms(r.firstResponseMs)}`,
  );
  const api = row('api');
  return [
    `bundles (as SST builds them; cold = fresh node, median of ${runs}):`,
    `  ${'function'.padEnd(14)} loaded at cold start  import (median)           ratios (medians)               first GET answered (ms)`,
    ...lines,
    `  api cold import ${(api.importMs / bare.importMs).toFixed(1)}× bare Hono, ` +
      `${(api.importMs / floor.importMs).toFixed(2)}× Hono + DynamoDB client; ` +
      `first answer ${(api.firstResponseMs! / floor.firstResponseMs!).toFixed(2)}× Hono + DynamoDB client`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(formatBundleBench(await benchBundles()));
