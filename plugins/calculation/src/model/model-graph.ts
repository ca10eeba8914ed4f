import { VvError, type FieldProblem } from '@valueverse/plugin-sdk';
import { referencedNames } from './expression-parser';
import type { ParsedModel } from './parse-value-model';
import { builtinNames } from './value-model';

/** The evaluation plan of a model's formulas. */
export interface ModelGraph {
  /** Formula indexes in dependency order (each after everything it reads). */
  readonly order: readonly number[];
  /** True for formulas that read `period`, directly or through another formula (evaluated every period). */
  readonly periodic: readonly boolean[];
  /** Whether benefit / upfront / recurring read `period` (directly or through formulas). */
  readonly benefitPeriodic: boolean;
  readonly recurringPeriodic: boolean;
  /** Whether the upfront cost reads period-dependent formulas: they are then also evaluated at period 0. */
  readonly upfrontPeriodic: boolean;
}

type Root = { readonly label: string; readonly pointer: string; readonly names: Map<string, number> };

/**
 * Resolves every name of every expression and orders the formulas. Unknown names and cycles fail with
 * `VV_VALIDATION`, each problem naming the chain that leads to it (`benefit → savings → hourlyRat`) so the author
 * sees where a name is used and why it matters.
 */
export function buildModelGraph(parsed: ParsedModel): ModelGraph {
  const { model, pointer } = parsed;
  const formulas = model.formulas ?? [];
  const formulaIndex = new Map(formulas.map((f, i) => [f.name, i]));
  const driverNames = new Set(model.drivers.map((d) => d.name));
  const builtins = new Set<string>(builtinNames);
  const reads = parsed.formulaAsts.map((ast) => referencedNames(ast));
  const roots: Root[] = [
    { label: 'benefit', pointer: `${pointer}/benefit`, names: referencedNames(parsed.benefitAst) },
    { label: 'costs.upfront', pointer: `${pointer}/costs/upfront`, names: referencedNames(parsed.upfrontAst) },
    { label: 'costs.recurring', pointer: `${pointer}/costs/recurring`, names: referencedNames(parsed.recurringAst) },
  ];

  // Breadth-first from the roots: the shortest chain by which each formula is used.
  const chain = new Map<number, string[]>();
  const queue: number[] = [];
  for (const root of roots) {
    for (const name of root.names.keys()) {
      const i = formulaIndex.get(name);
      if (i !== undefined && !chain.has(i)) {
        chain.set(i, [root.label, name]);
        queue.push(i);
      }
    }
  }
  while (queue.length > 0) {
    const i = queue.shift()!;
    for (const name of reads[i]!.keys()) {
      const j = formulaIndex.get(name);
      if (j !== undefined && !chain.has(j)) {
        chain.set(j, [...chain.get(i)!, name]);
        queue.push(j);
      }
    }
  }

  const problems: FieldProblem[] = [];
  const known = (name: string): boolean => driverNames.has(name) || formulaIndex.has(name) || builtins.has(name);
  for (const root of roots) {
    for (const [name, column] of root.names) {
      if (!known(name)) problems.push({ pointer: root.pointer, message: `unknown name "${name}" at column ${column} (${root.label} → ${name})`, in: 'body' });
    }
  }
  formulas.forEach((f, i) => {
    for (const [name, column] of reads[i]!) {
      if (known(name)) continue;
      const path = chain.get(i) ?? [`formula ${f.name}`];
      problems.push({
        pointer: `${pointer}/formulas/${i}/expression`,
        message: `unknown name "${name}" at column ${column} (${[...path, name].join(' → ')})`,
        in: 'body',
      });
    }
  });

  // Depth-first post-order gives the evaluation order; a grey node met again closes a cycle.
  const state = new Uint8Array(formulas.length); // 0 new, 1 on the stack, 2 done
  const order: number[] = [];
  const stack: number[] = [];
  const reported = new Set<string>();
  const visit = (i: number): void => {
    state[i] = 1;
    stack.push(i);
    for (const name of reads[i]!.keys()) {
      const j = formulaIndex.get(name);
      if (j === undefined) continue;
      if (state[j] === 1) {
        const cycle = [...stack.slice(stack.indexOf(j)), j].map((k) => formulas[k]!.name);
        const key = [...cycle.slice(0, -1)].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          const path = chain.get(j);
          const usedBy = path ? ` (used by ${path.slice(0, -1).join(' → ')})` : '';
          problems.push({ pointer: `${pointer}/formulas/${j}/expression`, message: `formula cycle: ${cycle.join(' → ')}${usedBy}`, in: 'body' });
        }
      } else if (state[j] === 0) {
        visit(j);
      }
    }
    stack.pop();
    state[i] = 2;
    order.push(i);
  };
  for (let i = 0; i < formulas.length; i++) if (state[i] === 0) visit(i);

  if (problems.length > 0) {
    throw VvError.validation(problems, `Value model has ${problems.length} problem(s): ${problems[0]!.message}`);
  }

  const periodic = new Array<boolean>(formulas.length).fill(false);
  for (const i of order) {
    periodic[i] = [...reads[i]!.keys()].some((name) => name === 'period' || (formulaIndex.has(name) && periodic[formulaIndex.get(name)!]));
  }
  const readsPeriod = (names: Map<string, number>): boolean => [...names.keys()].some((name) => name === 'period' || (formulaIndex.has(name) && periodic[formulaIndex.get(name)!]));
  return {
    order,
    periodic,
    benefitPeriodic: readsPeriod(roots[0]!.names),
    upfrontPeriodic: readsPeriod(roots[1]!.names),
    recurringPeriodic: readsPeriod(roots[2]!.names),
  };
}
