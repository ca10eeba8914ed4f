import * as semver from 'semver';
import { VvError, type FieldProblem, type PluginManifest } from '@valueverse/plugin-sdk';
import { checkKernelRange } from '../manifest/kernel-range';

/**
 * Where a plugin stands before setup. Precedence when several apply: invalid > missing-dependency >
 * incompatible-dependency > cycle > blocked.
 */
export type PluginGraphStatus = 'ok' | 'invalid' | 'missing-dependency' | 'incompatible-dependency' | 'cycle' | 'blocked';

/** One plugin in the graph. */
export interface PluginGraphEntry {
  readonly id: string;
  /** Absent for a plugin the caller reported invalid without a usable manifest. */
  readonly manifest?: PluginManifest;
  readonly status: PluginGraphStatus;
  /** Why the plugin is not ok, in words (e.g. `requires b which requires c (missing)`); undefined when ok. */
  readonly reason?: string;
  /** The coded error behind `status`; undefined when ok. */
  readonly error?: VvError;
}

/** Something the kernel should show: an error that stops a plugin, or a warning about an ignored optional dependency. */
export interface PluginGraphProblem {
  readonly plugin: string;
  readonly severity: 'error' | 'warning';
  readonly error: VvError;
}

export interface PluginGraphOptions {
  /** The running kernel's version, checked against each manifest's `kernel` range. */
  readonly kernelVersion: string;
  /** Plugins that already failed (invalid manifest, unloadable module), by id; those requiring them are blocked. */
  readonly invalid?: ReadonlyMap<string, VvError>;
}

interface Node {
  readonly id: string;
  readonly manifest?: PluginManifest;
  status: PluginGraphStatus;
  reason?: string;
  error?: VvError;
  /** For a failed plugin that others are blocked by: how the end of their chain reads, e.g. `c (missing)`. */
  tail?: string;
  /** For a blocked plugin: the required plugin it is blocked by, the root cause, and the hops to it. */
  via?: number;
  root?: number;
  depth: number;
}

const ARROW = ' → ';

interface Cycle {
  /** Node indices in cycle order; the last requires the first. */
  readonly members: readonly number[];
  /** The path starting and ending at `members[at]`, e.g. "b → c → a → b". */
  rotated(at: number): string;
}

/** Chains longer than this are shortened in the middle: the first hops and the root cause are what people act on. */
const MAX_CHAIN_HOPS = 5;

/**
 * The dependency graph of the installed plugins: each plugin's status, the setup order, and who depends on whom.
 * Edges point from a plugin to the plugins it requires; version checks use node-semver with the same pre-release
 * rule as the kernel range (see `checkKernelRange`). Building is O(V + E) apart from sorting ids once and the
 * O(log V) heap that keeps the setup order deterministic.
 *
 * @example
 * const graph = PluginGraph.build(manifests, { kernelVersion: '1.0.0' });
 * for (const id of graph.order) await setup(id);
 */
export class PluginGraph {
  private readonly index = new Map<string, number>();
  /** `requires` edges to installed plugins, sorted by id; `requiredBy` is the reverse. */
  private readonly requires: number[][];
  private readonly requiredBy: number[][];
  private readonly providers = new Map<string, number[]>();
  private readonly problemList: PluginGraphProblem[] = [];
  private readonly setupOrder: string[] = [];
  /** Parsed ranges by text: a fan of 500 plugins requiring "^1.0.0" parses it once. */
  private readonly ranges = new Map<string, semver.Range | null>();

  private constructor(
    private readonly nodes: Node[],
    private readonly kernelVersion: string,
  ) {
    nodes.forEach((node, i) => this.index.set(node.id, i));
    this.requires = nodes.map(() => []);
    this.requiredBy = nodes.map(() => []);
  }

