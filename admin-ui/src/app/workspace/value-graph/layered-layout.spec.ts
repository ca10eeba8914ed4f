import { layeredLayout } from './layered-layout';

describe('layered layout', () => {
  it('places each node one layer right of everything it reads, NPV last', () => {
    const layout = layeredLayout(
      ['a', 'b', 'f', 'g', 'npv'],
      [
        { from: 'a', to: 'f' },
        { from: 'b', to: 'f' },
        { from: 'f', to: 'g' },
        { from: 'a', to: 'g' },
        { from: 'g', to: 'npv' },
      ],
    );
    const layer = (id: string) => layout.nodes.get(id)!.layer;
    expect([layer('a'), layer('b'), layer('f'), layer('g'), layer('npv')]).toEqual([0, 0, 1, 2, 3]);
    expect(layout.nodes.get('a')!.x).toBeLessThan(layout.nodes.get('f')!.x);
    expect(layout.backEdges.size).toBe(0);
  });

  it('breaks a cycle by leaving its closing edge out of the layering, and still places every node', () => {
    const layout = layeredLayout(
      ['x', 'p', 'q'],
      [
        { from: 'x', to: 'p' },
        { from: 'p', to: 'q' },
        { from: 'q', to: 'p' },
      ],
    );
    expect(layout.nodes.size).toBe(3);
    expect([...layout.backEdges]).toEqual(['q→p']);
  });

  it('orders a layer to cut crossings (barycenters) and never overlaps boxes', () => {
    // a→y and b→x: the barycenter sweep puts y above x, so the two edges do not cross.
    const layout = layeredLayout(
      ['a', 'b', 'x', 'y'],
      [
        { from: 'a', to: 'y' },
        { from: 'b', to: 'x' },
      ],
    );
    expect(layout.nodes.get('y')!.y).toBeLessThan(layout.nodes.get('x')!.y);
    const boxes = [...layout.nodes.values()].map((p) => `${p.x},${p.y}`);
    expect(new Set(boxes).size).toBe(boxes.length);
  });

  it('lays out a 200-node graph in well under the render budget', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `n${i}`);
    const edges = ids.slice(100).flatMap((id, i) => [
      { from: `n${i}`, to: id },
      { from: `n${(i * 7) % 100}`, to: id },
      { from: `n${100 + Math.max(0, i - 12)}`, to: id },
    ]);
    const start = performance.now();
    const layout = layeredLayout(ids, edges);
    expect(layout.nodes.size).toBe(200);
    expect(performance.now() - start).toBeLessThan(100);
  });
});
