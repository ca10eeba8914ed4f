/** Where a node sits: its box's top-left corner, and its layer (column) and rank (row within the column). */
export interface PlacedNode {
  readonly x: number;
  readonly y: number;
  readonly layer: number;
  readonly rank: number;
}

export interface GraphLayout {
  readonly nodes: ReadonlyMap<string, PlacedNode>;
  /** Edges (`from→to`) that close a cycle: drawn, but ignored for layering. */
  readonly backEdges: ReadonlySet<string>;
  readonly width: number;
  readonly height: number;
}

export interface LayoutOptions {
  readonly nodeWidth: number;
  readonly nodeHeight: number;
  readonly gapX: number;
  readonly gapY: number;
  readonly padding: number;
  /** Barycenter sweeps (down and up count one each). */
  readonly sweeps: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = { nodeWidth: 168, nodeHeight: 56, gapX: 64, gapY: 16, padding: 16, sweeps: 8 };

export const edgeKey = (from: string, to: string): string => `${from}→${to}`;

/**
 * A layered (Sugiyama-style) layout, left to right: cycles broken by a depth-first search (its back edges are
 * left out of the layering), layers by longest path from the sources (so inputs sit left and NPV right), order
 * within a layer by alternating barycenter sweeps to reduce crossings, then a grid. O(sweeps × (V + E)): a
 * 200-node model lays out in a few milliseconds.
 */
export function layeredLayout(ids: readonly string[], edges: readonly { from: string; to: string }[], options: LayoutOptions = DEFAULT_LAYOUT): GraphLayout {
  const index = new Map(ids.map((id, i) => [id, i]));
  const out: number[][] = ids.map(() => []);
  for (const e of edges) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a !== undefined && b !== undefined && a !== b) out[a]!.push(b);
  }

  // Cycle breaking: iterative DFS; an edge to a node on the stack is a back edge.
  const state = new Uint8Array(ids.length); // 0 new, 1 on stack, 2 done
  const back = new Set<string>();
  const forward: number[][] = ids.map(() => []);
  for (let root = 0; root < ids.length; root++) {
    if (state[root] !== 0) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, i] = top;
      if (i < out[v]!.length) {
        top[1] = i + 1;
        const w = out[v]![i]!;
        if (state[w] === 1) back.add(edgeKey(ids[v]!, ids[w]!));
        else {
          forward[v]!.push(w);
          if (state[w] === 0) {
            state[w] = 1;
            stack.push([w, 0]);
          }
        }
      } else {
        state[v] = 2;
        stack.pop();
      }
    }
  }

  // Longest-path layering over the acyclic remainder (Kahn's order).
  const indegree = new Int32Array(ids.length);
  for (const targets of forward) for (const w of targets) indegree[w]!++;
  const layer = new Int32Array(ids.length);
  const queue: number[] = [];
  for (let v = 0; v < ids.length; v++) if (indegree[v] === 0) queue.push(v);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const w of forward[v]!) {
      layer[w] = Math.max(layer[w]!, layer[v]! + 1);
      if (--indegree[w]! === 0) queue.push(w);
    }
  }
  const layerCount = ids.length === 0 ? 0 : Math.max(...layer) + 1;
  const layers: number[][] = Array.from({ length: layerCount }, () => []);
  for (let v = 0; v < ids.length; v++) layers[layer[v]!]!.push(v);

  // Barycenter ordering: each node moves to the mean position of its neighbours in the layer swept from.
  const predecessors: number[][] = ids.map(() => []);
  for (let v = 0; v < ids.length; v++) for (const w of forward[v]!) predecessors[w]!.push(v);
  const position = new Float64Array(ids.length);
  const renumber = (l: number[]) => l.forEach((v, i) => (position[v] = i));
  layers.forEach(renumber);
  for (let sweep = 0; sweep < options.sweeps; sweep++) {
    const down = sweep % 2 === 0;
    const order = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const l of order) {
      const key = new Map<number, number>();
      for (const v of l) {
        const neighbours = down ? predecessors[v]! : forward[v]!;
        key.set(v, neighbours.length === 0 ? position[v]! : neighbours.reduce((s, n) => s + position[n]!, 0) / neighbours.length);
      }
      l.sort((a, b) => key.get(a)! - key.get(b)! || position[a]! - position[b]!);
      renumber(l);
    }
  }

  const { nodeWidth, nodeHeight, gapX, gapY, padding } = options;
  const tallest = Math.max(0, ...layers.map((l) => l.length));
  const height = padding * 2 + tallest * nodeHeight + Math.max(0, tallest - 1) * gapY;
  const width = padding * 2 + layerCount * nodeWidth + Math.max(0, layerCount - 1) * gapX;
  const nodes = new Map<string, PlacedNode>();
  layers.forEach((l, li) => {
    // Each column centred against the tallest one.
    const columnHeight = l.length * nodeHeight + Math.max(0, l.length - 1) * gapY;
    const top = padding + (height - 2 * padding - columnHeight) / 2;
    l.forEach((v, rank) => nodes.set(ids[v]!, { x: padding + li * (nodeWidth + gapX), y: top + rank * (nodeHeight + gapY), layer: li, rank }));
  });
  return { nodes, backEdges: back, width, height };
}