  /** Builds the graph; never throws for a plugin's fault — every problem is recorded on the plugin it concerns. */
  static build(manifests: readonly PluginManifest[], options: PluginGraphOptions): PluginGraph {
    const invalid = options.invalid ?? new Map<string, VvError>();
    const byId = new Map<string, PluginManifest>();
    const duplicates: PluginManifest[] = [];
    for (const manifest of manifests) {
      if (byId.has(manifest.id)) duplicates.push(manifest);
      else byId.set(manifest.id, manifest);
    }
    const ids = [...new Set([...byId.keys(), ...invalid.keys()])].sort();
    // Indices follow id order, so "smallest index" means "smallest id" everywhere below.
    const graph = new PluginGraph(
      ids.map((id) => ({ id, manifest: byId.get(id), status: 'ok', depth: 0 })),
      options.kernelVersion,
    );
    for (const manifest of duplicates) {
      graph.report(
        manifest.id,
        'error',
        new VvError('VV_MANIFEST_INVALID', {
          params: { plugin: manifest.id, problems: 'another plugin with this id is already installed; this copy is ignored' },
          errors: [{ pointer: '/id', in: 'manifest', message: 'duplicate plugin id' }],
        }),
      );
    }
    graph.checkEachPlugin(invalid);
    graph.findCyclesAndBlocked();
    graph.sortForSetup();
    graph.findProviders();
    graph.problemList.sort((a, b) => (a.plugin < b.plugin ? -1 : a.plugin > b.plugin ? 1 : 0));
    // Handed out as is to every caller: frozen so that no caller can reorder setup for the others.
    Object.freeze(graph.setupOrder);
    Object.freeze(graph.problemList);
    return graph;
  }

  /** Ids of the `ok` plugins in setup order: requirements (and present optional dependencies) first. */
  get order(): readonly string[] {
    return this.setupOrder;
  }

  /** Every plugin, by id. */
  get entries(): readonly PluginGraphEntry[] {
    return this.nodes.map((n) => this.entryOf(n));
  }

  /** Every error and warning, by plugin id. */
  get problems(): readonly PluginGraphProblem[] {
    return this.problemList;
  }

