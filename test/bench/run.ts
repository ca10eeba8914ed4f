/**
 * `npm run bench -- <name>`: runs one benchmark (or all without a name). Each prints its figures beside a baseline
 * measured in the same run, so the ratios mean the same on any machine.
 *
 * `kernel` and `calculation` also compare runtimes (issue #12): when the machine has a Node other than the one running
 * this (npm scripts run the pinned Node 24; the machine's own is found on PATH outside node_modules/.bin, or named by
 * VV_BENCH_BASELINE_NODE), the benchmark runs in a fresh process on each, in the order A B B A (drift on a shared
 * machine then hits both alike; VV_BENCH_RUNTIME_ROUNDS=n repeats that n times), and a table sets their mean figures
 * side by side. With only one runtime it says so and runs as before.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { machineNode } from '../support/runtime';
import { runAgentBench } from './agent-bench';
import { runBillingBench } from './billing-bench';
import { runBudgetBench } from './budget-bench';
import { runCalculationBench } from './calculation-bench';
import { runCanvasBench } from './canvas-bench';
import { BenchUnavailable, runHostBench } from './host-bench';
import { takeFigures, type Figure } from './figures';
import { runEmbeddedBench } from './embedded-bench';
import { runKernelBench } from './kernel-bench';
import { runPropagationBench } from './propagation-bench';
import { runMarketplaceBench } from './marketplace-bench';
import { runNotificationsBench } from './notifications-bench';
import { runSandboxBench } from './sandbox-bench';
import { runScaleBench } from './scale-bench';
import { runTracingBench } from './tracing-bench';

const benches: Record<string, () => Promise<void>> = {
  kernel: runKernelBench,
  embedded: runEmbeddedBench,
  calculation: runCalculationBench,
  propagation: runPropagationBench,
  marketplace: runMarketplaceBench,
  budget: runBudgetBench,
  // The tracing figures (#21) are the host bench's: it prints them after its own.
  host: async () => {
    await runHostBench();
    if (process.env.VV_BENCH_HOST_TRACING !== 'off') await runTracingBench();
  },
  scale: runScaleBench,
  billing: runBillingBench,
  tracing: runTracingBench,
  notifications: runNotificationsBench,
  sandbox: runSandboxBench,
  agent: runAgentBench,
  canvas: runCanvasBench,
};
/** The benchmarks whose figures are compared across runtimes. */
const COMPARED = new Set(['kernel', 'calculation']);
/** Set in the processes the comparison starts: run the one benchmark here and hand its figures back. */
const CHILD_ENV = 'VV_BENCH_RUNTIME_CHILD';
const FIGURES_LINE = 'VV_BENCH_FIGURES ';

interface Runtime {
  readonly node: string;
  readonly version: string;
}

/** Runs one benchmark on `runtime` in a fresh process, echoing its output, and returns its figures. */
function runOn(runtime: Runtime, name: string): Promise<Figure[]> {
  const args = ['--conditions=@valueverse/source', '-r', path.join(__dirname, 'register-ts.js'), __filename, name];
  const child = spawn(runtime.node, args, { cwd: path.join(__dirname, '../..'), env: { ...process.env, [CHILD_ENV]: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let figures: Figure[] | undefined;
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.startsWith(FIGURES_LINE)) figures = JSON.parse(line.slice(FIGURES_LINE.length)) as Figure[];
      else process.stdout.write(`  [node ${runtime.version}] ${line}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 && figures ? resolve(figures) : reject(new Error(`${name} on node ${runtime.version} exited with ${code}`))));
  });
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function printComparison(pinned: Runtime, baseline: Runtime, runs: ReadonlyMap<Runtime, Figure[][]>): void {
  const names = runs.get(pinned)![0]!.map((f) => f.name);
  const value = (runtime: Runtime, name: string) => mean(runs.get(runtime)!.map((figures) => figures.find((f) => f.name === name)?.value ?? NaN));
  const width = Math.max(...names.map((n) => n.length));
  const rounds = runs.get(pinned)!.length;
  console.log(
    `\nnode ${pinned.version} (${pinned.node}) beside node ${baseline.version} (${baseline.node}), mean of ${rounds} run(s) each, alternated; ratio = ${pinned.version} / ${baseline.version}:`,
  );
  for (const name of names) {
    const figure = runs.get(pinned)![0]!.find((f) => f.name === name)!;
    const [a, b] = [value(pinned, name), value(baseline, name)];
    const ratio = a / b;
    const gain = figure.better === 'higher' ? ratio > 1 : ratio < 1;
    const verdict = Math.abs(ratio - 1) < 0.03 ? 'same' : gain ? 'better' : 'worse';
    console.log(
      `  ${name.padEnd(width)}  ${a.toFixed(1).padStart(9)} ${b.toFixed(1).padStart(9)} ${figure.unit.padEnd(5)}  ratio ${ratio.toFixed(3)} (${figure.better} is better: ${verdict})`,
    );
  }
}

async function compareRuntimes(name: string, pinned: Runtime, baseline: Runtime): Promise<void> {
  const rounds = Math.max(1, Number(process.env['VV_BENCH_RUNTIME_ROUNDS'] ?? 1));
  const runs = new Map<Runtime, Figure[][]>([
    [pinned, []],
    [baseline, []],
  ]);
  try {
    for (let round = 0; round < rounds; round++) {
      // A B B A: each runtime runs twice per round, and linear drift cancels out.
      for (const runtime of [pinned, baseline, baseline, pinned]) runs.get(runtime)!.push(await runOn(runtime, name));
    }
  } catch (error) {
    console.log(`runtime comparison failed, so no table: ${(error as Error).message}`);
    return;
  }
  printComparison(pinned, baseline, runs);
}

function otherRuntime(): Runtime | undefined {
  const node = machineNode();
  if (!node) return undefined;
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  return version && version !== process.version ? { node, version } : undefined;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length > 0 ? wanted : Object.keys(benches);
  const child = process.env[CHILD_ENV] === '1';
  const baseline = child ? undefined : otherRuntime();
  for (const name of names) {
    const bench = benches[name];
    if (!bench) {
      process.stderr.write(`Unknown benchmark "${name}". Known: ${Object.keys(benches).join(', ')}\n`);
      process.exit(2);
    }
    if (child) {
      await bench();
      process.stdout.write(`${FIGURES_LINE}${JSON.stringify(takeFigures())}\n`);
      continue;
    }
    process.stdout.write(`\n== ${name} ==\n`);
    try {
      if (COMPARED.has(name) && baseline) {
        await compareRuntimes(name, { node: process.execPath, version: process.version }, baseline);
        continue;
      }
      if (COMPARED.has(name)) {
        process.stdout.write(
          `only one Node runtime found (node ${process.version}, ${process.execPath}): no runtime comparison; set VV_BENCH_BASELINE_NODE=/path/to/node to compare\n`,
        );
      }
      await bench();
    } catch (error) {
      // A bench that cannot run here (no wrk, no services) says why; any other failure shows its stack.
      process.stderr.write(`${name}: ${error instanceof BenchUnavailable ? error.message : ((error as Error)?.stack ?? String(error))}\n`);
      process.exit(1);
    }
  }
  process.exit(0);
}

void main();
