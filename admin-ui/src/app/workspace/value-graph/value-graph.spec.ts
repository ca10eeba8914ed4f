import type { ValueModel } from '../calculation-api';
import { BENEFIT_NODE, NPV_NODE, RECURRING_NODE, UPFRONT_NODE, buildValueGraph, influence, namesRead, nodeOfPointer, sameGraph } from './value-graph';

const model: ValueModel = {
  horizon: 3,
  discountRate: 0.1,
  drivers: [
    { name: 'agents', value: 400, unit: 'people' },
    { name: 'hours', value: 100 },
    { name: 'rate', value: 40 },
    { name: 'unused', value: 1 },
  ],
  formulas: [
    { name: 'savings', expression: 'agents * hours * rate' },
    { name: 'bonus', expression: 'max(savings * 0.1, 1e3) * period' },
  ],
  benefit: 'savings + bonus',
  costs: { upfront: 5000, recurring: 'agents * 2' },
};

describe('value graph of a model', () => {
  it('reads variable names, not functions, numbers with exponents or duplicates', () => {
    expect(namesRead('max(savings * 0.1, 1e3) * period + savings')).toEqual(['savings', 'period']);
    expect(namesRead('a_1+.5e-2*b')).toEqual(['a_1', 'b']);
  });

  it('links drivers → formulas → benefit and costs → NPV; unknown names and built-ins make no edge', () => {
    const graph = buildValueGraph(model);
    expect(graph.nodes.map((n) => [n.id, n.kind])).toEqual([
      ['agents', 'driver'],
      ['hours', 'driver'],
      ['rate', 'driver'],
      ['unused', 'driver'],
      ['savings', 'formula'],
      ['bonus', 'formula'],
      [BENEFIT_NODE, 'benefit'],
      [UPFRONT_NODE, 'cost'],
      [RECURRING_NODE, 'cost'],
      [NPV_NODE, 'npv'],
    ]);
    const edges = graph.edges.map((e) => `${e.from}>${e.to}`);
    expect(edges.sort()).toEqual(
      [
        'agents>savings',
        'hours>savings',
        'rate>savings',
        'savings>bonus',
        `savings>${BENEFIT_NODE}`,
        `bonus>${BENEFIT_NODE}`,
        `${BENEFIT_NODE}>${NPV_NODE}`,
        `agents>${RECURRING_NODE}`,
        `${UPFRONT_NODE}>${NPV_NODE}`,
        `${RECURRING_NODE}>${NPV_NODE}`,
      ].sort(),
    );
  });

  it('puts a problem pointer on the node it is about', () => {
    expect(nodeOfPointer(model, '/model/formulas/1/expression')).toBe('bonus');
    expect(nodeOfPointer(model, '/model/drivers/0/value')).toBe('agents');
    expect(nodeOfPointer(model, '/model/benefit')).toBe(BENEFIT_NODE);
    expect(nodeOfPointer(model, '/model/costs/recurring')).toBe(RECURRING_NODE);
    expect(nodeOfPointer(model, '/model/horizon')).toBeUndefined();
  });

  it('weighs each node by the tornado swings of the drivers behind it, and survives a cycle', () => {
    const graph = buildValueGraph(model);
    const flow = influence(graph, { agents: 300, hours: 200, rate: 100, unused: 0 });
    expect(flow.get('agents')).toBe(300);
    expect(flow.get('savings')).toBe(600);
    expect(flow.get(RECURRING_NODE)).toBe(300);
    expect(flow.get(NPV_NODE)).toBe(600);
    expect(flow.get(UPFRONT_NODE)).toBe(0);
    const cyclic = buildValueGraph({
      ...model,
      formulas: [
        { name: 'a', expression: 'b + agents' },
        { name: 'b', expression: 'a' },
      ],
      benefit: 'a',
    });
    expect(influence(cyclic, { agents: 5 }).get('b')).toBe(5);
  });

  it('is the same graph after a value change, not after a structural one', () => {
    const a = buildValueGraph(model);
    expect(sameGraph(a, buildValueGraph({ ...model, drivers: model.drivers.map((d) => ({ ...d, value: d.value + 1 })) }))).toBe(true);
    expect(sameGraph(a, buildValueGraph({ ...model, benefit: 'savings' }))).toBe(false);
  });
});
