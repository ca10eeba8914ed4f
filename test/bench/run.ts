/**
 * `npm run bench -- <name>`: runs one benchmark (or all without a name). Each prints its figures beside a baseline
 * measured in the same run, so the ratios mean the same on any machine.
 */
import { runBudgetBench } from './budget-bench';
import { runCalculationBench } from './calculation-bench';
import { runKernelBench } from './kernel-bench';
import { runPropagationBench } from './propagation-bench';
import { runScaleBench } from './scale-bench';

const benches: Record<string, () => Promise<void>> = {
  kernel: runKernelBench,
  calculation: runCalculationBench,
  propagation: runPropagationBench,
  budget: runBudgetBench,
  scale: runScaleBench,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length > 0 ? wanted : Object.keys(benches);
  for (const name of names) {
    const bench = benches[name];
    if (!bench) {
      process.stderr.write(`Unknown benchmark "${name}". Known: ${Object.keys(benches).join(', ')}\n`);
      process.exit(2);
    }
    process.stdout.write(`\n== ${name} ==\n`);
    await bench();
  }
  process.exit(0);
}

void main();
