/**
 * The headline figures of a benchmark, beside what it prints, so `run.ts` can set the same benchmark on two Node
 * runtimes side by side (issue #12). A benchmark calls `figure()` where it prints the number.
 */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** Which way is better: the table says whether the pinned runtime gained or lost. */
  readonly better: 'higher' | 'lower';
}

const recorded: Figure[] = [];

export function figure(name: string, value: number, unit: string, better: Figure['better']): void {
  recorded.push({ name, value, unit, better });
}

/** The figures recorded since the last call, and forget them. */
export function takeFigures(): Figure[] {
  return recorded.splice(0, recorded.length);
}
