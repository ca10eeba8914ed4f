import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { formatNumber } from '../ui/format';
import { compactNumber, linearScale, niceTicks } from './scale';

export interface TimePoint {
  /** yyyy-mm-dd or an ISO instant. */
  readonly at: string;
  readonly value: number;
}

export interface TimeSeries {
  readonly id: string;
  readonly name: string;
  readonly color: string;
  readonly points: readonly TimePoint[];
  /** `points` draws dots, `line` a line, `both` both. */
  readonly style: 'points' | 'line' | 'both';
  readonly dashed?: boolean;
}

/** A band from `from` to `to` widening to [low, high] (a projection's interval). */
export interface TimeBand {
  readonly id: string;
  readonly name: string;
  readonly color: string;
  readonly from: TimePoint;
  readonly to: TimePoint & { readonly low: number; readonly high: number };
}

const W = 640;
const H = 280;
const M = { top: 16, right: 20, bottom: 40, left: 64 };
const DAY = 86_400_000;
const ms = (at: string) => Date.parse(at.length === 10 ? `${at}T00:00:00Z` : at);

/**
 * Values over real time (not evenly spaced labels): measurements where they were taken, a plan through its due
 * dates, a projection with its band. Plain SVG; text stays legible on a phone (font sizes scale with the viewBox,
 * so the chart keeps a minimum width and scrolls inside its own box rather than shrinking the text).
 */
