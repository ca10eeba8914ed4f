import { VvError, type PluginDatabase, type SqlTransaction } from '@valueverse/plugin-sdk';
import type { Charge, PricedPlan } from '../pricing/charge-model';
import type { Interval } from '../subscriptions/local-calendar';

/** A plan: the recurring fee and the usage charges a subscription bills. */
export interface Plan extends PricedPlan {
  readonly code: string;
  readonly name: string;
  readonly interval: Interval;
  readonly payInAdvance: boolean;
  readonly trialDays: number;
  readonly createdAt: string;
}

export type PlanInput = Omit<Plan, 'createdAt' | 'name' | 'interval' | 'payInAdvance' | 'trialDays'> & Partial<Pick<Plan, 'name' | 'interval' | 'payInAdvance' | 'trialDays'>>;

interface PlanRow {
  code: string;
  name: string;
  currency: string;
  interval: Interval;
  amount: string;
  pay_in_advance: boolean;
  trial_days: number;
  charges: Charge[] | string;
  created_at: Date;
}

const columns = 'code, name, currency, interval, amount, pay_in_advance, trial_days, charges, created_at';

export function planFromRow(row: PlanRow): Plan {
  return {
    code: row.code,
    name: row.name,
    currency: row.currency,
    interval: row.interval,
    amount: row.amount,
    payInAdvance: row.pay_in_advance,
    trialDays: row.trial_days,
    charges: typeof row.charges === 'string' ? (JSON.parse(row.charges) as Charge[]) : row.charges,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** The tenant's plans. A plan is immutable (subscriptions and invoices point at it); a new price is a new plan. */
export class PlanStore {
  constructor(private readonly db: PluginDatabase) {}

  async create(tenantId: string, input: PlanInput): Promise<Plan> {
    return this.db.transaction(tenantId, async (tx) => {
      const metrics = await tx.query<{ code: string; aggregation: string }>('select code, aggregation from metrics where tenant_id = $1', [tenantId]);
      const known = new Map(metrics.map((m) => [m.code, m.aggregation]));
      for (const [index, charge] of input.charges.entries()) {
        // An outcome charge's `metric` only names its line: its quantity is value realized, read from value-executor.
        if (charge.model === 'outcome') continue;
        const aggregation = known.get(charge.metric);
        if (!aggregation) throw VvError.validation([{ pointer: `/charges/${index}/metric`, message: `no billable metric "${charge.metric}" in this tenant`, in: 'body' }]);
        if (charge.model === 'percentage' && aggregation !== 'sum')
          throw VvError.validation([{ pointer: `/charges/${index}/model`, message: `a percentage charge needs a sum metric; "${charge.metric}" is ${aggregation}`, in: 'body' }]);
      }
      const [row] = await tx.query<PlanRow>(
        `insert into plans (tenant_id, code, name, currency, interval, amount, pay_in_advance, trial_days, charges)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) on conflict (tenant_id, code) do nothing returning ${columns}`,
        [
          tenantId,
          input.code,
          input.name ?? input.code,
          input.currency,
          input.interval ?? 'month',
          input.amount,
          input.payInAdvance ?? false,
          input.trialDays ?? 0,
          JSON.stringify(input.charges),
        ],
      );
      if (!row) throw new VvError('VV_CONFLICT', { params: { reason: `A plan with code "${input.code}" exists` } });
      return planFromRow(row);
    });
  }

  async list(tenantId: string): Promise<Plan[]> {
    return this.db.transaction(tenantId, async (tx) => (await tx.query<PlanRow>(`select ${columns} from plans where tenant_id = $1 order by code`, [tenantId])).map(planFromRow));
  }

  async get(tenantId: string, code: string, tx?: SqlTransaction): Promise<Plan> {
    const run = async (t: SqlTransaction) => {
      const [row] = await t.query<PlanRow>(`select ${columns} from plans where tenant_id = $1 and code = $2`, [tenantId, code]);
      if (!row) throw new VvError('VV_NOT_FOUND', { detail: `Plan ${code} not found` });
      return planFromRow(row);
    };
    return tx ? run(tx) : this.db.transaction(tenantId, run);
  }

  /** Deletes a plan no subscription ever used. */
  async delete(tenantId: string, code: string): Promise<Plan> {
    return this.db.transaction(tenantId, async (tx) => {
      const plan = await this.get(tenantId, code, tx);
      const [used] = await tx.query('select 1 from subscriptions where tenant_id = $1 and (plan_code = $2 or pending_plan_code = $2) limit 1', [tenantId, code]);
      if (used) throw new VvError('VV_CONFLICT', { params: { reason: `Plan ${code} has subscriptions; plans in use are kept` } });
      await tx.query('delete from plans where tenant_id = $1 and code = $2', [tenantId, code]);
      return plan;
    });
  }
}
