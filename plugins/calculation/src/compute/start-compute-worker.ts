import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { SHORT_LANE_NICE, WORKER_NICE } from './compute-budget';

/**
 * Bootstrap of a worker when the plugin runs from its TypeScript sources (jest, `npm run bench`, a host started
 * with `--conditions=@valueverse/source`): a require hook compiling `.ts` with @swc/core (a dev dependency, as in
 * test/bench/register-ts.js), then the worker entry. Built code (`dist/`) needs none of this.
 */
const SOURCE_BOOTSTRAP = `
// Niced before compiling the sources, not only once compute-worker runs (see there).
if (process.platform === 'linux') try { require('node:os').setPriority(require('node:worker_threads').workerData.nice); } catch {}
const Module = require('node:module');
const fs = require('node:fs');
const { workerData } = require('node:worker_threads');
const { transformSync } = Module.createRequire(workerData.entry)('@swc/core');
const options = {
  jsc: {
    parser: { syntax: 'typescript' },
    transform: { useDefineForClassFields: false },
    keepClassNames: true,
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
Module._extensions['.ts'] = function compileTs(module, filename) {
  module._compile(transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename }).code, filename);
};
for (const ext of ['.json', '.node']) {
  const loader = Module._extensions[ext];
  delete Module._extensions[ext];
  Module._extensions[ext] = loader;
}
require(workerData.entry);
`;

/**
 * Bootstrap of a worker from dist/: niced first, then the worker entry. compute-worker.js nices itself only after
 * its requires ran (the model code, about 30-40 ms of CPU), and a new thread starts at the event loop's priority:
 * a pool replacing a worker stopped at its budget (every over-budget evaluation) would load that code at the event
 * loop's priority, beside the requests it serves.
 */
const BUILT_BOOTSTRAP = `
if (process.platform === 'linux') try { require('node:os').setPriority(require('node:worker_threads').workerData.nice); } catch {}
require(require('node:worker_threads').workerData.entry);
`;

/**
 * Starts one compute worker running `compute-worker`, from dist/ when built, else from the sources; a thread of the
 * short-task lane runs at a higher priority than one for long work (both below the event loop).
 */
export function startComputeWorker(maxHeapMb: number, lane: 'short' | 'long' = 'long'): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  const nice = lane === 'short' ? SHORT_LANE_NICE : WORKER_NICE;
  const built = path.join(__dirname, 'compute-worker.js');
  // Loaded from dist/ there is a compute-worker.js beside this file; loaded from src/ (swc) there is only the .ts.
  if (__filename.endsWith('.js') && existsSync(built)) return new Worker(BUILT_BOOTSTRAP, { eval: true, workerData: { entry: built, nice }, resourceLimits });
  const entry = path.join(__dirname, 'compute-worker.ts');
  return new Worker(SOURCE_BOOTSTRAP, { eval: true, workerData: { entry, nice }, execArgv: ['--conditions=@valueverse/source'], resourceLimits });
}