  /** The plugin with this id (also one the caller reported invalid), or undefined. */
  get(id: string): PluginGraphEntry | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.entryOf(this.nodes[i]);
  }

  /** Plugins that require `id`, directly or transitively (optional dependants are not included), by id. */
  dependantsOf(id: string): readonly string[] {
    const start = this.index.get(id);
    return start === undefined ? [] : this.reach(start, this.requiredBy).map((i) => this.nodes[i].id);
  }

  /** Ids `id` requires, directly or transitively, by id; includes required ids that are not installed. */
  requirementsOf(id: string): readonly string[] {
    const start = this.index.get(id);
    if (start === undefined) return [];
    const found = new Set<string>();
    for (const i of [start, ...this.reach(start, this.requires)]) {
      for (const dep of Object.keys(this.nodes[i].manifest?.requires ?? {})) if (dep !== id) found.add(dep);
    }
    return [...found].sort();
  }

  /**
   * The plugin whose manifest lists `serviceRefId` under `provides`. When several do (legitimate for a multi-provider
   * ref, which dependants reach through `uses` rather than this), the first `ok` one by id, i.e. the first to set
   * up, which is the one the service registry keeps for a single-provider ref.
   */
  providerOf(serviceRefId: string): string | undefined {
    const candidates = this.providers.get(serviceRefId);
    if (!candidates) return undefined;
    const ok = candidates.find((i) => this.nodes[i].status === 'ok');
    return this.nodes[ok ?? candidates[0]].id;
  }

  /** semver.satisfies with the default pre-release rule (see `checkKernelRange`), parsing each range once. */
  private satisfies(version: string, range: string): boolean {
    let parsed = this.ranges.get(range);
    if (parsed === undefined) {
      parsed = semver.validRange(range) === null ? null : new semver.Range(range);
      this.ranges.set(range, parsed);
    }
    return parsed !== null && parsed.test(version);
  }

  private entryOf(n: Node): PluginGraphEntry {
    return { id: n.id, manifest: n.manifest, status: n.status, reason: n.reason, error: n.error };
  }

  private report(plugin: string, severity: PluginGraphProblem['severity'], error: VvError): void {
    this.problemList.push({ plugin, severity, error });
  }

  private fail(n: Node, status: PluginGraphStatus, reason: string, error: VvError, tail: string): void {
    n.status = status;
    n.reason = reason;
    n.error = error;
    n.tail = tail;
    this.report(n.id, 'error', error);
  }

  /** What a plugin can be judged on alone: invalid, kernel range, and the presence and versions of its requirements. */
  private checkEachPlugin(invalid: ReadonlyMap<string, VvError>): void {
    this.nodes.forEach((n, i) => {
      const requires = n.manifest?.requires ?? {};
      const unmet: { dep: string; range: string; found?: string }[] = [];
      for (const dep of Object.keys(requires).sort()) {
        const d = this.index.get(dep);
        if (d === undefined) {
          unmet.push({ dep, range: requires[dep] });
          continue;
        }
        this.requires[i].push(d);
        this.requiredBy[d].push(i);
        const version = this.nodes[d].manifest?.version;
        if (version !== undefined && !this.satisfies(version, requires[dep])) unmet.push({ dep, range: requires[dep], found: version });
      }

      const earlier = invalid.get(n.id);
      if (earlier) return this.fail(n, 'invalid', earlier.message, earlier, `${n.id} (invalid)`);
      if (!n.manifest) return;
      try {
        checkKernelRange(n.manifest, this.kernelVersion);
      } catch (error) {
        if (!(error instanceof VvError) || error.code !== 'VV_KERNEL_INCOMPATIBLE') throw error;
        return this.fail(n, 'invalid', error.message, error, `${n.id} (built for kernel ${n.manifest.kernel})`);
      }
      if (unmet.length === 0) return;

      const describe = (u: (typeof unmet)[number]): string =>
        u.found === undefined ? `requires ${u.dep} ${u.range} (missing)` : `requires ${u.dep} ${u.range} but ${u.dep} is ${u.found}`;
      const first = unmet.find((u) => u.found === undefined) ?? unmet[0];
      const reason = unmet.map(describe).join('; ');
      const error = new VvError('VV_PLUGIN_MISSING_DEPENDENCY', {
        params: {
          plugin: n.id,
          dependency: first.dep,
          range: first.range,
          reason: first.found === undefined ? 'it is not installed' : `"${first.dep}" is at version ${first.found}`,
        },
        detail: unmet.length > 1 ? `Plugin "${n.id}" has unmet requirements: ${reason}` : undefined,
        errors: unmet.map((u): FieldProblem => ({ pointer: `/requires/${u.dep}`, in: 'manifest', message: describe(u) })),
      });
      const status = first.found === undefined ? 'missing-dependency' : 'incompatible-dependency';
      this.fail(n, status, reason, error, `${n.id} which ${describe(first)}`);
    });
  }

  /**
   * Tarjan's strongly connected components over `requires` edges (iterative, so a long chain cannot overflow the
   * stack). Tarjan emits a component only after every component it requires, so a plugin's requirements are final
   * when it is judged: that lets one pass mark cycles and then blocked plugins, each in O(1) amortised.
   */
  private findCyclesAndBlocked(): void {
    for (const component of stronglyConnected(this.requires)) {
      const cyclic = component.length > 1 || this.requires[component[0]].includes(component[0]);
      if (cyclic) {
        this.markCycle(component);
        continue;
      }
      const i = component[0];
      const n = this.nodes[i];
      if (n.status !== 'ok') continue;
      // Requirements are sorted by id, so the plugin named is deterministic when several are down.
      const d = this.requires[i].find((r) => this.nodes[r].status !== 'ok');
      if (d !== undefined) this.block(n, d);
    }
  }

  private markCycle(component: number[]): void {
    const members = new Set(component);
    /** Per member: the cycle found through it and the member's position in that cycle. */
    const placed = new Map<number, { cycle: Cycle; at: number }>();
    for (const start of [...component].sort((a, b) => a - b)) {
      if (placed.has(start)) continue;
      const cycle = this.cycleText(this.shortestCycle(start, members));
      // Every plugin on the cycle gets this same cycle (rotated to start with itself): one search, not one per plugin.
      cycle.members.forEach((member, at) => {
        if (!placed.has(member)) placed.set(member, { cycle, at });
      });
    }
    for (const i of component) {
      const n = this.nodes[i];
      if (n.status !== 'ok') continue; // its own failure says more; the others in the cycle still report it
      const { cycle, at } = placed.get(i)!;
      const path = cycle.rotated(at);
      const next = this.nodes[cycle.members[(at + 1) % cycle.members.length]].id;
      const error = new VvError('VV_PLUGIN_CYCLE', {
        params: { plugin: n.id, cycle: path },
        errors: [{ pointer: `/requires/${next}`, in: 'manifest', message: `closes the cycle ${path}` }],
      });
      this.fail(n, 'cycle', `dependency cycle ${path}`, error, `${n.id} (in cycle ${path})`);
    }
  }

  /**
   * The text of a cycle, rotatable in O(1) per member: "b → c → a → b" is cut from "a → b → c" at b's offset, so a
   * ring of n plugins costs O(n) to describe, not O(n²).
   */
  private cycleText(members: number[]): Cycle {
    const ids = members.map((m) => this.nodes[m].id);
    const base = ids.join(ARROW);
    const offsets: number[] = [];
    let offset = 0;
    for (const id of ids) {
      offsets.push(offset);
      offset += id.length + ARROW.length;
    }
    return { members, rotated: (at) => `${base.substring(offsets[at])}${ARROW}${base.substring(0, offsets[at])}${ids[at]}` };
  }

  /** Breadth-first search inside one component: the shortest cycle through `start`, as [start, ..., last]. */
  private shortestCycle(start: number, members: ReadonlySet<number>): number[] {
    const parent = new Map<number, number>([[start, -1]]);
    const queue = [start];
    for (let head = 0; head < queue.length; head++) {
      const at = queue[head];
      for (const next of this.requires[at]) {
        if (!members.has(next)) continue;
        if (next === start) {
          const path: number[] = [];
          for (let c = at; c !== -1; c = parent.get(c)!) path.push(c);
          return path.reverse();
        }
        if (!parent.has(next)) {
          parent.set(next, at);
          queue.push(next);
        }
      }
    }
    return [start]; // unreachable for a strongly connected component; keeps the type honest
  }

  private block(n: Node, d: number): void {
    const dep = this.nodes[d];
    n.via = d;
    n.root = dep.status === 'blocked' ? dep.root : d;
    n.depth = dep.status === 'blocked' ? dep.depth + 1 : 1;
    const hops: string[] = [];
    let at: Node = dep;
    const shown = n.depth > MAX_CHAIN_HOPS ? 3 : n.depth - 1;
    for (let k = 0; k < shown; k++, at = this.nodes[at.via!]) hops.push(at.id);
    if (n.depth > MAX_CHAIN_HOPS) hops.push(`… (${n.depth - 1 - shown} more)`);
    hops.push(this.nodes[n.root!].tail!);
    const reason = `requires ${hops.join(' which requires ')}`;
    const range = n.manifest?.requires?.[dep.id] ?? '*';
    const error = new VvError('VV_PLUGIN_MISSING_DEPENDENCY', {
      params: { plugin: n.id, dependency: dep.id, range, reason: `"${dep.id}" cannot start (${dep.status})` },
      detail: `Plugin "${n.id}" is blocked: it ${reason}`,
      errors: [{ pointer: `/requires/${dep.id}`, in: 'manifest', message: reason }],
    });
    n.status = 'blocked';
    n.reason = reason;
    n.error = error;
    this.report(n.id, 'error', error);
  }

  /**
   * Kahn's algorithm over the `ok` plugins: repeatedly set up a plugin whose requirements are all set up, taking
   * the smallest id among those ready so the order is the same on every instance. Present, compatible optional
   * dependencies are ordered first too, unless that would close a cycle; then the optional edge is dropped.
   */
  private sortForSetup(): void {
    const ok = (i: number): boolean => this.nodes[i].status === 'ok';
    const before: number[][] = this.nodes.map((_, i) => (ok(i) ? [...this.requires[i]] : []));
    const optionalEdges: [number, number][] = [];
    this.nodes.forEach((n, i) => {
      if (!ok(i)) return;
      const optional = n.manifest?.optional ?? {};
      for (const dep of Object.keys(optional).sort()) {
        const d = this.index.get(dep);
        if (d === undefined || !ok(d)) continue; // absent or down: the plugin runs without it
        const version = this.nodes[d].manifest!.version;
        if (!this.satisfies(version, optional[dep])) {
          this.warnOptional(n, dep, optional[dep], `"${dep}" is at version ${version}; the optional dependency is ignored`);
          continue;
        }
        before[i].push(d);
        optionalEdges.push([i, d]);
      }
    });
    if (optionalEdges.length > 0) {
      const component = new Array<number>(this.nodes.length);
      stronglyConnected(before).forEach((c, k) => c.forEach((i) => (component[i] = k)));
      for (const [i, d] of optionalEdges) {
        if (component[i] !== component[d]) continue;
        // Required edges alone are acyclic here, so dropping the optional edges inside a component breaks every cycle.
        before[i].splice(before[i].indexOf(d), 1);
        const n = this.nodes[i];
        this.warnOptional(n, this.nodes[d].id, n.manifest!.optional![this.nodes[d].id], `ordering "${this.nodes[d].id}" first would form a cycle; it may set up after "${n.id}"`);
      }
    }

    const waiting = new Array<number>(this.nodes.length).fill(0);
    const after: number[][] = this.nodes.map(() => []);
    before.forEach((deps, i) => {
      waiting[i] = deps.length;
      for (const d of deps) after[d].push(i);
    });
    const ready = new MinHeap();
    this.nodes.forEach((_, i) => {
      if (ok(i) && waiting[i] === 0) ready.push(i);
    });
    while (ready.size > 0) {
      const i = ready.pop();
      this.setupOrder.push(this.nodes[i].id);
      for (const next of after[i]) if (--waiting[next] === 0) ready.push(next);
    }
    const okCount = this.nodes.filter((_, i) => ok(i)).length;
    if (this.setupOrder.length !== okCount) {
      throw new VvError('VV_INTERNAL', { detail: `Plugin graph: ${okCount - this.setupOrder.length} ok plugin(s) left out of the setup order` });
    }
  }

  private warnOptional(n: Node, dep: string, range: string, reason: string): void {
    this.report(
      n.id,
      'warning',
      new VvError('VV_PLUGIN_MISSING_DEPENDENCY', {
        params: { plugin: n.id, dependency: dep, range, reason },
        errors: [{ pointer: `/optional/${dep}`, in: 'manifest', message: reason }],
      }),
    );
  }

  /**
   * Indexes `provides`. Several providers of one id are not judged here: a manifest cannot say whether a ref is
   * multi-provider (`createServiceRef({ multiple: true })`), so the service registry, which sees the ref object,
   * refuses a second provider of a single-provider ref with VV_CONFLICT when it registers.
   */
  private findProviders(): void {
    this.nodes.forEach((n, i) => {
      for (const ref of n.manifest?.provides ?? []) {
        const list = this.providers.get(ref);
        if (list) list.push(i);
        else this.providers.set(ref, [i]);
      }
    });
  }

  private reach(start: number, edges: readonly number[][]): number[] {
    const seen = new Set<number>([start]);
    const queue = [start];
    for (let head = 0; head < queue.length; head++) {
      for (const next of edges[queue[head]]) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    seen.delete(start);
    return [...seen].sort((a, b) => a - b);
  }
}

