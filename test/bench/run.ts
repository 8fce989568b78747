// `npm run bench`: every benchmark, one after the other (they share two cores), with their numbers.
import { benchEnvironments, formatEnvironmentBench } from './environments.js';
import { benchKubesim, formatKubesimBench } from './kubesim.js';

const started = performance.now();
console.log(formatKubesimBench(await benchKubesim()));
console.log(formatEnvironmentBench(await benchEnvironments()));
console.log(`bench: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(0);
