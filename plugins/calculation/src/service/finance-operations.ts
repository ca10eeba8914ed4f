import { VvError } from '@valueverse/plugin-sdk';
import type {
  AnnuityResponse,
  BreakEvenRequest,
  CalculationService,
  FvRequest,
  IrrRequest,
  IrrResponse,
  MirrRequest,
  NperRequest,
  NpvRequest,
  PaybackRequest,
  PmtRequest,
  PvRequest,
  RateRequest,
  RoiRequest,
  TcoRequest,
  XirrRequest,
  XnpvRequest,
} from '../calculation-api';
import { ANNUITY_EQUATION, fv, nper, paymentTimings, pmt, pv, rate } from '../finance/annuity';
import { breakEven } from '../finance/break-even';
import { countSignChanges, DEFAULT_IRR_GUESS, irr, MAX_IRR_SIGN_CHANGES } from '../finance/irr';
import { isoDateToDay } from '../finance/iso-date';
import { mirr, MIRR_FORMULA } from '../finance/mirr';
import { npv, npvConventions, npvFormula } from '../finance/npv';
import { payback, paybackMethods, PAYBACK_RULE } from '../finance/payback';
import { roi } from '../finance/roi';
import { tco } from '../finance/tco';
import { xirr } from '../finance/xirr';
import { xnpv, XNPV_FORMULA } from '../finance/xnpv';
import { InputChecker } from '../validation/input-checker';

type FinanceOperations = Pick<CalculationService, 'npv' | 'xnpv' | 'irr' | 'xirr' | 'mirr' | 'pmt' | 'pv' | 'fv' | 'nper' | 'rate' | 'payback' | 'roi' | 'breakEven' | 'tco'>;

/** Most cash flows accepted by IRR and XIRR (100 years of monthly flows; root isolation is superlinear in their number). */
export const MAX_IRR_CASH_FLOWS = 1200;
const RATE = { greaterThan: -1 };

function body(request: unknown): Record<string, unknown> {
  const checker = new InputChecker();
  const raw = checker.object(request, '');
  checker.throwIfAny();
  return raw!;
}

/** Fails with VV_NO_SOLUTION rather than ever answering NaN or ±Infinity (JSON cannot carry them). */
function finite(value: number, what: string): number {
  if (!Number.isFinite(value)) {
    const detail = `${what} has no finite solution for these inputs (${value})`;
    throw new VvError('VV_NO_SOLUTION', { detail, params: { reason: detail } });
  }
  return value;
}

/**
 * `finite` for answers with several figures (TCO, ROI, break-even): every number in the answer must be finite, so
 * a client never receives `result: null` from an overflow (issue #10 finding 8: a result is a number or a problem).
 */
function allFinite<T extends object>(result: T, what: string): T {
  for (const [key, value] of Object.entries(result)) {
    if (typeof value === 'number') finite(value, `${what} (${key})`);
  }
  return result;
}

function datesOf(checker: InputChecker, value: unknown, count: number): number[] {
  if (!Array.isArray(value)) {
    checker.problem('/dates', 'must be an array of ISO dates (YYYY-MM-DD)');
    return [];
  }
  if (value.length !== count) checker.problem('/dates', `must have one date per cash flow: ${count} cash flow(s), ${value.length} date(s)`);
  const days: number[] = [];
  let latest = -Infinity;
  value.forEach((text, i) => {
    const day = typeof text === 'string' ? isoDateToDay(text) : undefined;
    if (day === undefined) {
      checker.problem(`/dates/${i}`, `must be a calendar date written YYYY-MM-DD, got ${JSON.stringify(text)}`);
    } else if (day < latest) {
      checker.problem(`/dates/${i}`, 'must not be earlier than the dates before it (dates must be ascending)');
    } else {
      latest = day;
    }
    days.push(day ?? Number.NaN);
  });
  return days;
}

function checkIrrShape(checker: InputChecker, cashFlows: number[]): void {
  if (!checker.ok) return;
  const changes = countSignChanges(cashFlows);
  if (changes > MAX_IRR_SIGN_CHANGES) {
    checker.problem('/cashFlows', `changes sign ${changes} times; IRR is computed for at most ${MAX_IRR_SIGN_CHANGES} sign changes (use MIRR or NPV for such flows)`);
  }
}

