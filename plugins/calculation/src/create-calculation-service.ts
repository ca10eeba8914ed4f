import type { CalculationService } from './calculation-api';
import { createBudgetedModelOperations, type ComputeOptions } from './compute/budgeted-model-operations';
import { createFinanceOperations } from './service/finance-operations';
import { defaultCalculationLimits, type CalculationLimits } from './service/model-operations';

/**
 * Builds the calculation engine: financial functions, value models, scenarios and Monte Carlo. The plugin builds one
 * (with its worker pool and the tenants' compute budgets) and provides it as `calculationRef`; other plugins must
 * depend on that ref. This factory is exported for embedding and benchmarks only: without `compute.pool` the
 * value-model operations run on the calling thread, their cost estimate still checked against the budget.
 */
export function createCalculationService(limits: Partial<CalculationLimits> = {}, compute: ComputeOptions = {}): CalculationService {
  return Object.freeze({
    ...createFinanceOperations(),
    ...createBudgetedModelOperations({ ...defaultCalculationLimits, ...limits }, compute),
  });
}
