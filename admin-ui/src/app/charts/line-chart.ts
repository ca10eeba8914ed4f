import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { compactNumber, linearScale, niceTicks } from './scale';

export interface LineSeries {
  readonly name: string;
  /** One value per label; null for "no value yet" (the line stops). */
  readonly values: readonly (number | null)[];
  readonly color: string;
  readonly dashed?: boolean;
}

const W = 640;
const H = 260;
const M = { top: 16, right: 16, bottom: 36, left: 56 };

/** Lines over shared x labels (periods or dates). Plain SVG. */
@Component({
  selector: 'vv-line-chart',
  template: `
    <figure>
      <svg [attr.viewBox]="'0 0 ' + W + ' ' + H" role="img" [attr.aria-label]="summary()">
        @for (t of geometry().ticks; track t.value) {
          <line class="grid" [attr.x1]="M.left" [attr.x2]="W - M.right" [attr.y1]="t.y" [attr.y2]="t.y" />
          <text class="axis" [attr.x]="M.left - 6" [attr.y]="t.y + 4" text-anchor="end">{{ t.label }}</text>
        }
        @for (l of geometry().labels; track $index) {
          <text class="axis" [attr.x]="l.x" [attr.y]="H - M.bottom + 18" [attr.text-anchor]="l.anchor">{{ l.text }}</text>
        }
        @for (s of geometry().lines; track s.name) {
          @for (segment of s.segments; track $index) {
            <polyline [attr.points]="segment" [attr.stroke]="s.color" [attr.stroke-dasharray]="s.dashed ? '6 4' : null" class="line" />
          }
          @for (p of s.points; track $index) {
            <circle [attr.cx]="p.x" [attr.cy]="p.y" r="3.5" [attr.fill]="s.color">
              <title>{{ s.name }}, {{ p.label }}: {{ p.value }}</title>
            </circle>
          }
        }
      </svg>
      <figcaption>
        @for (s of series(); track s.name) {
          <span class="key" [style.background]="s.color"></span>{{ s.name }}
        }
      </figcaption>
    </figure>
  `,
  styles: `
    figure {
      margin: 0;
    }
    svg {
      width: 100%;
      height: auto;
      display: block;
    }
    .grid {
      stroke: #e1e3e1;
    }
    .axis {
      font-size: 11px;
      fill: #444746;
    }
    .line {
      fill: none;
      stroke-width: 2.5;
    }
    figcaption {
      font-size: 0.85rem;
      color: var(--vv-muted);
      display: flex;
      gap: 0.4rem;
      align-items: center;
      flex-wrap: wrap;
    }
    .key {
      display: inline-block;
      width: 14px;
      height: 4px;
      margin-left: 0.5rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LineChart {
  readonly labels = input.required<readonly string[]>();
  readonly series = input.required<readonly LineSeries[]>();
  protected readonly W = W;
  protected readonly H = H;
  protected readonly M = M;

  protected readonly geometry = computed(() => {
    const labels = this.labels();
    const series = this.series();
    const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
    const ticks = niceTicks(Math.min(0, ...values), Math.max(1, ...values), 5);
    const y = linearScale([Math.min(0, ticks[0] ?? 0, ...values), Math.max(ticks[ticks.length - 1] ?? 1, ...values)], [H - M.bottom, M.top]);
    const x = (i: number) => (labels.length <= 1 ? (M.left + W - M.right) / 2 : M.left + ((W - M.left - M.right) * i) / (labels.length - 1));
    const every = Math.max(1, Math.ceil(labels.length / 8));
    return {
      ticks: ticks.map((t) => ({ value: t, y: y(t), label: compactNumber(t) })),
      // The end labels are anchored inwards, so they are not cut off at the edges.
      labels: labels
        .map((text, i) => ({ text, x: x(i), anchor: labels.length > 1 && i === 0 ? 'start' : labels.length > 1 && i === labels.length - 1 ? 'end' : 'middle' }))
        .filter((_, i) => i % every === 0 || i === labels.length - 1),
      lines: series.map((s) => {
        const segments: string[] = [];
        let current: string[] = [];
        s.values.forEach((v, i) => {
          if (v === null) {
            if (current.length) segments.push(current.join(' '));
            current = [];
          } else current.push(`${x(i)},${y(v)}`);
        });
        if (current.length) segments.push(current.join(' '));
        const points = s.values.flatMap((v, i) => (v === null ? [] : [{ x: x(i), y: y(v), value: v.toLocaleString(), label: labels[i] ?? '' }]));
        return { name: s.name, color: s.color, dashed: s.dashed, segments, points };
      }),
    };
  });

  protected readonly summary = computed(() =>
    this.series()
      .map((s) => `${s.name}: ${s.values.map((v, i) => `${this.labels()[i]} ${v === null ? 'none' : compactNumber(v)}`).join(', ')}`)
      .join('. '),
  );
}
