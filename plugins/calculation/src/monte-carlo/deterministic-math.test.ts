import { exp, ln, pow } from './deterministic-math';

/** Distance in units in the last place between two doubles of the same sign. */
function ulps(a: number, b: number): number {
  const view = new DataView(new ArrayBuffer(16));
  view.setFloat64(0, a);
  view.setFloat64(8, b);
  return Number(view.getBigInt64(0) - view.getBigInt64(8));
}

describe('deterministic ln/exp/pow', () => {
  // A fixed, spread-out set of arguments (no RNG, so the test is the same everywhere).
  const args: number[] = [];
  for (let i = 1; i <= 20000; i++) args.push(Math.pow(1.0037, i - 10000) * (1 + ((i * 7919) % 1000) / 1000));

  it('ln agrees with the engine within 1 ulp and exactly at the special values', () => {
    let worst = 0;
    for (const x of args) worst = Math.max(worst, Math.abs(ulps(ln(x), Math.log(x))));
    expect(worst).toBeLessThanOrEqual(1);
    expect(ln(1)).toBe(0);
    expect(ln(0)).toBe(-Infinity);
    expect(ln(-1)).toBeNaN();
    expect(ln(Infinity)).toBe(Infinity);
    expect(Math.abs(ulps(ln(5e-324), Math.log(5e-324)))).toBeLessThanOrEqual(1);
  });

  it('exp agrees with the engine within 1 ulp over the whole finite range', () => {
    let worst = 0;
    for (let i = -7000; i <= 7000; i++) {
      const x = i / 10 + 0.0123;
      const expected = Math.exp(x);
      if (expected === 0 || !Number.isFinite(expected)) continue;
      worst = Math.max(worst, Math.abs(ulps(exp(x), expected)));
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(exp(0)).toBe(1);
    expect(exp(-Infinity)).toBe(0);
    expect(exp(1000)).toBe(Infinity);
    expect(exp(-1000)).toBe(0);
  });

  it('pow is exact for integer exponents and accurate otherwise', () => {
    expect(pow(1.1, 2)).toBe(1.1 * 1.1);
    expect(pow(2, 10)).toBe(1024);
    expect(pow(2, -2)).toBe(0.25);
    expect(pow(-2, 3)).toBe(-8);
    expect(pow(-2, 0.5)).toBeNaN();
    expect(pow(0, 2)).toBe(0);
    expect(Math.abs(pow(1.05, 9.5) / Math.pow(1.05, 9.5) - 1)).toBeLessThan(1e-14);
  });
});
