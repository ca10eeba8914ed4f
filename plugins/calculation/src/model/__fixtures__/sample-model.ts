import type { ValueModel } from '../value-model';

/** A small model whose cash flows are easy to compute by hand: CF = [-60000, 15000, 40000, 40000]. */
export const sampleModel: ValueModel = {
  name: 'Helpdesk automation',
  horizon: 3,
  discountRate: 0.1,
  drivers: [
    { name: 'users', unit: 'people', value: 100, distribution: { type: 'pert', min: 80, mode: 100, max: 130 } },
    { name: 'hoursSaved', unit: 'h/year', value: 10, distribution: { type: 'triangular', min: 5, mode: 10, max: 20 } },
    { name: 'hourlyRate', unit: 'USD/h', value: 50 },
    { name: 'license', unit: 'USD/year', value: 10000, low: 9000, high: 14000 },
  ],
  formulas: [{ name: 'savings', unit: 'USD/year', expression: 'users * hoursSaved * hourlyRate' }],
  benefit: 'savings',
  costs: { upfront: 60000, recurring: 'license' },
  rampUp: [0.5],
};

/**
 * NPV = x + y with x, y ~ N(100, 10) independent, one period, no discounting, no costs: NPV ~ N(200, 14.1421), so
 * percentiles, moments and the effect of a correlation can be worked by hand.
 */
export const twoNormalsModel: ValueModel = {
  horizon: 1,
  discountRate: 0,
  drivers: [
    { name: 'x', value: 100, distribution: { type: 'normal', mean: 100, sd: 10 } },
    { name: 'y', value: 100, distribution: { type: 'normal', mean: 100, sd: 10 } },
  ],
  benefit: 'x + y',
};
