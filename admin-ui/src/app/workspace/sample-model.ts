import type { ValueModel } from './calculation-api';

/**
 * A starter model for tenants without the value-models plugin: helpdesk automation over three years
 * (the calculation plugin's own fixture, so its figures are known: CF = [-60000, 15000, 40000, 40000]).
 */
export const SAMPLE_MODEL: ValueModel = {
  name: 'Helpdesk automation (sample)',
  horizon: 3,
  discountRate: 0.1,
  drivers: [
    { name: 'users', unit: 'people', value: 100, distribution: { type: 'pert', min: 80, mode: 100, max: 130 }, low: 50, high: 200 },
    { name: 'hoursSaved', unit: 'h/year', value: 10, distribution: { type: 'triangular', min: 5, mode: 10, max: 20 }, low: 0, high: 30 },
    { name: 'hourlyRate', unit: 'USD/h', value: 50, low: 20, high: 120 },
    { name: 'license', unit: 'USD/year', value: 10000, low: 5000, high: 20000 },
  ],
  formulas: [{ name: 'savings', unit: 'USD/year', expression: 'users * hoursSaved * hourlyRate' }],
  benefit: 'savings',
  costs: { upfront: 60000, recurring: 'license' },
  rampUp: [0.5],
};
