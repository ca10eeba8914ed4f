import type { ValueModel } from '../../model/value-model';

/**
 * The model of issue #10 finding 1: `p = period`, then `formulas` formulas `p+p+…+p` of 3,999 characters, horizon
 * 600 and 24 drivers with low/high. Its sensitivity analysis took 20 s on the event loop.
 */
export function heavyModel(options: { formulas?: number; terms?: number; horizon?: number } = {}): ValueModel {
  const count = options.formulas ?? 10;
  const chain = Array.from({ length: options.terms ?? 2000 }, () => 'p').join('+');
  return {
    name: 'Heavy',
    horizon: options.horizon ?? 600,
    discountRate: 0.01,
    drivers: Array.from({ length: 24 }, (_, i) => ({ name: `d${i}`, value: 10, low: 5, high: 15 })),
    formulas: [{ name: 'p', expression: 'period' }, ...Array.from({ length: count }, (_, i) => ({ name: `f${i}`, expression: chain }))],
    benefit: `${Array.from({ length: count }, (_, i) => `f${i}`).join('+')}+d0`,
    costs: { upfront: 1000, recurring: 'd1' },
  };
}
