// Function bundles as SST builds them: what a cold start loads, and its time
// (a fresh Node importing the bundle, then for the HTTP ones answering a first
// GET; the median of several runs), next to two yardsticks built and timed in
// the same run: a bare Hono hello-world Lambda, and Hono with the DynamoDB
// document client (the least a function of this design loads).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAll, coldImport, declaredEnv, lambdaLikeEnv, median } from '../infra/bundles.js';

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
  // Each loads as the bundle test loads it: with only what its stack gives it.
  const local = lambdaLikeEnv(out);
  const imports = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const firsts = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  // Interleaved, so a busy moment on the machine spreads over every bundle alike.
  for (let i = 0; i < runs; i++)
    for (const b of bundles) {
      const cold = coldImport(b, declaredEnv(b, local));
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
  const fixed = (value: number | undefined, digits: number) =>
    value === undefined ? '' : value.toFixed(digits);
  const table = [
    [
      'function',
      'cold KiB',
      'all KiB',
      'import ms',
      'min ms',
      '× bare',
      '× hono-ddb',
      '1st GET ms',
    ],
    ...rows.map((r) => [
      r.name,
      fixed(r.bytes / 1024, 0),
      fixed(r.totalBytes / 1024, 0),
      fixed(r.importMs, 1),
      fixed(r.importMinMs, 1),
      fixed(r.importMs / bare.importMs, 1),
      fixed(r.importMs / floor.importMs, 2),
      fixed(r.firstResponseMs, 1),
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((cells) => cells[c]!.length)));
  const lines = table.map(
    (cells) =>
      `  ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}`,
  );
  const api = row('api');
  return [
    `bundles (as SST builds them; cold = a fresh node importing the handler file and its static chunks; median of ${runs}):`,
    ...lines,
    `  api cold import ${fixed(api.importMs / bare.importMs, 1)}× bare Hono, ` +
      `${fixed(api.importMs / floor.importMs, 2)}× Hono + DynamoDB client; ` +
      `first answer ${fixed(api.firstResponseMs! / floor.firstResponseMs!, 2)}× Hono + DynamoDB client's`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(formatBundleBench(await benchBundles()));
