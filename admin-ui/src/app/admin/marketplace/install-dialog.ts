import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MAT_DIALOG_DATA, MatDialog, MatDialogModule } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { firstValueFrom } from 'rxjs';
import { permissionsNeedingApproval } from './permissions-needing-approval';

/** A version the admin may choose, with what the registry says about it (unknown fields are left out). */
export interface VersionChoice {
  readonly version: string;
  /** What the plugin asks for; undefined when not known (no registry details). */
  readonly permissions?: readonly string[];
  readonly signerKeyId?: string;
  readonly trusted?: boolean;
  readonly kernel?: string;
  readonly yanked?: boolean;
  /** A note beside the version in the list: "installed", "previous". */
  readonly note?: string;
}

export interface InstallDialogData {
  readonly title: string;
  readonly pluginId: string;
  readonly pluginName: string;
  readonly versions: readonly VersionChoice[];
  /** The version selected at first. */
  readonly version: string;
  readonly confirmLabel: string;
  /** Shown above the versions: what this step does (e.g. "Rolling back runs the down migrations…"). */
  readonly explanation?: string;
}

export interface InstallDecision {
  readonly version: string;
  /** The permissions the admin approved that the kernel needs approved (`approvePermissions`). */
  readonly approvePermissions: string[];
}

/**
 * Install, upgrade or roll back: the admin picks a version, reads the permissions it asks for and who signed it, and
 * approves them before anything is sent. Permissions outside the plugin's namespace are marked: those are the ones
 * the kernel refuses unless approved.
 */
@Component({
  selector: 'vv-install-dialog',
  imports: [MatDialogModule, MatButtonModule, MatCheckboxModule, MatFormFieldModule, MatInputModule],
  template: `
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <mat-dialog-content>
      @if (data.explanation) {
        <p>{{ data.explanation }}</p>
      }
      @if (data.versions.length > 1) {
        <mat-form-field appearance="outline" class="version">
          <mat-label>Version</mat-label>
          <select matNativeControl [value]="version()" (change)="choose($any($event.target).value)">
            @for (v of data.versions; track v.version) {
              <option [value]="v.version" [selected]="v.version === version()">{{ v.version }}{{ v.note ? ' (' + v.note + ')' : '' }}{{ v.yanked ? ' (yanked)' : '' }}</option>
            }
          </select>
        </mat-form-field>
      } @else if (version()) {
        <p>
          Version <strong>{{ version() }}</strong>{{ choice()?.note ? ' (' + choice()?.note + ')' : '' }}
        </p>
      }
      @if (choice(); as c) {
        @if (c.signerKeyId) {
          <p class="signer">
            Signed by key <code>{{ c.signerKeyId }}</code>
            @if (c.trusted) {
              &ngsp;<span class="vv-badge ok">trusted</span>
            } @else {
              &ngsp;<span class="vv-badge danger">not trusted</span>
            }
          </p>
          @if (!c.trusted) {
            <p class="warn" role="note">This deployment does not trust that key: the install will be refused until the key is added under Trusted keys.</p>
          }
        }
        @if (c.kernel) {
          <p class="muted">Needs kernel {{ c.kernel }}</p>
        }
        <h3 id="permissions-title">Permissions it asks for</h3>
        @if (c.permissions === undefined) {
          <p class="muted">
            The registry's details are not available here, so the permissions are not known yet. If the plugin needs any approved, the server names them and you are asked again.
          </p>
        } @else if (c.permissions.length === 0) {
          <p>None.</p>
        } @else {
          <ul class="permissions" aria-labelledby="permissions-title">
            @for (p of c.permissions; track p) {
              <li>
                <code>{{ p }}</code>
                @if (needsApproval().includes(p)) {
                  &ngsp;<span class="vv-badge warn">outside its namespace</span>
                }
              </li>
            }
          </ul>
          <mat-checkbox [checked]="approved()" (change)="approved.set($event.checked)">I approve these permissions for {{ data.pluginName }}</mat-checkbox>
        }
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button [mat-dialog-close]="undefined" cdkFocusInitial>Cancel</button>
      <button mat-flat-button [mat-dialog-close]="decision()" [disabled]="!canConfirm()">{{ data.confirmLabel }}</button>
    </mat-dialog-actions>
  `,
  styles: `
    .version {
      width: 100%;
    }
    .permissions {
      padding-left: 1.25rem;
    }
    .permissions li {
      margin: 0.25rem 0;
      overflow-wrap: anywhere;
    }
    .muted {
      color: var(--vv-muted);
    }
    .warn {
      color: var(--vv-warn);
      background: var(--vv-warn-bg);
      padding: 0.5rem 0.75rem;
      border-radius: var(--vv-radius);
    }
    code {
      overflow-wrap: anywhere;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class InstallDialog {
  protected readonly data = inject<InstallDialogData>(MAT_DIALOG_DATA);
  protected readonly version = signal(this.data.version);
  protected readonly approved = signal(false);
  protected readonly choice = computed(() => this.data.versions.find((v) => v.version === this.version()));
  protected readonly needsApproval = computed(() => permissionsNeedingApproval(this.data.pluginId, this.choice()?.permissions ?? []));
  /** Nothing to approve, or approved. */
  protected readonly canConfirm = computed(() => !(this.choice()?.permissions?.length ?? 0) || this.approved());
  protected readonly decision = computed<InstallDecision>(() => ({ version: this.version(), approvePermissions: this.approved() ? this.needsApproval() : [] }));

  protected choose(version: string): void {
    this.version.set(version);
    // Another version may ask for other permissions: approve again.
    this.approved.set(false);
  }
}

/** Opens an InstallDialog; resolves with the admin's decision, or undefined when cancelled. */
export async function chooseInstall(dialog: MatDialog, data: InstallDialogData): Promise<InstallDecision | undefined> {
  const ref = dialog.open<InstallDialog, InstallDialogData, InstallDecision | undefined>(InstallDialog, { data, width: 'min(560px, 94vw)', restoreFocus: true });
  return (await firstValueFrom(ref.afterClosed())) ?? undefined;
}
