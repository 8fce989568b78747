// Builds a function the way SST does (its esbuild options, from SST's
// pkg/runtime/node/build.go: platform node, bundle, keepNames, target esnext,
// mainFields module,main, and for ESM a banner that defines `require`,
// `__filename` and `__dirname`), with the app's own `nodejs` settings
// (stacks/bundling.ts). The tests load what this builds, so what SST deploys loads.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { NODEJS_BUNDLING } from '../../stacks/bundling.js';

export const ROOT = resolve(import.meta.dirname, '../..');

const SST_ESM_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
].join('\n');

export interface Built {
  file: string;
  bytes: number;
  exports: string[];
  /** Every input file (node_modules paths included) the bundle holds. */
  inputs: string[];
}

/** `functions/api.handler` → `functions/api.ts` and the export `handler`. */
export function handlerSource(handler: string): { source: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  return { source: `${handler.slice(0, dot)}.ts`, exportName: handler.slice(dot + 1) };
}

export async function buildLikeSst(entry: string, outDir: string): Promise<Built> {
  mkdirSync(outDir, { recursive: true });
  const esm = NODEJS_BUNDLING.format === 'esm';
  const file = join(
    outDir,
    `${entry.replace(/^.*\//, '').replace(/\.ts$/, '')}.${esm ? 'mjs' : 'cjs'}`,
  );
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    absWorkingDir: ROOT,
    platform: 'node',
    bundle: true,
    keepNames: true,
    format: esm ? 'esm' : 'cjs',
    target: 'esnext',
    mainFields: esm ? ['module', 'main'] : ['main'],
    external: ['sharp', 'pg-native'],
    banner: esm ? { js: SST_ESM_BANNER } : {},
    minify: NODEJS_BUNDLING.minify,
    sourcemap: NODEJS_BUNDLING.sourcemap ? 'linked' : false,
    metafile: true,
    outfile: file,
    logLevel: 'silent',
  });
  const meta = result.metafile as Metafile;
  const output = Object.entries(meta.outputs).find(([path]) => !path.endsWith('.map'))!;
  return {
    file,
    bytes: output[1].bytes,
    exports: output[1].exports,
    inputs: Object.keys(meta.inputs),
  };
}
