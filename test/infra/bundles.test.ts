// Every function, bundled exactly as SST bundles it (stacks/bundling.ts),
// builds, exports its handler and loads in a fresh Node 24 — the ESM bundle
// of @kubernetes/client-node included — and the API bundle carries no
// Kubernetes client. Sizes and cold import times are in `npm run bench`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll, coldImport, type FunctionBundle, lambdaLikeEnv } from './bundles.js';

const KUBERNETES_CLIENT = /node_modules\/@kubernetes\/client-node\//;

describe('function bundles', () => {
  let bundles: FunctionBundle[];
  const out = mkdtempSync(join(tmpdir(), 'lablease-bundles-'));
  beforeAll(async () => {
    bundles = await buildAll(out);
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds every declared function with its handler exported', () => {
    expect(bundles.map((b) => b.name)).toEqual([
      'api',
      'provisioner',
      'reaper',
      'reconciler',
      'bare-hono',
    ]);
    for (const b of bundles) expect(b.exports, b.name).toContain(b.exportName);
  });

  it('loads every bundle once in a fresh Node, its handler a function', () => {
    const env = lambdaLikeEnv(out);
    for (const b of bundles) {
      const loaded = coldImport(b.file, b.exportName, env);
      expect(loaded.exportType, b.name).toBe('function');
    }
  }, 120_000);

  it('keeps @kubernetes/client-node out of the API, the reaper; in the cluster workers', () => {
    const has = (name: string) =>
      bundles.find((b) => b.name === name)!.inputs.some((i) => KUBERNETES_CLIENT.test(i));
    expect(has('api')).toBe(false);
    expect(has('reaper')).toBe(false);
    expect(has('provisioner')).toBe(true);
    expect(has('reconciler')).toBe(true);
  });
});
