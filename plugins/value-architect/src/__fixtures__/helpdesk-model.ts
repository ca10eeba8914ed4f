import type { ValueModel } from '@valueverse/plugin-calculation/api';

/** A small model, easy to check by hand: benefit = users × hours × rate = 100 × 10 × 50 = 50,000 a year. */
export const helpdeskModel: ValueModel = {
  horizon: 3,
  discountRate: 0.1,
  drivers: [
    { name: 'users', unit: 'people', value: 100, distribution: { type: 'pert', min: 60, mode: 100, max: 120 }, description: 'Agents using it' },
    { name: 'hours_saved', unit: 'h/person-year', value: 10, distribution: { type: 'triangular', min: 5, mode: 10, max: 12 }, description: 'Hours saved' },
    { name: 'loaded_hourly_rate', unit: 'USD/h', value: 50, description: 'Loaded hourly rate' },
  ],
  formulas: [{ name: 'savings', unit: 'USD/year', expression: 'users * hours_saved * loaded_hourly_rate' }],
  benefit: 'savings',
  costs: { upfront: 60000, recurring: 10000 },
};
