import type { ValueModel } from '@valueverse/plugin-calculation/api';
import type { Commitment } from '@valueverse/plugin-value-committer/api';

const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const literal = (n: number): string => (n < 0 ? `(${n})` : String(n));

/**
 * A stand-in for the committed model when it cannot be read (value-architect absent, model deleted): one period,
 * no discounting, value = baseValue × Π (driver ÷ committed value). It reproduces the base value at the committed
 * values and assumes every driver acts multiplicatively (elasticity 1), the shape of the usual
 * users × hours × rate model. Drivers committed at 0 cannot be scaled and are left out.
 */
export function surrogateModel(commitment: Commitment): ValueModel {
  const drivers = commitment.drivers.filter((d) => d.value !== 0 && identifier.test(d.key));
  const factors = drivers.map((d) => `(${d.key} / ${literal(d.value)})`);
  return {
    name: `${commitment.title} (multiplicative surrogate)`,
    horizon: 1,
    discountRate: 0,
    drivers: drivers.map((d) => ({ name: d.key, unit: d.unit, value: d.value, description: d.label })),
    benefit: [literal(commitment.baseValue), ...factors].join(' * '),
  };
}
