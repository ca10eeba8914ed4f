import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { formatMoney } from '../ui/format';

export interface WaterfallStep {
  readonly label: string;
  /** A change (gain or loss) from the running total; or, with `total`, the running total itself. */
  readonly value: number;
  /** Drawn from zero: the start and the end of the walk. */
  readonly total?: boolean;
}

/**
 * A value walk, e.g. committed value → each driver's gap → value at current actuals. Horizontal HTML bars, so
 * labels wrap and stay legible on a phone; gains green, losses red, totals blue.
 */
@Component({
  selector: 'vv-waterfall-chart',
  template: `
    <ol class="steps" [attr.aria-label]="summary()">
      @for (s of rows(); track $index) {
        <li>
          <div class="label">
            <span>{{ s.label }}</span><span class="figure" [attr.data-kind]="s.kind">{{ s.text }}</span>
          </div>
          <div class="track" aria-hidden="true">
            <span class="bar" [attr.data-kind]="s.kind" [style.left.%]="s.left" [style.width.%]="s.width"></span>
          </div>
        </li>
      }
    </ol>
  `,
  styles: `
    .steps {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      gap: 0.6rem;
    }
    .label {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      gap: 0 1rem;
      font-size: 0.9rem;
    }
    .figure {
      font-variant-numeric: tabular-nums;
      font-weight: 500;
    }
    .figure[data-kind='gain'] {
      color: var(--vv-ok);
    }
    .figure[data-kind='loss'] {
      color: var(--vv-danger);
    }
    .track {
      position: relative;
      height: 14px;
      margin-top: 0.2rem;
      background: #f1f3f4;
      border-radius: 3px;
    }
    .bar {
      position: absolute;
      top: 0;
      bottom: 0;
      min-width: 2px;
      border-radius: 3px;
    }
    .bar[data-kind='total'] {
      background: var(--vv-primary);
    }
    .bar[data-kind='gain'] {
      background: var(--vv-status-ok);
    }
    .bar[data-kind='loss'] {
      background: var(--vv-status-danger);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WaterfallChart {
  readonly steps = input.required<readonly WaterfallStep[]>();
  readonly currency = input('USD');

  protected readonly rows = computed(() => {
    let running = 0;
    const spans = this.steps().map((s) => {
      const from = s.total ? 0 : running;
      const to = s.total ? s.value : running + s.value;
      running = to;
      return { s, from, to };
    });
    const lo = Math.min(0, ...spans.flatMap((x) => [x.from, x.to]));
    const hi = Math.max(1, ...spans.flatMap((x) => [x.from, x.to]));
    const pct = (v: number) => ((v - lo) / (hi - lo)) * 100;
    return spans.map(({ s, from, to }) => {
      const kind = s.total ? 'total' : s.value < 0 ? 'loss' : 'gain';
      const text = s.total ? formatMoney(s.value, this.currency()) : `${s.value > 0 ? '+' : ''}${formatMoney(s.value, this.currency())}`;
      return { label: s.label, kind, text, left: pct(Math.min(from, to)), width: Math.abs(pct(to) - pct(from)) };
    });
  });

  protected readonly summary = computed(() =>
    this.rows()
      .map((r) => `${r.label} ${r.text}`)
      .join(', '),
  );
}
