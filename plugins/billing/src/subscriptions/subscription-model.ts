export interface Subscription {
  readonly id: string;
  readonly customerId: string;
  readonly planCode: string;
  readonly status: 'active' | 'canceled';
  /** Local dates in the customer's time zone. */
  readonly startDate: string;
  readonly trialEndDate: string | null;
  readonly currentPeriodStart: string;
  readonly currentPeriodEnd: string;
  readonly cancelAtPeriodEnd: boolean;
  /** A downgrade waiting for the period end. */
  readonly pendingPlanCode: string | null;
  readonly endedOn: string | null;
  /** The subscription this one replaced (an upgrade). */
  readonly previousId: string | null;
  readonly createdAt: string;
  readonly canceledAt: string | null;
}

export interface SubscriptionRow {
  id: string;
  customer_id: string;
  plan_code: string;
  status: 'active' | 'canceled';
  start_date: string;
  trial_end_date: string | null;
  period_start: string;
  period_end: string;
  cancel_at_period_end: boolean;
  pending_plan_code: string | null;
  ended_on: string | null;
  previous_id: string | null;
  created_at: Date;
  canceled_at: Date | null;
}

export const subscriptionColumns = `id::text as id, customer_id::text as customer_id, plan_code, status, to_char(start_date, 'YYYY-MM-DD') as start_date,
  to_char(trial_end_date, 'YYYY-MM-DD') as trial_end_date, to_char(period_start, 'YYYY-MM-DD') as period_start, to_char(period_end, 'YYYY-MM-DD') as period_end,
  cancel_at_period_end, pending_plan_code, to_char(ended_on, 'YYYY-MM-DD') as ended_on, previous_id::text as previous_id, created_at, canceled_at`;

export function subscriptionFromRow(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    customerId: row.customer_id,
    planCode: row.plan_code,
    status: row.status,
    startDate: row.start_date,
    trialEndDate: row.trial_end_date,
    currentPeriodStart: row.period_start,
    currentPeriodEnd: row.period_end,
    cancelAtPeriodEnd: row.cancel_at_period_end,
    pendingPlanCode: row.pending_plan_code,
    endedOn: row.ended_on,
    previousId: row.previous_id,
    createdAt: new Date(row.created_at).toISOString(),
    canceledAt: row.canceled_at ? new Date(row.canceled_at).toISOString() : null,
  };
}
