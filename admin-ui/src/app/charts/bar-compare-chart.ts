import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { formatMoney } from '../ui/format';

export interface BarPair {
  readonly label: string;
  /** The plan: the committed value. */
  readonly planned: number;
  /** What was realized so far. */
  readonly actual: number;
  /** Status colour of the realized bar: ok, warn, danger. */
  readonly tone?: 'ok' | 'warn' | 'danger' | 'neutral';
}

/**
 * Planned against actual per row (committed vs realized per commitment): HTML bars, not SVG, so labels wrap and
 * stay legible on a phone.
 */
@Component({
  selector: 'vv-bar-compare-chart',
  template: `
    <ul class="rows" role="list" [attr.aria-label]="summary()">
      @for (r of rows(); track $index) {
        <li>
          <div class="label">
            <span>{{ r.label }}</span><span class="figures">{{ r.actualText }} of {{ r.plannedText }}</span>
          </div>
          <div class="track" aria-hidden="true">
            <span class="planned" [style.width.%]="r.plannedPct"></span>
            <span class="actual" [attr.data-tone]="r.tone" [style.width.%]="r.actualPct"></span>
          </div>
        </li>
      }
    </ul>
  `,
  styles: `
    .rows {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      gap: 0.75rem;
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
      margin-top: 0.25rem;
    }
    .track span {
      position: absolute;
      left: 0;
      top: 0;
      bottom: 0;
      border-radius: 3px;
    }
    .planned {
      background: var(--vv-border);
    }
    .actual {
      top: 3px !important;
      bottom: 3px !important;
      background: var(--vv-status-ok);
    }
    .actual[data-tone='warn'] {
      background: var(--vv-status-warn);
    }
    .actual[data-tone='danger'] {
      background: var(--vv-status-danger);
    }
    .actual[data-tone='neutral'] {
      background: var(--vv-status-neutral);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BarCompareChart {
  readonly pairs = input.required<readonly BarPair[]>();
  readonly currency = input('USD');

  protected readonly rows = computed(() => {
    const max = Math.max(1, ...this.pairs().flatMap((p) => [p.planned, p.actual]));
    return this.pairs().map((p) => ({
      label: p.label,
      tone: p.tone ?? 'ok',
      plannedPct: (Math.max(0, p.planned) / max) * 100,
      actualPct: (Math.max(0, p.actual) / max) * 100,
      plannedText: formatMoney(p.planned, this.currency(), { compact: true }),
      actualText: formatMoney(p.actual, this.currency(), { compact: true }),
    }));
  });

  protected readonly summary = computed(() =>
    this.rows()
      .map((r) => `${r.label}: ${r.actualText} realized of ${r.plannedText} committed`)
      .join('; '),
  );
}
