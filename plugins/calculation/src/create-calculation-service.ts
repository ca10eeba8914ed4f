import type { CalculationService } from './calculation-service';
import { createFinanceOperations } from './service/finance-operations';
import { createModelOperations, defaultCalculationLimits, type CalculationLimits } from './service/model-operations';

/**
 * Builds the calculation engine: financial functions, value models, scenarios and Monte Carlo. The plugin builds one
 * and provides it as `calculationRef`; other plugins must depend on that ref. This factory is exported for embedding
 * and benchmarks only.
 */
export function createCalculationService(limits: Partial<CalculationLimits> = {}): CalculationService {
  return Object.freeze({
    ...createFinanceOperations(),
    ...createModelOperations({ ...defaultCalculationLimits, ...limits }),
  });
}
