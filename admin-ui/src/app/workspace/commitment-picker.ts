import { ChangeDetectionStrategy, Component, input, model } from '@angular/core';
import type { Commitment } from './lifecycle-data';

/** Chooses one commitment of the tenant (realization and amplify work per commitment). */
@Component({
  selector: 'vv-commitment-picker',
  template: `
    <label>
      Commitment
      <select (change)="selected.set($any($event.target).value)">
        @for (c of commitments(); track c.id) {
          <!-- [selected] per option, not [value] on the select: the select's value is set before its options exist,
               so a choice other than the first (a ?commitment= deep link) would show the first commitment. -->
          <option [value]="c.id" [selected]="c.id === selected()">{{ c.title }} ({{ c.status }})</option>
        }
      </select>
    </label>
  `,
  styles: `
    label {
      display: inline-flex;
      gap: 0.5rem;
      align-items: center;
    }
    select {
      font: inherit;
      padding: 0.3rem 0.5rem;
      border: 1px solid var(--vv-border);
      border-radius: 6px;
      background: var(--vv-surface);
      max-width: 60vw;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CommitmentPicker {
  readonly commitments = input.required<readonly Commitment[]>();
  readonly selected = model<string | undefined>(undefined);
}
