import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { TornadoBar } from '../workspace/calculation-api';
import { formatMoney, formatNumber } from '../ui/format';

/**
 * A tornado: how far NPV moves when each driver alone goes to its low and its high value, widest first, centred
 * on the base case. HTML bars, so labels wrap and stay legible on a phone.
 */
@Component({
  selector: 'vv-tornado-chart',
  template: `
    <ol class="bars" [attr.aria-label]="summary()">
      @for (b of rows(); track b.driver) {
        <li>
          <div class="label">
            <span>{{ b.label }}</span>
            <span class="figures">{{ b.lowText }} … {{ b.highText }}</span>
          </div>
          <div class="track" aria-hidden="true">
            <span class="base"></span>
            <span class="bar down" [style.left.%]="b.downLeft" [style.width.%]="b.downWidth"></span>
            <span class="bar up" [style.left.%]="b.upLeft" [style.width.%]="b.upWidth"></span>
          </div>
          <div class="inputs" aria-hidden="true">
            <span>{{ b.lowInput }}</span><span>{{ b.highInput }}</span>
          </div>
        </li>
      }
    </ol>
    <p class="key"><span class="swatch down"></span>lowers NPV <span class="swatch up"></span>raises NPV · base case {{ baseText() }}</p>
  `,
  styles: `
    .bars {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      gap: 0.7rem;
    }
    .label {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      gap: 0 1rem;
      font-size: 0.9rem;
    }
    .figures {
      color: var(--vv-muted);
      font-variant-numeric: tabular-nums;
    }
    .track {
      position: relative;
      height: 14px;
      margin-top: 0.2rem;
    }
    .base {
      position: absolute;
      left: 50%;
      top: -3px;
      bottom: -3px;
      border-left: 2px solid var(--vv-text);
    }
    .bar {
      position: absolute;
      top: 0;
      bottom: 0;
      min-width: 1px;
    }
    .down,
    .swatch.down {
      background: var(--vv-status-danger);
    }
    .up,
    .swatch.up {
      background: var(--vv-status-ok);
    }
    .inputs {
      display: flex;
      justify-content: space-between;
      font-size: 0.8rem;
      color: var(--vv-muted);
    }
    .key {
      font-size: 0.85rem;
      color: var(--vv-muted);
    }
    .swatch {
      display: inline-block;
      width: 12px;
      height: 12px;
      margin: 0 0.25rem 0 0.5rem;
      vertical-align: -1px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TornadoChart {
  readonly bars = input.required<readonly TornadoBar[]>();
  readonly base = input.required<number>();
  readonly currency = input('USD');
  /** Friendly driver names (the model's descriptions), by driver key. */
  readonly labels = input<Readonly<Record<string, string>>>({});
  /** The widest bars only: a long tail says little. */
  readonly limit = input(8);

  protected readonly baseText = computed(() => formatMoney(this.base(), this.currency(), { compact: true }));

  protected readonly rows = computed(() => {
    const base = this.base();
    const bars = this.bars()
      .filter((b) => b.low.value !== null && b.high.value !== null)
      .slice(0, this.limit());
    const reach = Math.max(1, ...bars.flatMap((b) => [Math.abs(b.low.value! - base), Math.abs(b.high.value! - base)]));
    // Half the track each way from the base case.
    const at = (v: number) => 50 + ((v - base) / reach) * 50;
    return bars.map((b) => {
      const values = [b.low.value!, b.high.value!];
      const min = Math.min(...values, base);
      const max = Math.max(...values, base);
      const unit = b.unit ? ` ${b.unit}` : '';
      return {
        driver: b.driver,
        label: this.labels()[b.driver] ?? b.driver,
        lowText: formatMoney(b.low.value, this.currency(), { compact: true }),
        highText: formatMoney(b.high.value, this.currency(), { compact: true }),
        lowInput: `${formatNumber(b.low.input)}${unit}`,
        highInput: `${formatNumber(b.high.input)}${unit}`,
        downLeft: at(min),
        downWidth: at(base) - at(min),
        upLeft: at(base),
        upWidth: at(max) - at(base),
      };
    });
  });

  protected readonly summary = computed(
    () =>
      `NPV sensitivity, base case ${this.baseText()}: ` +
      this.rows()
        .map((r) => `${r.label} from ${r.lowText} to ${r.highText}`)
        .join('; '),
  );
}