/** The financial functions behind the service and the routes: input checks, then the pure functions. */
export function createFinanceOperations(): FinanceOperations {
  return {
    npv(request: NpvRequest) {
      const b = body(request);
      const c = new InputChecker();
      const r = c.number(b['rate'], '/rate', RATE);
      const flows = c.numberArray(b['cashFlows'], '/cashFlows', { minItems: 1 });
      const convention = c.choice(b['convention'], '/convention', npvConventions);
      c.throwIfAny();
      return { result: finite(npv(r, flows, convention), 'NPV'), convention, formula: npvFormula(convention) };
    },

    xnpv(request: XnpvRequest) {
      const b = body(request);
      const c = new InputChecker();
      const r = c.number(b['rate'], '/rate', RATE);
      const flows = c.numberArray(b['cashFlows'], '/cashFlows', { minItems: 1 });
      const days = datesOf(c, b['dates'], flows.length);
      c.throwIfAny();
      return { result: finite(xnpv(r, flows, days), 'XNPV'), dayCount: 'Actual/365', formula: XNPV_FORMULA };
    },

    irr(request: IrrRequest): IrrResponse {
      const b = body(request);
      const c = new InputChecker();
      const flows = c.numberArray(b['cashFlows'], '/cashFlows', { minItems: 2, maxItems: MAX_IRR_CASH_FLOWS });
      const guess = c.optionalNumber(b['guess'], '/guess', DEFAULT_IRR_GUESS, RATE);
      checkIrrShape(c, flows);
      c.throwIfAny();
      return irr(flows, guess);
    },

    xirr(request: XirrRequest) {
      const b = body(request);
      const c = new InputChecker();
      const flows = c.numberArray(b['cashFlows'], '/cashFlows', { minItems: 2, maxItems: MAX_IRR_CASH_FLOWS });
      const days = datesOf(c, b['dates'], flows.length);
      const guess = c.optionalNumber(b['guess'], '/guess', DEFAULT_IRR_GUESS, RATE);
      checkIrrShape(c, flows);
      c.throwIfAny();
      return { ...xirr(flows, days, guess), dayCount: 'Actual/365' };
    },

    mirr(request: MirrRequest) {
      const b = body(request);
      const c = new InputChecker();
      const flows = c.numberArray(b['cashFlows'], '/cashFlows', { minItems: 2 });
      const financeRate = c.number(b['financeRate'], '/financeRate', RATE);
      const reinvestRate = c.number(b['reinvestRate'], '/reinvestRate', RATE);
      c.throwIfAny();
      return { result: finite(mirr(flows, financeRate, reinvestRate), 'MIRR'), formula: MIRR_FORMULA };
    },

    pmt(request: PmtRequest): AnnuityResponse {
      const b = body(request);
      const c = new InputChecker();
      const r = c.number(b['rate'], '/rate', RATE);
      const n = c.number(b['nper'], '/nper');
      const present = c.number(b['pv'], '/pv');
      const future = c.optionalNumber(b['fv'], '/fv', 0);
      const when = c.choice(b['when'], '/when', paymentTimings, 'end');
      c.throwIfAny();
      return { result: finite(pmt(r, n, present, future, when), 'PMT'), when, equation: ANNUITY_EQUATION };
    },

    pv(request: PvRequest): AnnuityResponse {
      const b = body(request);
      const c = new InputChecker();
      const r = c.number(b['rate'], '/rate', RATE);
      const n = c.number(b['nper'], '/nper');
      const payment = c.number(b['pmt'], '/pmt');
      const future = c.optionalNumber(b['fv'], '/fv', 0);
      const when = c.choice(b['when'], '/when', paymentTimings, 'end');
      c.throwIfAny();
      return { result: finite(pv(r, n, payment, future, when), 'PV'), when, equation: ANNUITY_EQUATION };
    },

    fv(request: FvRequest): AnnuityResponse {
      const b = body(request);
      const c = new InputChecker();
      const r = c.number(b['rate'], '/rate', RATE);
      const n = c.number(b['nper'], '/nper');
      const payment = c.number(b['pmt'], '/pmt');
      const present = c.optionalNumber(b['pv'], '/pv', 0);
      const when = c.choice(b['when'], '/when', paymentTimings, 'end');
      c.throwIfAny();
      return { result: finite(fv(r, n, payment, present, when), 'FV'), when, equation: ANNUITY_EQUATION };
    },

    nper(request: NperRequest): AnnuityResponse {
      const b = body(request);
      const c = new InputChecker();
      const r = c.number(b['rate'], '/rate', RATE);
      const payment = c.number(b['pmt'], '/pmt');
      const present = c.number(b['pv'], '/pv');
      const future = c.optionalNumber(b['fv'], '/fv', 0);
      const when = c.choice(b['when'], '/when', paymentTimings, 'end');
      c.throwIfAny();
      return { result: finite(nper(r, payment, present, future, when), 'NPER'), when, equation: ANNUITY_EQUATION };
    },

    rate(request: RateRequest): AnnuityResponse {
      const b = body(request);
      const c = new InputChecker();
      const n = c.number(b['nper'], '/nper', { greaterThan: 0 });
      const payment = c.number(b['pmt'], '/pmt');
      const present = c.number(b['pv'], '/pv');
      const future = c.optionalNumber(b['fv'], '/fv', 0);
      const when = c.choice(b['when'], '/when', paymentTimings, 'end');
      const guess = c.optionalNumber(b['guess'], '/guess', 0.1, RATE);
      c.throwIfAny();
      return { result: finite(rate(n, payment, present, future, when, guess), 'RATE'), when, equation: ANNUITY_EQUATION };
    },

    payback(request: PaybackRequest) {
      const b = body(request);
      const c = new InputChecker();
      const flows = c.numberArray(b['cashFlows'], '/cashFlows', { minItems: 1 });
      const method = c.choice(b['method'], '/method', paybackMethods, 'simple');
      let r: number | undefined;
      if (method === 'discounted') {
        r = b['rate'] === undefined ? c.problem('/rate', 'is required for the discounted method') : c.number(b['rate'], '/rate', RATE);
      } else if (b['rate'] !== undefined) {
        c.problem('/rate', 'applies only to method "discounted"; say method: "discounted" to discount the flows');
      }
      c.throwIfAny();
      const result = payback(flows, r);
      return {
        result: result.result,
        paysBack: result.paysBack,
        method,
        ...(result.firstCrossing === undefined ? {} : { firstCrossing: result.firstCrossing }),
        cumulative: result.cumulative,
        rule: method === 'discounted' ? `${PAYBACK_RULE}; each flow first discounted by (1+rate)^t` : PAYBACK_RULE,
      };
    },

    roi(request: RoiRequest) {
      const b = body(request);
      const c = new InputChecker();
      const benefits = c.numberArray(b['benefits'], '/benefits', { minItems: 1 });
      const costs = c.numberArray(b['costs'], '/costs', { minItems: 1 });
      const r = b['rate'] === undefined ? undefined : c.number(b['rate'], '/rate', RATE);
      c.throwIfAny();
      return allFinite(roi(benefits, costs, r), 'ROI');
    },

    breakEven(request: BreakEvenRequest) {
      const b = body(request);
      const c = new InputChecker();
      const fixedCosts = c.number(b['fixedCosts'], '/fixedCosts', { min: 0 });
      const price = c.number(b['pricePerUnit'], '/pricePerUnit');
      const variable = c.number(b['variableCostPerUnit'], '/variableCostPerUnit');
      c.throwIfAny();
      return allFinite(breakEven(fixedCosts, price, variable), 'Break-even');
    },

    tco(request: TcoRequest) {
      const b = body(request);
      const c = new InputChecker();
      const acquisition = c.number(b['acquisition'], '/acquisition');
      const operatingCosts = c.numberArray(b['operatingCosts'], '/operatingCosts');
      const salvage = c.optionalNumber(b['salvageValue'], '/salvageValue', 0);
      const r = b['rate'] === undefined ? undefined : c.number(b['rate'], '/rate', RATE);
      c.throwIfAny();
      return allFinite(tco(acquisition, operatingCosts, salvage, r), 'TCO');
    },
  };
}
