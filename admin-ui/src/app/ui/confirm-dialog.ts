import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialog, MatDialogModule } from '@angular/material/dialog';
import { firstValueFrom } from 'rxjs';

export interface ConfirmData {
  readonly title: string;
  readonly message: string;
  /** Consequences, one per line (e.g. each plugin a cascade changes). */
  readonly items?: readonly string[];
  readonly confirmLabel: string;
  readonly danger?: boolean;
}

/** A yes/no dialog that says what will happen before it happens. Focus starts on Cancel. */
@Component({
  selector: 'vv-confirm-dialog',
  imports: [MatDialogModule, MatButtonModule],
  template: `
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <mat-dialog-content>
      <p>{{ data.message }}</p>
      @if (data.items?.length) {
        <ul class="items">
          @for (item of data.items; track item) {
            <li>{{ item }}</li>
          }
        </ul>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button [mat-dialog-close]="false" cdkFocusInitial>Cancel</button>
      <button mat-flat-button [mat-dialog-close]="true" [class.danger]="data.danger">{{ data.confirmLabel }}</button>
    </mat-dialog-actions>
  `,
  styles: `
    .items {
      padding-left: 1.25rem;
    }
    .danger {
      --mat-button-filled-container-color: var(--vv-danger);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ConfirmDialog {
  protected readonly data = inject<ConfirmData>(MAT_DIALOG_DATA);
}

/** Opens a ConfirmDialog; resolves true when confirmed. */
export async function confirm(dialog: MatDialog, data: ConfirmData): Promise<boolean> {
  const ref = dialog.open<ConfirmDialog, ConfirmData, boolean>(ConfirmDialog, { data, width: 'min(480px, 92vw)', restoreFocus: true });
  return (await firstValueFrom(ref.afterClosed())) === true;
}
