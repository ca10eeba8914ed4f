import { ChangeDetectionStrategy, Component, effect, inject, input, resource, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router, RouterLink } from '@angular/router';
import { AdminApi } from '../../api/admin-api';
import { describeProblem, toProblem } from '../../api/problem';
import { SessionService } from '../../session/session.service';
import { confirm } from '../../ui/confirm-dialog';
import { RequestState } from '../../ui/request-state';
import { applyServerErrors } from '../../ui/server-errors';
import { TenantPlugins } from '../plugins/tenant-plugins';

/** One tenant: rename, suspend or reactivate, delete (platform admins), and its plugins (tenant admins too). */
@Component({
  selector: 'vv-tenant-page',
  imports: [ReactiveFormsModule, RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule, RequestState, TenantPlugins],
  templateUrl: './tenant.page.html',
  styles: `
    .head {
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem;
      align-items: baseline;
    }
    .head h1 {
      margin-bottom: 0.25rem;
    }
    .rename {
      display: flex;
      flex-wrap: wrap;
      gap: 0 1rem;
      align-items: flex-start;
    }
    .rename mat-form-field {
      flex: 1 1 260px;
    }
    .rename button {
      margin-top: 0.6rem;
    }
    .danger-zone {
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem;
    }
    .status-msg {
      color: var(--vv-ok);
    }
    .error {
      color: var(--vv-danger);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TenantPage {
  private readonly admin = inject(AdminApi);
  private readonly dialog = inject(MatDialog);
  private readonly router = inject(Router);
  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly session = inject(SessionService);

  /** Route parameter (component input binding). */
  readonly tenantId = input.required<string>();

  protected readonly tenant = resource({ params: () => this.tenantId(), loader: ({ params }) => this.admin.tenant(params) });
  protected readonly busy = signal(false);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly rename = this.fb.group({ name: ['', [Validators.required, Validators.maxLength(120)]] });

  constructor() {
    effect(() => {
      if (this.tenant.hasValue()) this.rename.setValue({ name: this.tenant.value().name });
    });
  }

  protected problem() {
    const e = this.tenant.error();
    return e ? toProblem(e) : undefined;
  }

  protected async saveName(): Promise<void> {
    if (this.rename.invalid) {
      this.rename.markAllAsTouched();
      return;
    }
    await this.run(async () => {
      await this.admin.updateTenant(this.tenantId(), { name: this.rename.getRawValue().name });
      this.message.set('Name saved.');
      this.tenant.reload();
    });
  }

  protected async setStatus(status: 'active' | 'suspended'): Promise<void> {
    const t = this.tenant.value();
    if (!t) return;
    if (status === 'suspended') {
      const ok = await confirm(this.dialog, {
        title: `Suspend ${t.name}?`,
        message: 'Its users can no longer sign in or call the API until the tenant is reactivated. Its data is kept.',
        confirmLabel: 'Suspend',
        danger: true,
      });
      if (!ok) return;
    }
    await this.run(async () => {
      await this.admin.updateTenant(t.id, { status });
      this.message.set(status === 'active' ? 'The tenant is active again.' : 'The tenant is suspended.');
      this.tenant.reload();
    });
  }

  protected async remove(): Promise<void> {
    const t = this.tenant.value();
    if (!t) return;
    const ok = await confirm(this.dialog, {
      title: `Delete ${t.name}?`,
      message: `The tenant “${t.id}”, its memberships and its plugin settings are deleted. This cannot be undone.`,
      confirmLabel: 'Delete tenant',
      danger: true,
    });
    if (!ok) return;
    await this.run(async () => {
      await this.admin.deleteTenant(t.id);
      await this.router.navigate(['/admin/tenants']);
    });
  }

  private async run(work: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.message.set(undefined);
    this.error.set(undefined);
    try {
      await work();
    } catch (error) {
      const problem = toProblem(error);
      const unmatched = applyServerErrors(this.rename, problem.errors);
      this.error.set(unmatched.length ? unmatched.join(' ') : describeProblem(problem));
    } finally {
      this.busy.set(false);
    }
  }
}
