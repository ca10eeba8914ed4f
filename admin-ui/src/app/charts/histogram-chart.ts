import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { compactNumber, linearScale } from './scale';

export interface Bin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

const W = 640;
const H = 240;
const M = { top: 28, right: 16, bottom: 32, left: 16 };

/** A Monte Carlo histogram with P10, P50 and P90 marked. Plain SVG. */
@Component({
  selector: 'vv-histogram-chart',
  template: `
    <figure>
      <svg [attr.viewBox]="'0 0 ' + W + ' ' + H" role="img" [attr.aria-label]="summary()">
        @for (b of geometry().bars; track $index) {
          <rect class="bar" [class.below]="b.to <= 0" [attr.x]="b.x" [attr.y]="b.y" [attr.width]="b.width" [attr.height]="b.height">
            <title>{{ b.label }}</title>
          </rect>
        }
        @for (m of geometry().markers; track m.name) {
          <line class="marker" [attr.x1]="m.x" [attr.x2]="m.x" [attr.y1]="M.top - 6" [attr.y2]="H - M.bottom" />
          <text class="marker-label" [attr.x]="m.x" [attr.y]="M.top - 10" text-anchor="middle">{{ m.name }} {{ m.label }}</text>
        }
        <line class="axis-line" [attr.x1]="M.left" [attr.x2]="W - M.right" [attr.y1]="H - M.bottom" [attr.y2]="H - M.bottom" />
        <text class="axis" [attr.x]="M.left" [attr.y]="H - 8">{{ geometry().minLabel }}</text>
        <text class="axis" [attr.x]="W - M.right" [attr.y]="H - 8" text-anchor="end">{{ geometry().maxLabel }}</text>
      </svg>
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
    .bar {
      fill: #7cacf8;
    }
    .bar.below {
      fill: #f2b8b5;
    }
    .marker {
      stroke: #041e49;
      stroke-dasharray: 4 3;
      stroke-width: 1.5;
    }
    .marker-label {
      font-size: 11px;
      fill: #041e49;
      font-weight: 500;
    }
    .axis {
      font-size: 11px;
      fill: #444746;
    }
    .axis-line {
      stroke: #444746;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HistogramChart {
  readonly bins = input.required<readonly Bin[]>();
  readonly percentiles = input.required<{ readonly p10: number; readonly p50: number; readonly p90: number }>();
  protected readonly W = W;
  protected readonly H = H;
  protected readonly M = M;

  protected readonly geometry = computed(() => {
    const bins = this.bins();
    const p = this.percentiles();
    const lo = Math.min(bins[0]?.from ?? 0, p.p10);
    const hi = Math.max(bins[bins.length - 1]?.to ?? 1, p.p90);
    const x = linearScale([lo, hi], [M.left, W - M.right]);
    const top = Math.max(1, ...bins.map((b) => b.count));
    const y = linearScale([0, top], [H - M.bottom, M.top]);
    const bars = bins.map((b) => ({
      to: b.to,
      x: x(b.from) + 0.5,
      width: Math.max(1, x(b.to) - x(b.from) - 1),
      y: y(b.count),
      height: H - M.bottom - y(b.count),
      label: `${compactNumber(b.from)} to ${compactNumber(b.to)}: ${b.count} trials`,
    }));
    const markers = (['p10', 'p50', 'p90'] as const).map((k) => ({ name: k.toUpperCase(), x: x(p[k]), label: compactNumber(p[k]) }));
    return { bars, markers, minLabel: compactNumber(lo), maxLabel: compactNumber(hi) };
  });

  protected readonly summary = computed(() => {
    const p = this.percentiles();
    return `Distribution of simulated outcomes: P10 ${compactNumber(p.p10)}, P50 ${compactNumber(p.p50)}, P90 ${compactNumber(p.p90)}`;
  });
}
