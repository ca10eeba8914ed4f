import { VvError } from '@valueverse/plugin-sdk';
import type { RealizationService } from '@valueverse/plugin-value-executor/api';
import type { OutcomeProperties } from '../pricing/charge-model';

/** One commitment's part of the value an outcome charge is priced on. */
export interface OutcomePart {
  readonly commitmentId: string;
  readonly title: string;
  readonly value: number;
  readonly unit: string;
  /** API path of the realization report behind the figure. */
  readonly evidence: string;
}

/** The value realized in [from, to) for an outcome charge, with its parts. */
export type OutcomeSource = (tenantId: string, charge: OutcomeProperties, from: Date, to: Date) => Promise<{ readonly value: number; readonly parts: readonly OutcomePart[] }>;

/**
 * Outcome charges read value-executor's `value-realization` service (an optional dependency: without it, or with a
 * commitment it does not know, an outcome charge cannot be invoiced and the close is retried later).
 */
export function realizationOutcomeSource(realization: RealizationService | undefined): OutcomeSource {
  return async (tenantId, charge, from, to) => {
    if (!realization) throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'value-executor', reason: 'outcome charges read value realized from it' } });
    // The period is [from, to); the service counts readings in (from, to]: a reading at the closing midnight belongs to the next period.
    const realized = await realization.valueRealized(tenantId, {
      commitmentId: charge.commitmentId,
      metric: charge.metric,
      from: new Date(from.getTime() - 1),
      to: new Date(to.getTime() - 1),
    });
    if (!realized) throw new VvError('VV_NOT_FOUND', { detail: `Commitment ${charge.commitmentId ?? ''} of an outcome charge is unknown to value-executor` });
    return realized;
  };
}
