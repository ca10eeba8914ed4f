import { ChangeDetectionStrategy, Component, inject, resource, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { RouterLink } from '@angular/router';
import { AdminApi, type Tenant } from '../../api/admin-api';
import { describeProblem, toProblem } from '../../api/problem';
import { confirm } from '../../ui/confirm-dialog';
import { RequestState } from '../../ui/request-state';
import { applyServerErrors } from '../../ui/server-errors';

/** Platform admins: every tenant, a form to create one, suspend and reactivate. */
@Component({
  selector: 'vv-tenants-page',
  imports: [ReactiveFormsModule, RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule, RequestState],
  templateUrl: './tenants.page.html',
  styles: `
    .create { display: flex; flex-wrap: wrap; gap: 0 1rem; align-items: flex-start; }
    .create mat-form-field { flex: 1 1 220px; }
    .create button { margin-top: 0.6rem; }
    .actions { white-space: nowrap; }
    .status-msg { color: var(--vv-ok); }
    .error { color: var(--vv-danger); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TenantsPage {
  private readonly admin = inject(AdminApi);
  private readonly dialog = inject(MatDialog);
  private readonly fb = inject(NonNullableFormBuilder);

  protected readonly tenants = resource({ loader: () => this.admin.tenants().then((r) => r.items) });
  protected readonly creating = signal(false);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly busyId = signal<string | undefined>(undefined);

  protected readonly form = this.fb.group({
    id: ['', [Validators.required, Validators.pattern(/^[a-z0-9][a-z0-9-]{1,62}$/)]],
    name: ['', [Validators.required, Validators.maxLength(120)]],
  });

  protected problem() {
    const e = this.tenants.error();
    return e ? toProblem(e) : undefined;
  }

  protected async create(): Promise<void> {
    this.message.set(undefined);
    this.error.set(undefined);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.creating.set(true);
    try {
      const tenant = await this.admin.createTenant(this.form.getRawValue());
      this.form.reset();
      this.message.set(`Tenant “${tenant.name}” created.`);
      this.tenants.reload();
    } catch (error) {
      const problem = toProblem(error);
      const unmatched = applyServerErrors(this.form, problem.errors);
      this.error.set(problem.status === 409 ? 'A tenant with that id already exists.' : unmatched.length ? unmatched.join(' ') : describeProblem(problem));
    } finally {
      this.creating.set(false);
    }
  }

  protected async setStatus(tenant: Tenant, status: 'active' | 'suspended'): Promise<void> {
    if (status === 'suspended') {
      const ok = await confirm(this.dialog, {
        title: `Suspend ${tenant.name}?`,
        message: 'Its users can no longer sign in or call the API until the tenant is reactivated. Its data is kept.',
        confirmLabel: 'Suspend',
        danger: true,
      });
      if (!ok) return;
    }
    this.busyId.set(tenant.id);
    this.message.set(undefined);
    this.error.set(undefined);
    try {
      await this.admin.updateTenant(tenant.id, { status });
      this.message.set(`${tenant.name} is ${status === 'active' ? 'active again' : 'suspended'}.`);
      this.tenants.reload();
    } catch (error) {
      this.error.set(describeProblem(toProblem(error)));
    } finally {
      this.busyId.set(undefined);
    }
  }
}
