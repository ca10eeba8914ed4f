import { ChangeDetectionStrategy, Component, Injector, afterNextRender, computed, effect, inject, input, output } from '@angular/core';
import type { StatusTone } from '../../ui/status';
import { DEFAULT_LAYOUT, edgeKey, layeredLayout, type GraphLayout } from './layered-layout';
import type { ValueGraph } from './value-graph';

/** What a node shows besides its label. */
export interface NodeFigures {
  /** The node's value, formatted. */
  readonly value?: string;
  /** A second line (committed vs actual). */
  readonly detail?: string;
  /** Realization status (living graph) and its console colour. */
  readonly status?: string;
  readonly tone?: StatusTone;
  /** A formula cycle or error: shown on the node. */
  readonly problem?: string;
}

const { nodeWidth: W, nodeHeight: H } = DEFAULT_LAYOUT;

/**
 * User-timing names: each new graph marks the start before its layout and measures to the end of the render that
 * shows it (read by `npm run bench -- canvas`).
 */
export const GRAPH_RENDER_MARK = 'vv-graph:start';
export const GRAPH_RENDER_MEASURE = 'vv-graph:render';

/**
 * A value graph drawn from a layered layout: edges in an SVG underlay (width by weight), nodes as buttons on top so
 * they are focusable and named for assistive technology. The box scrolls inside the page on narrow screens.
 */
