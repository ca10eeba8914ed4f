import { formatMoney, formatNumber, formatPercent } from '../../ui/format';
import { statusTone } from '../../ui/status';
import type { ModelEvaluation, ValueModel } from '../calculation-api';
import type { RealizationReport } from '../lifecycle-data';
import type { NodeFigures } from './value-graph-view';
import { NPV_NODE } from './value-graph';
import { canvasFigures } from './canvas-figures';

/** Worst first: a node with several milestones shows the one that needs attention most. */
const SEVERITY = ['missed', 'at-risk', 'insufficient-data', 'pending', 'on-track', 'achieved'];

export interface CommittedFigures {
  readonly currency: string;
  readonly committedValue: number;
  /** Committed value of each driver, by key. */
  readonly drivers: Readonly<Record<string, number>>;
}

const num = (v: number | null | undefined) => formatNumber(v, { maximumFractionDigits: 2, compact: Math.abs(v ?? 0) >= 1e6 });

/**
 * The living graph's figures (issue 20, item 4): each measured node shows actual against committed and takes the
 * realization status of its milestones (the worst one), else a status from its variance; NPV shows the committed
 * value, the share realized so far and the commitment's outlook. Colours are the console's status tones.
 */
export function livingFigures(
  model: ValueModel,
  committed: CommittedFigures,
  evaluation: ModelEvaluation | undefined,
  realization: RealizationReport | undefined,
): Map<string, NodeFigures> {
  // The committed model's own figures first (formulas, benefit, costs), then the measured nodes over them.
  const figures = canvasFigures(model, committed.currency, evaluation, []);
  for (const d of model.drivers) figures.set(d.name, { value: `${num(committed.drivers[d.name] ?? d.value)}${d.unit ? ` ${d.unit}` : ''}` });

  const nodes = new Set([...model.drivers.map((d) => d.name), ...(model.formulas ?? []).map((f) => f.name)]);
  const byMetric = new Map<string, string[]>();
  for (const m of realization?.milestones ?? []) if (nodes.has(m.metric)) byMetric.set(m.metric, [...(byMetric.get(m.metric) ?? []), m.status]);
  const measured = new Map((realization?.drivers ?? []).map((d) => [d.key, d]));

  for (const name of nodes) {
    const statuses = byMetric.get(name);
    const driver = measured.get(name);
    if (!statuses && !driver) continue;
    let status: string;
    if (statuses) status = [...statuses].sort((a, b) => SEVERITY.indexOf(a) - SEVERITY.indexOf(b))[0]!;
    else if (driver!.actual === null) status = 'insufficient-data';
    else status = (driver!.variance ?? 0) >= 0 ? 'on-track' : 'at-risk';
    const committedValue = driver?.committed ?? committed.drivers[name];
    const milestone = realization?.milestones.find((m) => m.metric === name && m.actual !== null);
    const actual = driver?.actual ?? milestone?.actual ?? null;
    const target = driver ? driver.committed : milestone?.target;
    figures.set(name, {
      ...figures.get(name),
      ...(committedValue !== undefined ? { value: `committed ${num(committedValue)}` } : {}),
      detail: `actual ${actual === null ? '—' : num(actual)}${target !== undefined && !driver ? ` of ${num(target)}` : ''}`,
      status,
      tone: statusTone(status),
    });
  }
  const outlook = realization?.outlook;
  figures.set(NPV_NODE, {
    value: `committed ${formatMoney(committed.committedValue, committed.currency, { compact: Math.abs(committed.committedValue) >= 1e6 })}`,
    detail: realization ? `realized ${formatPercent(realization.overall)}` : 'no realization yet',
    ...(outlook ? { status: outlook, tone: statusTone(outlook) } : {}),
  });
  return figures;
}
