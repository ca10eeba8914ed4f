import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { compactNumber, linearScale, niceTicks } from './scale';

const W = 640;
const H = 260;
const M = { top: 16, right: 16, bottom: 34, left: 60 };

/** Cash flow per period as bars (green in, red out) with the cumulative cash flow as a line. Plain SVG. */
@Component({
  selector: 'vv-cash-flow-chart',
  template: `
    <figure>
      <!-- Scrolls sideways on a phone: focusable, so the keyboard can scroll it too. -->
      <div class="scroll" tabindex="0" role="group" aria-label="Chart (scrolls sideways on narrow screens)">
        <svg [attr.viewBox]="'0 0 ' + W + ' ' + H" role="img" [attr.aria-label]="summary()">
          @for (t of geometry().ticks; track t.value) {
            <line class="grid" [attr.x1]="M.left" [attr.x2]="W - M.right" [attr.y1]="t.y" [attr.y2]="t.y" />
            <text class="axis" [attr.x]="M.left - 6" [attr.y]="t.y + 4" text-anchor="end">{{ t.label }}</text>
          }
          @for (b of geometry().bars; track b.period) {
            <rect [attr.x]="b.x" [attr.y]="b.y" [attr.width]="b.width" [attr.height]="b.height" [class.neg]="b.value < 0" class="bar">
              <title>Period {{ b.period }}: {{ b.label }}</title>
            </rect>
            <text class="axis" [attr.x]="b.x + b.width / 2" [attr.y]="H - M.bottom + 18" text-anchor="middle">t{{ b.period }}</text>
          }
          <line class="zero" [attr.x1]="M.left" [attr.x2]="W - M.right" [attr.y1]="geometry().zero" [attr.y2]="geometry().zero" />
          @if (cumulative()) {
            <polyline class="cumulative" [attr.points]="geometry().line" />
          }
        </svg>
      </div>
      <figcaption>
        <span class="key in"></span>Cash in <span class="key out"></span>Cash out
        @if (cumulative()) {
          <span class="key line"></span>Cumulative
        }
      </figcaption>
    </figure>
  `,
  styles: `
    figure {
      margin: 0;
    }
    .scroll {
      overflow-x: auto;
    }
    /* Text scales with the drawing: below this width it would shrink under ~11 px, so the chart scrolls instead. */
    svg {
      width: 100%;
      min-width: 520px;
      height: auto;
      display: block;
    }
    .grid {
      stroke: #e1e3e1;
    }
    .zero {
      stroke: #444746;
    }
    .axis {
      font-size: 14px;
      fill: #444746;
    }
    .bar {
      fill: #146c2e;
    }
    .bar.neg {
      fill: #b3261e;
    }
    .cumulative {
      fill: none;
      stroke: #0b57d0;
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
      width: 12px;
      height: 12px;
      border-radius: 2px;
      margin-left: 0.5rem;
    }
    .key.in {
      background: #146c2e;
    }
    .key.out {
      background: #b3261e;
    }
    .key.line {
      background: #0b57d0;
      height: 3px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CashFlowChart {
  readonly values = input.required<readonly number[]>();
  readonly cumulative = input(true);
  protected readonly W = W;
  protected readonly H = H;
  protected readonly M = M;

  protected readonly geometry = computed(() => {
    const values = this.values();
    const running: number[] = [];
    values.reduce((sum, v) => (running.push(sum + v), sum + v), 0);
    const all = [0, ...values, ...(this.cumulative() ? running : [])];
    const ticks = niceTicks(Math.min(...all), Math.max(...all), 5);
    const lo = Math.min(...all, ticks[0] ?? 0);
    const hi = Math.max(...all, ticks[ticks.length - 1] ?? 0);
    const y = linearScale([lo, hi], [H - M.bottom, M.top]);
    const band = (W - M.left - M.right) / Math.max(1, values.length);
    const width = Math.max(2, band * 0.6);
    const zero = y(0);
    const bars = values.map((value, period) => {
      const x = M.left + band * period + (band - width) / 2;
      return { period, value, x, width, y: Math.min(y(value), zero), height: Math.max(1, Math.abs(y(value) - zero)), label: value.toLocaleString() };
    });
    const line = running.map((v, i) => `${M.left + band * i + band / 2},${y(v)}`).join(' ');
    return { ticks: ticks.map((t) => ({ value: t, y: y(t), label: compactNumber(t) })), bars, zero, line };
  });

  protected readonly summary = computed(() => {
    const values = this.values();
    return `Cash flow by period: ${values.map((v, i) => `t${i} ${Math.round(v).toLocaleString()}`).join(', ')}`;
  });
}
