/** One metric a measurement may be recorded for, with where the commitment uses it. */
export interface MetricChoice {
  readonly metric: string;
  readonly group: 'Milestones' | 'Success criteria';
  /** "downtime_hours_avoided — Full rate: 70 by 2026-06-30". */
  readonly label: string;
}

/** What the record and import forms need to know about a commitment (value-committer `Commitment`). */
export interface MeasurableCommitment {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  /** Only signed and active commitments take measurements (value-executor `measurableStatuses`). */
  readonly measurable: boolean;
  readonly metrics: readonly MetricChoice[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Reads GET /api/v1/commitments/:id defensively. The metrics offered are the milestones' and the success criteria's,
 * each once (a metric used by both is listed with its first milestone).
 */
export function toMeasurableCommitment(raw: unknown): MeasurableCommitment | undefined {
  if (!isObject(raw) || typeof raw['id'] !== 'string') return undefined;
  const status = text(raw['status']);
  const metrics = new Map<string, MetricChoice>();
  for (const m of objects(raw['milestones'])) {
    const metric = text(m['metric']);
    if (!metric || metrics.has(metric)) continue;
    const target = typeof m['target'] === 'number' ? ` ${m['target']}` : '';
    const due = text(m['dueDate']) ? ` by ${text(m['dueDate'])}` : '';
    metrics.set(metric, { metric, group: 'Milestones', label: `${metric} — ${text(m['title']) || 'milestone'}:${target}${due}` });
  }
  for (const c of objects(raw['successCriteria'])) {
    const metric = text(c['metric']);
    if (!metric || metrics.has(metric)) continue;
    const rule = typeof c['threshold'] === 'number' ? ` ${text(c['operator']) || '≥'} ${c['threshold']}` : '';
    metrics.set(metric, { metric, group: 'Success criteria', label: `${metric} — success criterion${rule}` });
  }
  return {
    id: raw['id'],
    title: text(raw['title']) || raw['id'],
    status,
    measurable: status === 'signed' || status === 'active',
    metrics: [...metrics.values()],
  };
}
