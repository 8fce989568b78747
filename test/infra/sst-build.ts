// Builds a function the way SST does (its esbuild options, from SST's
// pkg/runtime/node/build.go: platform node, bundle, keepNames, the runtime's
// target (ES2024 for nodejs24.x), mainFields module,main, and for ESM a banner
// that defines `require`, `__filename` and `__dirname`; with `splitting`, an
// outdir holding `bundle.mjs` and its chunks), with the app's own `nodejs`
// settings (stacks/bundling.ts). The tests load what this builds, so what SST
// deploys loads.
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { NODEJS_BUNDLING, RUNTIME } from '../../stacks/bundling.js';

export const ROOT = resolve(import.meta.dirname, '../..');

const SST_ESM_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
].join('\n');

/** SST's esbuild target for each Lambda runtime (build.go's targetMap). */
const SST_TARGET: Record<typeof RUNTIME, string> = { 'nodejs24.x': 'es2024' };

export interface Built {
  /** The handler's file (SST's `bundle.mjs`). */
  file: string;
  /** What a cold start loads: the handler's file and the chunks it imports statically. */
  bytes: number;
  /** Every file of the package, lazily imported chunks included. */
  totalBytes: number;
  exports: string[];
  /** Every input file (node_modules paths included) the package holds. */
  inputs: string[];
  /** The inputs a cold start loads (those of `bytes`). */
  coldInputs: string[];
}

/** `functions/api.handler` → `functions/api.ts` and the export `handler`. */
export function handlerSource(handler: string): { source: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  return { source: `${handler.slice(0, dot)}.ts`, exportName: handler.slice(dot + 1) };
}

export async function buildLikeSst(entry: string, outDir: string): Promise<Built> {
  mkdirSync(outDir, { recursive: true });
  const esm = NODEJS_BUNDLING.format === 'esm';
  const split = esm && NODEJS_BUNDLING.splitting;
  const file = join(outDir, `bundle.${esm ? 'mjs' : 'cjs'}`);
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    absWorkingDir: ROOT,
    platform: 'node',
    bundle: true,
    keepNames: true,
    format: esm ? 'esm' : 'cjs',
    target: SST_TARGET[RUNTIME],
    mainFields: esm ? ['module', 'main'] : ['main'],
    external: ['sharp', 'pg-native'],
    banner: esm ? { js: SST_ESM_BANNER } : {},
    minify: NODEJS_BUNDLING.minify,
    sourcemap: NODEJS_BUNDLING.sourcemap ? 'linked' : false,
    metafile: true,
    ...(split
      ? { splitting: true, outdir: outDir, entryNames: 'bundle', outExtension: { '.js': '.mjs' } }
      : { outfile: file }),
    logLevel: 'silent',
  });
  const outputs = Object.entries((result.metafile as Metafile).outputs).filter(
    ([path]) => !path.endsWith('.map'),
  );
  const byName = new Map(outputs.map(([path, out]) => [basename(path), out]));
  const main = byName.get(basename(file))!;
  // The handler's file and, transitively, what it imports statically.
  const cold = new Set([basename(file)]);
  for (const name of cold)
    for (const imp of byName.get(name)!.imports)
      if (imp.kind === 'import-statement' && !imp.external) cold.add(basename(imp.path));
  const coldOutputs = [...cold].map((name) => byName.get(name)!);
  return {
    file,
    bytes: coldOutputs.reduce((sum, out) => sum + out.bytes, 0),
    totalBytes: outputs.reduce((sum, [, out]) => sum + out.bytes, 0),
    exports: main.exports,
    inputs: [...new Set(outputs.flatMap(([, out]) => Object.keys(out.inputs)))],
    coldInputs: [...new Set(coldOutputs.flatMap((out) => Object.keys(out.inputs)))],
  };
}
