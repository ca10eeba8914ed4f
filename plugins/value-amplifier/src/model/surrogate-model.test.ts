import { createCalculationService } from '@valueverse/plugin-calculation';
import { commitment } from '../__fixtures__/amplifier-commitments';
import { surrogateModel } from './surrogate-model';

describe('surrogateModel', () => {
  const calc = createCalculationService();
  const drivers = [
    { key: 'users', label: 'Users', unit: 'people', value: 200 },
    { key: 'rate', label: 'Rate', unit: 'USD/h', value: 55.5 },
    { key: 'shrink', label: 'Shrink', unit: '%', value: -4 },
    { key: 'unused', label: 'Unused', unit: 'x', value: 0 },
  ];

  it('reproduces the base value at the committed values and scales with each driver (elasticity 1)', async () => {
    const model = surrogateModel(commitment('c', { baseValue: 120_000, drivers }));
    expect(model.drivers.map((d) => d.name)).toEqual(['users', 'rate', 'shrink']);
    expect((await calc.evaluateModel({ model })).metrics.npv.value).toBeCloseTo(120_000, 6);
    const more = { ...model, drivers: model.drivers.map((d) => (d.name === 'users' ? { ...d, value: 250 } : d)) };
    expect((await calc.evaluateModel({ model: more })).metrics.npv.value).toBeCloseTo(150_000, 6);
  });
});