@Component({
  selector: 'vv-time-chart',
  template: `
    <figure>
      <!-- Scrolls sideways on a phone: focusable, so the keyboard can scroll it too. -->
      <div class="scroll" tabindex="0" role="group" aria-label="Chart (scrolls sideways on narrow screens)">
        <svg [attr.viewBox]="'0 0 ' + W + ' ' + H" role="img" [attr.aria-label]="summary()">
          <g data-axis="y">
            @for (t of geometry().yTicks; track t.value) {
              <line class="grid" [attr.x1]="M.left" [attr.x2]="W - M.right" [attr.y1]="t.y" [attr.y2]="t.y" />
              <text class="axis" [attr.x]="M.left - 8" [attr.y]="t.y + 5" text-anchor="end">{{ t.label }}</text>
            }
          </g>
          <g data-axis="x">
            @for (t of geometry().xTicks; track t.x) {
              <text class="axis" [attr.x]="t.x" [attr.y]="H - M.bottom + 22" [attr.text-anchor]="t.anchor">{{ t.label }}</text>
            }
          </g>
          @for (b of geometry().bands; track b.id) {
            <g [attr.data-series]="b.id">
              <polygon [attr.points]="b.polygon" [attr.fill]="b.color" fill-opacity="0.18" />
              <polyline [attr.points]="b.line" [attr.stroke]="b.color" stroke-dasharray="6 4" class="line" />
              <circle [attr.cx]="b.end.x" [attr.cy]="b.end.y" r="4" [attr.fill]="b.color">
                <title>{{ b.title }}</title>
              </circle>
            </g>
          }
          @for (s of geometry().series; track s.id) {
            <g [attr.data-series]="s.id">
              @if (s.line) {
                <polyline [attr.points]="s.line" [attr.stroke]="s.color" [attr.stroke-dasharray]="s.dashed ? '6 4' : null" class="line" />
              }
              @for (p of s.dots; track $index) {
                <circle [attr.cx]="p.x" [attr.cy]="p.y" r="4" [attr.fill]="s.color">
                  <title>{{ p.title }}</title>
                </circle>
              }
            </g>
          }
          @if (geometry().today; as t) {
            <line class="today" [attr.x1]="t" [attr.x2]="t" [attr.y1]="M.top" [attr.y2]="H - M.bottom" />
            <text class="axis" [attr.x]="t + 4" [attr.y]="M.top + 12">today</text>
          }
        </svg>
      </div>
      <figcaption>
        @for (s of series(); track s.id) {
          <span class="key" [class.dashed]="s.dashed" [style.border-color]="s.color"></span>{{ s.name }}
        }
        @for (b of bands(); track b.id) {
          <span class="key band" [style.background]="b.color"></span>{{ b.name }}
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
    svg {
      width: 100%;
      min-width: 520px;
      height: auto;
      display: block;
    }
    .grid {
      stroke: #e1e3e1;
    }
    .today {
      stroke: #747775;
      stroke-dasharray: 2 3;
    }
    .axis {
      font-size: 14px;
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
      width: 16px;
      height: 0;
      border-top: 3px solid;
      margin-left: 0.5rem;
    }
    .key.dashed {
      border-top-style: dashed;
    }
    .key.band {
      height: 10px;
      border: 0;
      opacity: 0.4;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TimeChart {
  readonly series = input.required<readonly TimeSeries[]>();
  readonly bands = input<readonly TimeBand[]>([]);
  /** Marks "today" on the time axis. */
  readonly today = input<string | undefined>(undefined);
  protected readonly W = W;
  protected readonly H = H;
  protected readonly M = M;

  protected readonly geometry = computed(() => {
    const series = this.series();
    const bands = this.bands();
    const today = this.today();
    const times = [...series.flatMap((s) => s.points.map((p) => ms(p.at))), ...bands.flatMap((b) => [ms(b.from.at), ms(b.to.at)]), ...(today ? [ms(today)] : [])].filter(
      Number.isFinite,
    );
    const values = [...series.flatMap((s) => s.points.map((p) => p.value)), ...bands.flatMap((b) => [b.from.value, b.to.low, b.to.high])];
    const t0 = times.length ? Math.min(...times) : Date.now();
    const t1 = times.length ? Math.max(...times, t0 + DAY) : t0 + DAY;
    const yTicks = niceTicks(Math.min(0, ...values), Math.max(1, ...values), 5);
    const y = linearScale([Math.min(0, yTicks[0] ?? 0), Math.max(yTicks[yTicks.length - 1] ?? 1, ...values)], [H - M.bottom, M.top]);
    const x = linearScale([t0, t1], [M.left, W - M.right]);
    const at = (p: TimePoint) => `${x(ms(p.at))},${y(p.value)}`;
    return {
      yTicks: yTicks.map((v) => ({ value: v, y: y(v), label: compactNumber(v) })),
      xTicks: timeTicks(t0, t1).map((t, i, all) => ({
        x: x(t),
        label: monthLabel(t, t1 - t0),
        anchor: all.length > 1 && i === 0 && x(t) - M.left < 20 ? 'start' : 'middle',
      })),
      series: series.map((s) => {
        const sorted = [...s.points].sort((a, b) => ms(a.at) - ms(b.at));
        return {
          id: s.id,
          color: s.color,
          dashed: s.dashed,
          line: s.style === 'points' || sorted.length < 2 ? null : sorted.map(at).join(' '),
          dots: s.style === 'line' ? [] : sorted.map((p) => ({ x: x(ms(p.at)), y: y(p.value), title: `${s.name}, ${p.at.slice(0, 10)}: ${formatNumber(p.value)}` })),
        };
      }),
      bands: bands.map((b) => ({
        id: b.id,
        color: b.color,
        line: `${at(b.from)} ${at(b.to)}`,
        polygon: `${at(b.from)} ${x(ms(b.to.at))},${y(b.to.high)} ${x(ms(b.to.at))},${y(b.to.low)}`,
        end: { x: x(ms(b.to.at)), y: y(b.to.value) },
        title: `${b.name}, ${b.to.at.slice(0, 10)}: ${formatNumber(b.to.value)} (${formatNumber(b.to.low)}–${formatNumber(b.to.high)})`,
      })),
      today: today ? x(ms(today)) : null,
    };
  });

  protected readonly summary = computed(() =>
    [
      ...this.series().map((s) => `${s.name}: ${s.points.map((p) => `${p.at.slice(0, 10)} ${formatNumber(p.value)}`).join(', ') || 'none'}`),
      ...this.bands().map((b) => `${b.name} ${formatNumber(b.to.value)} (${formatNumber(b.to.low)}–${formatNumber(b.to.high)}) by ${b.to.at.slice(0, 10)}`),
    ].join('. '),
  );
}

/** Month starts (or every n months / years) between t0 and t1: about six ticks. */
function timeTicks(t0: number, t1: number): number[] {
  const months = Math.max(1, (t1 - t0) / (30 * DAY));
  const step = [1, 2, 3, 6, 12, 24].find((s) => months / s <= 6) ?? 48;
  const start = new Date(t0);
  let d = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + (start.getUTCDate() > 1 ? 1 : 0), 1);
  const ticks: number[] = [];
  if (months < 1.5) {
    // Under six weeks: weekly ticks.
    for (let t = t0; t <= t1; t += 7 * DAY) ticks.push(t);
    return ticks;
  }
  while (d <= t1) {
    const m = new Date(d).getUTCMonth();
    if (m % step === 0 || step === 1) ticks.push(d);
    const next = new Date(d);
    next.setUTCMonth(next.getUTCMonth() + 1);
    d = next.getTime();
  }
  return ticks;
}

function monthLabel(t: number, span: number): string {
  const d = new Date(t);
  if (span < 45 * DAY) return d.toISOString().slice(5, 10);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return d.getUTCMonth() === 0 || span > 400 * DAY ? `${month} ${d.getUTCFullYear()}` : month;
}
