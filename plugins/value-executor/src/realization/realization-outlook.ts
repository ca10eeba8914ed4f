import type { MilestoneRealization, RealizationOutlook } from '../realization-api';

/**
 * The commitment as a whole: `missed` when a milestone was missed, else `at-risk` when one is, `achieved` when all
 * are, `insufficient-data` when no open milestone can be projected yet (never "on track" on too few readings, issue
 * #11), else `on-track`.
 */
export function realizationOutlook(milestones: readonly Pick<MilestoneRealization, 'status'>[]): RealizationOutlook {
  if (milestones.some((m) => m.status === 'missed')) return 'missed';
  if (milestones.some((m) => m.status === 'at-risk')) return 'at-risk';
  const open = milestones.filter((m) => m.status !== 'achieved');
  if (open.length === 0) return milestones.length > 0 ? 'achieved' : 'insufficient-data';
  return open.every((m) => m.status === 'insufficient-data' || m.status === 'pending') ? 'insufficient-data' : 'on-track';
}
