// How SST bundles every function (its `nodejs` argument). ESM, because the
// handlers await their services at module load. SST's ESM build always adds a
// `createRequire` banner (pkg/runtime/node/build.go), which @kubernetes/client-node
// needs: without it its bundled `require("node:assert")` fails at load. So no
// banner of ours: a second `const require` would be a syntax error.
// Splitting: what a module imports dynamically goes to chunks of its own that a
// cold start does not load. The AWS SDK imports its credential providers that
// way (SSO, STS, ini files, IMDS…; a Lambda reads its credentials from the
// environment), so one bundled file made every cold start compile them all.
// test/infra/bundles.test.ts builds each function exactly this way and loads it.
export const NODEJS_BUNDLING = {
  format: 'esm',
  minify: true,
  sourcemap: true,
  splitting: true,
} as const;

/** The Lambda runtime and CPU of every function. */
export const RUNTIME = 'nodejs24.x' as const;
export const ARCHITECTURE = 'arm64' as const;
