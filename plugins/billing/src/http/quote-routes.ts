import { VvError, type RouteDefinition } from '@valueverse/plugin-sdk';
import type { PricedPlan, UsageQuantity } from '../pricing/charge-model';
import type { PlanStore } from '../plans/plan-store';
import { checkTiers } from '../pricing/price-charge';
import { quotePlan, type Quote } from '../pricing/quote-plan';
import { billingSchemas as s } from './billing-schemas';

export interface QuoteBody {
  readonly plan?: PricedPlan;
  readonly planCode?: string;
  readonly usage: Readonly<Record<string, UsageQuantity>>;
  readonly taxRate?: string;
}

/** Checks what JSON Schema cannot: rising tiers, one charge per metric, usage only for priced metrics. */
export function checkPlanCharges(plan: PricedPlan, pointer: string): void {
  const seen = new Set<string>();
  for (const [index, charge] of plan.charges.entries()) {
    if (seen.has(charge.metric))
      throw VvError.validation([{ pointer: `${pointer}/charges/${index}/metric`, message: `metric "${charge.metric}" is already charged by this plan`, in: 'body' }]);
    seen.add(charge.metric);
    if (charge.model === 'graduated' || charge.model === 'volume') checkTiers(charge.properties.tiers, `${pointer}/charges/${index}/properties/tiers`);
  }
}

/** `POST /billing/quote`: prices a plan (inline, or a stored one by code) for given usage without storing anything, exactly as an invoice would. */
export function createQuoteRoutes(plans: PlanStore): RouteDefinition[] {
  const quote: RouteDefinition<QuoteBody> = {
    method: 'POST',
    path: '/billing/quote',
    summary: 'Price a plan for given usage (nothing is stored); lines match the invoice to the cent',
    minRole: 'viewer',
    schema: { body: s.quoteBody },
    handler: async (request): Promise<Quote> => {
      const { usage, taxRate } = request.body;
      const plan = request.body.plan ?? (await plans.get(request.tenant.id, request.body.planCode!));
      if (request.body.plan) checkPlanCharges(plan, '/plan');
      const priced = new Set(plan.charges.map((c) => c.metric));
      const unknown = Object.keys(usage).filter((metric) => !priced.has(metric));
      if (unknown.length > 0)
        throw VvError.validation(unknown.map((metric) => ({ pointer: `/usage/${metric}`, message: 'the plan has no charge for this metric', in: 'body' as const })));
      return quotePlan(plan, usage, { taxRate });
    },
  };
  return [quote];
}
