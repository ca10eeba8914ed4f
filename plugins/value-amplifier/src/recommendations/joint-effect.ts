import type { CalculationService, ValueModel } from '@valueverse/plugin-calculation/api';

/** The effect of all measured gaps together beside the sum of their effects one at a time. */
export interface JointEffect {
  /** NPV with every measured driver at its actual, minus NPV at the committed values. */
  readonly together: number;
  /** Σ over measured drivers of (NPV with that driver alone at its actual − NPV at the committed values). */
  readonly sumOfSingles: number;
  /** together − sumOfSingles: what the drivers do to each other (0 for a model additive in its drivers). */
  readonly interaction: number;
  /** Each driver alone at its actual, exact (not the sensitivity's linear estimate). */
  readonly singles: Record<string, number>;
  readonly rule: string;
}

/** The calculation plugin takes at most this many what-if scenarios per call. */
const SCENARIOS_PER_CALL = 100;

/**
 * Single-driver impacts do not add up in a model where drivers multiply (issue #11 item 11: −443k one at a time
 * against −422k together), so the report shows the joint effect and the interaction term beside the singles. Both
 * come from exact re-evaluation of the committed model (what-if scenarios), not from slopes.
 */
export async function jointEffect(calc: CalculationService, model: ValueModel, actuals: ReadonlyMap<string, number>): Promise<JointEffect | null> {
  const known = new Set(model.drivers.map((d) => d.name));
  const measured = [...actuals].filter(([key]) => known.has(key));
  if (measured.length === 0) return null;
  const scenarios = [{ name: 'together', overrides: Object.fromEntries(measured) }, ...measured.map(([key, value]) => ({ name: `alone:${key}`, overrides: { [key]: value } }))];
  const deltas: number[] = [];
  for (let i = 0; i < scenarios.length; i += SCENARIOS_PER_CALL) {
    const result = await calc.scenario({ model, scenarios: scenarios.slice(i, i + SCENARIOS_PER_CALL) });
    for (const s of result.scenarios) deltas.push(s.delta.npv);
  }
  const [together, ...alone] = deltas as [number, ...number[]];
  const singles = Object.fromEntries(measured.map(([key], i) => [key, alone[i]!]));
  const sumOfSingles = alone.reduce((sum, x) => sum + x, 0);
  return {
    together,
    sumOfSingles,
    interaction: together - sumOfSingles,
    singles,
    rule: 'NPV re-evaluated with every measured driver at its actual (together) and with each alone (singles), others at committed values; interaction = together − Σ singles',
  };
}