/**
 * Tarjan's algorithm, iterative. Returns the strongly connected components of `edges` in reverse topological order:
 * a component comes after every component it has edges to (for `requires` edges: requirements first).
 */
function stronglyConnected(edges: readonly number[][]): number[][] {
  const count = edges.length;
  const order = new Array<number>(count).fill(-1);
  const low = new Array<number>(count).fill(0);
  const onStack = new Array<boolean>(count).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < count; root++) {
    if (order[root] !== -1) continue;
    const frames: [node: number, edge: number][] = [[root, 0]];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const [v, e] = frame;
      if (e < edges[v].length) {
        frame[1]++;
        const w = edges[v][e];
        if (order[w] === -1) {
          order[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          frames.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v], order[w]);
        }
        continue;
      }
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1][0];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === order[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          component.push(w);
        } while (w !== v);
        components.push(component);
      }
    }
  }
  return components;
}

/** A binary min-heap of indices: the ready set of Kahn's algorithm, smallest (= smallest id) first. */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    items.push(value);
    for (let c = items.length - 1; c > 0;) {
      const p = (c - 1) >> 1;
      if (items[p] <= items[c]) break;
      [items[p], items[c]] = [items[c], items[p]];
      c = p;
    }
  }

  pop(): number {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      for (let p = 0; ;) {
        const l = 2 * p + 1;
        const r = l + 1;
        let m = p;
        if (l < items.length && items[l] < items[m]) m = l;
        if (r < items.length && items[r] < items[m]) m = r;
        if (m === p) break;
        [items[p], items[m]] = [items[m], items[p]];
        p = m;
      }
    }
    return top;
  }
}
