// Function bundles as SST builds them: size and cold import time (a fresh Node
// importing the bundle, the median of several runs), next to a bare Hono
// hello-world Lambda built and timed in the same run. Aim: API ≤ 1.5× bare.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAll, coldImport, lambdaLikeEnv, median } from '../infra/bundles.js';

export interface BundleBench {
  runs: number;
  rows: { name: string; bytes: number; importMs: number }[];
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
  const times = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  // Interleaved, so a busy moment on the machine spreads over every bundle alike.
  for (let i = 0; i < runs; i++)
    for (const b of bundles) times.get(b.name)!.push(coldImport(b.file, b.exportName, env).ms);
  return {
    runs,
    rows: bundles.map((b) => ({
      name: b.name,
      bytes: b.bytes,
      importMs: median(times.get(b.name)!),
    })),
  };
}

export function formatBundleBench({ runs, rows }: BundleBench): string {
  const bare = rows.find((r) => r.name === 'bare-hono')!;
  const lines = rows.map(
    (r) =>
      `  ${r.name.padEnd(12)} ${(r.bytes / 1024).toFixed(0).padStart(6)} KiB  ${r.importMs.toFixed(1).padStart(7)} ms  ${(r.importMs / bare.importMs).toFixed(2)}× bare`,
  );
  const api = rows.find((r) => r.name === 'api')!;
  const ratio = api.importMs / bare.importMs;
  return [
    `bundles (as SST builds them; cold import = fresh node, median of ${runs}):`,
    ...lines,
    `  api cold import ${ratio.toFixed(2)}× bare Hono (aim ≤ 1.5×): ${ratio <= 1.5 ? 'within' : 'OVER'}`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(formatBundleBench(await benchBundles()));
