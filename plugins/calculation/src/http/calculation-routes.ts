import type { JsonSchema, PluginRequest, RouteDefinition } from '@valueverse/plugin-sdk';
import type { CalculationService, ComputeContext } from '../calculation-api';
import { financeResponses, financeSchemas } from './finance-schemas';
import { modelSchemas } from './model-schemas';

type Handler = (body: never, request: PluginRequest) => unknown;

function route(path: string, summary: string, body: JsonSchema, handle: Handler, response?: JsonSchema): RouteDefinition {
  return {
    method: 'POST',
    path: `/calculate/${path}`,
    summary,
    // Calculations read nothing and write nothing: every member of the tenant, viewers included, may run them.
    minRole: 'viewer',
    schema: { body, ...(response ? { responses: { 200: response } } : {}) },
    handler: (request) => handle(request.body as never, request),
  };
}

/** A value-model request runs under its tenant's compute budget and stops when its client goes away. */
function budgeted(request: PluginRequest): ComputeContext {
  return { signal: request.signal, tenantId: request.tenant.id };
}

/** One POST route per function under `/api/v1/calculate/`, each answering what the service answers. */
export function createCalculationRoutes(service: CalculationService): RouteDefinition[] {
  const f = financeSchemas;
  const r = financeResponses;
  return [
    route('npv', 'Net present value (convention t0 or excel, named explicitly)', f.npv, (b) => service.npv(b), r.npv),
    route('xnpv', 'Net present value of dated cash flows (Excel XNPV, Actual/365)', f.xnpv, (b) => service.xnpv(b), r.xnpv),
    route('irr', 'Internal rate of return: every real root above -100% and the one picked', f.irr, (b) => service.irr(b), r.irr),
    route('xirr', 'Internal rate of return of dated cash flows (Excel XIRR)', f.xirr, (b) => service.xirr(b), r.xirr),
    route('mirr', 'Modified internal rate of return (Excel MIRR)', f.mirr, (b) => service.mirr(b), r.mirr),
    route('pmt', 'Payment per period (Excel PMT)', f.pmt, (b) => service.pmt(b), r.pmt),
    route('pv', 'Present value (Excel PV)', f.pv, (b) => service.pv(b), r.pv),
    route('fv', 'Future value (Excel FV)', f.fv, (b) => service.fv(b), r.fv),
    route('rate', 'Interest rate per period (Excel RATE)', f.rate, (b) => service.rate(b), r.rate),
    route('nper', 'Number of periods (Excel NPER)', f.nper, (b) => service.nper(b), r.nper),
    route('payback', 'Payback period, simple or discounted, fractional; null when it never pays back', f.payback, (b) => service.payback(b), r.payback),
    route('roi', 'Return on investment, nominal or discounted', f.roi, (b) => service.roi(b), r.roi),
    route('break-even', 'Break-even volume', f.breakEven, (b) => service.breakEven(b), r.breakEven),
    route('tco', 'Total cost of ownership, nominal and present value', f.tco, (b) => service.tco(b), r.tco),
    route(
      'model',
      'Evaluate a value model: cash flows per period and headline metrics, with expected NPV and P(NPV > 0) when drivers are uncertain',
      modelSchemas.model,
      async (b: { model: unknown; trials?: number; seed?: number }, request) => {
        const evaluation = await service.evaluateModel({ model: b.model as never }, budgeted(request));
        const headline = await service.headline(b as never, budgeted(request));
        return headline ? { ...evaluation, headline } : evaluation;
      },
    ),
    route('scenario', 'What-if scenarios: override drivers, recompute, compare (optionally probability-weighted)', modelSchemas.scenario, (b, request) =>
      service.scenario(b, budgeted(request)),
    ),
    route('sensitivity', 'Tornado sensitivity: each driver at low and high, sorted by swing', modelSchemas.sensitivity, (b, request) => service.sensitivity(b, budgeted(request))),
    route('goal-seek', 'Goal seek: the driver value that reaches a target NPV or ROI', modelSchemas.goalSeek, (b, request) => service.goalSeek(b, budgeted(request))),
    route('risk-adjustment', 'Risk cases from the simulated NPV (P10 / P50 / P90, labelled) and their Swanson-weighted value', modelSchemas.riskAdjustment, (b, request) =>
      service.riskAdjustment(b, budgeted(request)),
    ),
    route('simulate', 'Seeded Monte Carlo simulation of a value model', modelSchemas.simulate, (b, request) => service.simulate(b, budgeted(request))),
  ];
}
