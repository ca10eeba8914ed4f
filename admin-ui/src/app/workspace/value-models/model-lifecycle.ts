import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem } from '../../api/problem';
import { confirm } from '../../ui/confirm-dialog';

/** What the lifecycle actions need of a saved model. */
export interface LifecycleModel {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly version: number;
}

/**
 * A saved model's lifecycle from the list: publish a draft, archive, bring an archived one back as a draft, delete
 * after confirming. Status changes are a PUT naming the version the page saw (a stale one is refused, not merged).
 */
@Component({
  selector: 'vv-model-lifecycle',
  template: `
    <span class="actions">
      @if (model().status === 'draft') {
        <button type="button" class="secondary" (click)="setStatus('published')" [disabled]="busy()" [attr.aria-label]="'Publish ' + model().name">Publish</button>
      }
      @if (model().status !== 'archived') {
        <button type="button" class="secondary" (click)="setStatus('archived')" [disabled]="busy()" [attr.aria-label]="'Archive ' + model().name">Archive</button>
      } @else {
        <button type="button" class="secondary" (click)="setStatus('draft')" [disabled]="busy()" [attr.aria-label]="'Restore ' + model().name + ' as a draft'">Restore</button>
      }
      <button type="button" class="secondary" (click)="remove()" [disabled]="busy()" [attr.aria-label]="'Delete ' + model().name">Delete</button>
    </span>
    @if (error(); as e) {
      <span class="error" role="alert">{{ e }}</span>
    }
  `,
  styles: `
    .actions {
      display: inline-flex;
      flex-wrap: wrap;
      gap: 0.4rem;
    }
    .secondary {
      font: inherit;
      padding: 0.2rem 0.8rem;
      border-radius: 999px;
      border: 1px solid var(--vv-border);
      background: var(--vv-surface);
      color: var(--vv-primary);
      cursor: pointer;
    }
    .error {
      display: block;
      color: var(--vv-danger);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ModelLifecycle {
  readonly model = input.required<LifecycleModel>();
  /** The model changed or is gone: the list reloads. */
  readonly changed = output<string>();

  private readonly api = inject(ApiClient);
  private readonly dialog = inject(MatDialog);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | undefined>(undefined);

  protected async setStatus(status: 'draft' | 'published' | 'archived'): Promise<void> {
    const m = this.model();
    if (status === 'archived') {
      const ok = await confirm(this.dialog, {
        title: `Archive ${m.name}?`,
        message: 'It leaves the working lists; commitments made from it keep their copy. You can restore it later.',
        confirmLabel: 'Archive',
      });
      if (!ok) return;
    }
    const verb = status === 'published' ? 'published' : status === 'archived' ? 'archived' : 'restored as a draft';
    await this.run(() => this.api.put(`/api/v1/value-models/${encodeURIComponent(m.id)}`, { status, version: m.version }), `${m.name} was ${verb}.`);
  }

  protected async remove(): Promise<void> {
    const m = this.model();
    const ok = await confirm(this.dialog, {
      title: `Delete ${m.name}?`,
      message: 'The model and all its versions are deleted for good. Commitments made from it keep their own copy.',
      confirmLabel: 'Delete model',
      danger: true,
    });
    if (!ok) return;
    await this.run(() => this.api.delete(`/api/v1/value-models/${encodeURIComponent(m.id)}`), `${m.name} was deleted.`);
  }

  private async run(work: () => Promise<unknown>, done: string): Promise<void> {
    this.busy.set(true);
    this.error.set(undefined);
    try {
      await work();
      this.changed.emit(done);
    } catch (e) {
      this.error.set(describeProblem(toProblem(e)));
    } finally {
      this.busy.set(false);
    }
  }
}
