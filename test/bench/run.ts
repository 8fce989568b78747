// `npm run bench`: every benchmark, one after the other (they share two cores), with their numbers.
import { benchAccess, formatAccessBench } from './access.js';
import { benchBundles, formatBundleBench } from './bundles.js';
import { benchEnvironments, formatEnvironmentBench } from './environments.js';
import { benchKubesim, formatKubesimBench } from './kubesim.js';
import { benchReconciler, formatReconcilerBench } from './reconciler.js';
import { benchRouter, formatRouterBench } from './router.js';
import { formatWebBundle, measureWebBundle } from './web-bundle.js';

const started = performance.now();
console.log(formatKubesimBench(await benchKubesim()));
console.log(formatEnvironmentBench(await benchEnvironments()));
console.log(formatAccessBench(await benchAccess(Number(process.env.BENCH_ACCESS_N ?? 20_000))));
console.log(formatRouterBench(await benchRouter(Number(process.env.BENCH_ROUTER_N ?? 2_000))));
console.log(
  formatReconcilerBench(await benchReconciler(Number(process.env.BENCH_RECONCILER_N ?? 10_000))),
);
console.log(formatWebBundle(await measureWebBundle()));
console.log(formatBundleBench(await benchBundles()));
console.log(`bench: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(0);
