/**
 * Status colours with meaning, one mapping for the whole console (issue 19): green is good (achieved, on track,
 * in force), amber needs attention (at risk, awaiting signature), red is bad (missed, failed), blue is in progress,
 * grey has not started or is over.
 */
export type StatusTone = 'ok' | 'warn' | 'danger' | 'info' | 'neutral';

const TONES: Readonly<Record<string, StatusTone>> = {
  // Realization
  achieved: 'ok',
  'on-track': 'ok',
  'at-risk': 'warn',
  missed: 'danger',
  'insufficient-data': 'neutral',
  pending: 'neutral',
  // Commitments
  draft: 'neutral',
  proposed: 'warn',
  signed: 'info',
  active: 'ok',
  closed: 'neutral',
  // Value models
  published: 'ok',
  archived: 'neutral',
  // Notification deliveries: failed will be retried, dead will not; suppressed and held are by choice.
  sent: 'ok',
  digested: 'ok',
  queued: 'info',
  sending: 'info',
  held: 'info',
  failed: 'warn',
  dead: 'danger',
  suppressed: 'neutral',
};

export function statusTone(status: string): StatusTone {
  return TONES[status] ?? 'neutral';
}

/** `insufficient-data` → "insufficient data", `on-track` → "on track". */
export function statusLabel(status: string): string {
  return status.replace(/-/g, ' ');
}