@Component({
  selector: 'vv-value-graph',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="scroll" data-testid="value-graph" tabindex="0" [attr.aria-label]="label()" role="region">
      <div class="plane" [style.width.px]="layout().width" [style.height.px]="layout().height">
        <svg [attr.width]="layout().width" [attr.height]="layout().height" aria-hidden="true" focusable="false">
          <defs>
            <marker id="vv-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">
              <path d="M0,0 L8,4 L0,8 z" fill="#747775" />
            </marker>
          </defs>
          @for (e of paths(); track e.key) {
            <path [attr.d]="e.d" [attr.stroke-width]="e.width" [class.back]="e.back" [class.lit]="e.lit" marker-end="url(#vv-arrow)">
              <title>{{ e.title }}</title>
            </path>
          }
        </svg>
        @for (n of boxes(); track n.id) {
          <button
            type="button"
            class="node"
            [class]="n.classes"
            [style.left.px]="n.x"
            [style.top.px]="n.y"
            [attr.data-node]="n.id"
            [attr.data-kind]="n.kind"
            [attr.data-state]="n.figures?.problem ? 'error' : 'ok'"
            [attr.data-status]="n.figures?.status ?? null"
            [attr.data-tone]="n.figures?.tone ?? null"
            [attr.aria-pressed]="n.id === selected()"
            [attr.title]="n.figures?.problem ?? n.expression ?? n.label"
            (click)="nodeSelect.emit(n.id)"
          >
            <!-- Plain spans, no conditional blocks: 200 nodes create 200 views, not 800 (the canvas bench). -->
            <span class="label">{{ n.label }}</span>
            <span class="value">{{ n.figures?.value ?? '—' }}</span>
            <span class="detail">{{ n.figures?.detail }}</span>
            <span class="vv-visually-hidden">{{ n.hidden }}</span>
          </button>
        }
      </div>
    </div>
  `,
  styles: `
    :host {
      display: block;
      min-width: 0;
    }
    .scroll {
      overflow: auto;
      max-width: 100%;
      max-height: 75vh;
      border: 1px solid var(--vv-border);
      border-radius: var(--vv-radius);
      background: var(--vv-surface);
    }
    .plane {
      position: relative;
    }
    svg {
      position: absolute;
      inset: 0;
    }
    path {
      fill: none;
      stroke: #9aa0a6;
      &.lit {
        stroke: var(--vv-primary);
      }
      &.back {
        stroke: var(--vv-status-danger);
        stroke-dasharray: 4 3;
      }
    }
    .node {
      position: absolute;
      width: ${W}px;
      height: ${H}px;
      box-sizing: border-box;
      padding: 4px 8px;
      display: flex;
      flex-direction: column;
      align-items: flex-start;
      justify-content: center;
      gap: 1px;
      text-align: left;
      font: inherit;
      font-size: 0.8rem;
      line-height: 1.2;
      color: var(--vv-text);
      background: var(--vv-surface);
      border: 1px solid var(--vv-border);
      border-left-width: 6px;
      border-radius: var(--vv-radius);
      cursor: pointer;
      overflow: hidden;
      &.driver {
        border-left-color: var(--vv-primary);
      }
      &.formula {
        border-left-color: #5f6368;
      }
      &.benefit {
        border-left-color: var(--vv-status-ok);
      }
      &.cost {
        border-left-color: var(--vv-status-warn);
      }
      &.npv {
        border-left-color: var(--vv-text);
        font-weight: 600;
      }
      &.ok {
        background: var(--vv-ok-bg);
        border-color: var(--vv-status-ok);
      }
      &.warn {
        background: var(--vv-warn-bg);
        border-color: var(--vv-status-warn);
      }
      &.danger,
      &.error {
        background: var(--vv-danger-bg);
        border-color: var(--vv-status-danger);
      }
      &.info {
        background: var(--vv-info-bg);
        border-color: var(--vv-info);
      }
      &.selected {
        outline: 3px solid var(--vv-focus);
        outline-offset: 1px;
      }
    }
    .label,
    .value,
    .detail {
      max-width: 100%;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .value {
      font-weight: 600;
    }
    .detail {
      color: var(--vv-muted);
    }
    .error .label::before {
      content: '⚠ ';
      color: var(--vv-danger);
    }
    .detail:empty {
      display: none;
    }
  `,
})
export class ValueGraphView {
  readonly graph = input.required<ValueGraph>();
  readonly figures = input<ReadonlyMap<string, NodeFigures>>(new Map());
  /** Edge weights 0..1 by `from→to` (stroke width); absent: thin. */
  readonly weights = input<ReadonlyMap<string, number>>(new Map());
  /** Text for each edge's tooltip by `from→to`. */
  readonly edgeTitles = input<ReadonlyMap<string, string>>(new Map());
  readonly selected = input<string | undefined>(undefined);
  readonly label = input('Value graph');
  readonly nodeSelect = output<string>();

  constructor() {
    const injector = inject(Injector);
    effect(() => {
      const nodes = this.graph().nodes.length;
      if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
      performance.clearMarks(GRAPH_RENDER_MARK);
      performance.clearMeasures(GRAPH_RENDER_MEASURE);
      performance.mark(GRAPH_RENDER_MARK);
      afterNextRender(
        () => {
          // Reading a box makes the browser lay the new nodes out: the figure covers layout, not just DOM writes.
          void document.body.getBoundingClientRect();
          performance.measure(GRAPH_RENDER_MEASURE, { start: GRAPH_RENDER_MARK, detail: { nodes } });
        },
        { injector },
      );
    });
  }

  /** Layout depends on the structure only: changing a value does not move anything. */
  protected readonly layout = computed<GraphLayout>(() => {
    const g = this.graph();
    return layeredLayout(
      g.nodes.map((n) => n.id),
      g.edges,
    );
  });

  protected readonly boxes = computed(() => {
    const layout = this.layout();
    const figures = this.figures();
    const selected = this.selected();
    return this.graph().nodes.map((n) => {
      const p = layout.nodes.get(n.id)!;
      const f = figures.get(n.id);
      // The name is the visible text (label, value, detail) plus, for assistive technology, status and problem.
      const hidden = [f?.status ? `status ${f.status.replace(/-/g, ' ')}` : undefined, f?.problem ? `problem: ${f.problem}` : undefined].filter(Boolean).join('; ');
      const classes = `node ${n.kind} ${f?.tone ?? ''}${f?.problem ? ' error' : ''}${n.id === selected ? ' selected' : ''}`;
      return { ...n, x: p.x, y: p.y, figures: f, hidden, classes };
    });
  });

  protected readonly paths = computed(() => {
    const layout = this.layout();
    const weights = this.weights();
    const titles = this.edgeTitles();
    const selected = this.selected();
    return this.graph().edges.map((e) => {
      const a = layout.nodes.get(e.from)!;
      const b = layout.nodes.get(e.to)!;
      const key = edgeKey(e.from, e.to);
      const back = layout.backEdges.has(key);
      const x1 = a.x + W;
      const y1 = a.y + H / 2;
      const x2 = b.x;
      const y2 = b.y + H / 2;
      const bend = Math.max(40, Math.abs(x2 - x1) / 2);
      const d = back
        ? `M${a.x + W / 2},${a.y} C${a.x + W / 2},${a.y - 60} ${b.x + W / 2},${b.y - 60} ${b.x + W / 2},${b.y}`
        : `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
      const w = weights.get(key) ?? 0;
      return { key, d, back, width: 1 + w * 5, lit: selected === e.from || selected === e.to, title: titles.get(key) ?? `${e.from} → ${e.to}` };
    });
  });
}
