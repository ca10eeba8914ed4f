import type { Milestone } from '@valueverse/plugin-value-committer/api';
import { startOfIsoDate } from './iso-day';

/** Where the plan stands at a time: ms since the epoch → planned value of the metric. */
export type Plan = (t: number) => number;

/**
 * The time-phased plan of one metric: the committed targets phased over time, linear from `startMs` (at
 * `baseline`) to each of the metric's milestones in due-date order, flat after the last one. The commitment
 * carries no ramp-up curve of its model, so the phasing is linear (issue #11 allows a model's ramp instead).
 * Accumulating metrics start from 0; a level starts where it was first measured.
 */
export function timePhasedPlan(milestones: readonly Milestone[], metric: string, startMs: number, baseline: number): Plan {
  const knots: [number, number][] = [[startMs, baseline]];
  const own = milestones.filter((m) => m.metric === metric).sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.target - b.target));
  for (const m of own) {
    const due = startOfIsoDate(m.dueDate);
    if (due <= knots[knots.length - 1]![0]) knots[knots.length - 1] = [knots[knots.length - 1]![0], m.target];
    else knots.push([due, m.target]);
  }
  return (t: number): number => {
    if (t <= knots[0]![0]) return knots[0]![1];
    for (let i = 1; i < knots.length; i++) {
      const [t1, v1] = knots[i]!;
      if (t <= t1) {
        const [t0, v0] = knots[i - 1]!;
        return v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
      }
    }
    return knots[knots.length - 1]![1];
  };
}
