import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { AdminApi, type Tenant } from '../../api/admin-api';
import { describeProblem, toProblem, type Problem } from '../../api/problem';
import { confirm } from '../../ui/confirm-dialog';
import { RequestState } from '../../ui/request-state';
import { applyServerErrors } from '../../ui/server-errors';

/** The value lifecycle, in the order a customer uses it: what a new tenant starts with unless the box is cleared. */
export const STARTER_PLUGINS = ['calculation', 'value-architect', 'value-committer', 'value-executor', 'value-amplifier'] as const;

/**
 * Platform admins: the tenants a page at a time (a deployment may hold 100,000), searched by id or name with the
 * search kept in the URL (`?q=`), a form to create one, suspend and reactivate.
 */
@Component({
  selector: 'vv-tenants-page',
  imports: [ReactiveFormsModule, RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule, RequestState],
  templateUrl: './tenants.page.html',
  styles: `
    .create {
      display: flex;
      flex-wrap: wrap;
      gap: 0 1rem;
      align-items: flex-start;
    }
    .create mat-form-field {
      flex: 1 1 220px;
    }
    .create button {
      margin-top: 0.6rem;
    }
    .create .starter {
      flex: 1 1 100%;
      display: flex;
      gap: 0.5rem;
      align-items: flex-start;
      margin: 0.25rem 0 0.5rem;
    }
    .search {
      display: flex;
      flex-wrap: wrap;
      gap: 0 1rem;
      align-items: center;
      margin-top: 1rem;
    }
    .search mat-form-field {
      flex: 1 1 260px;
    }
    .more {
      margin: 1rem 0;
    }
    .actions {
      white-space: nowrap;
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
export class TenantsPage {
  private readonly admin = inject(AdminApi);
  private readonly dialog = inject(MatDialog);
  private readonly fb = inject(NonNullableFormBuilder);

  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);

  protected readonly searchForm = this.fb.group({ q: ['', Validators.maxLength(200)] });
  /** The search the list shows (from the URL). */
  protected readonly query = signal('');
  protected readonly items = signal<readonly Tenant[]>([]);
  protected readonly nextCursor = signal<string | undefined>(undefined);
  protected readonly loading = signal(false);
  protected readonly loaded = signal(false);
  protected readonly listProblem = signal<Problem | undefined>(undefined);
  private generation = 0;
  protected readonly creating = signal(false);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly busyId = signal<string | undefined>(undefined);

  protected readonly form = this.fb.group({
    id: ['', [Validators.required, Validators.pattern(/^[a-z0-9][a-z0-9-]{1,62}$/)]],
    name: ['', [Validators.required, Validators.maxLength(120)]],
  });
  /** Whether a new tenant starts with the starter plugin set on (STARTER_PLUGINS that this deployment has). */
  protected readonly starter = signal(true);

  constructor() {
    // The URL is the source of truth: searching navigates, and every navigation loads the first page.
    this.route.queryParamMap.pipe(takeUntilDestroyed()).subscribe((params) => {
      const q = params.get('q') ?? '';
      this.searchForm.setValue({ q });
      this.query.set(q);
      void this.load(false);
    });
  }

  protected find(): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: { q: this.searchForm.getRawValue().q.trim() || null } });
  }

  protected clearSearch(): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: {} });
  }

  protected async load(more: boolean): Promise<void> {
    const generation = ++this.generation;
    this.loading.set(true);
    this.listProblem.set(undefined);
    try {
      const page = await this.admin.tenants({ q: this.query(), cursor: more ? this.nextCursor() : undefined });
      if (generation !== this.generation) return;
      this.items.set(more ? [...this.items(), ...page.items] : page.items);
      this.nextCursor.set(page.nextCursor ?? undefined);
      this.loaded.set(true);
    } catch (error) {
      if (generation !== this.generation) return;
      this.listProblem.set(toProblem(error));
      if (!more) {
        this.items.set([]);
        this.loaded.set(false);
      }
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }

  /** After a change: the pages shown so far again (a suspended tenant keeps its place). */
  private async reloadShown(): Promise<void> {
    const shown = this.items().length;
    await this.load(false);
    while (this.items().length < shown && this.nextCursor() && !this.listProblem()) await this.load(true);
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
      if (this.starter()) await this.enableStarterSet(tenant);
      void this.reloadShown();
    } catch (error) {
      const problem = toProblem(error);
      const unmatched = applyServerErrors(this.form, problem.errors);
      this.error.set(problem.status === 409 ? 'A tenant with that id already exists.' : unmatched.length ? unmatched.join(' ') : describeProblem(problem));
    } finally {
      this.creating.set(false);
    }
  }

  /** Turns on the starter plugins this deployment has, in order (each with the plugins it requires). */
  private async enableStarterSet(tenant: Tenant): Promise<void> {
    const available = new Map((await this.admin.tenantPlugins(tenant.id)).items.map((p) => [p.pluginId, p]));
    const enabled: string[] = [];
    const failed: string[] = [];
    for (const id of STARTER_PLUGINS) {
      const plugin = available.get(id);
      if (!plugin) continue;
      try {
        await this.admin.changePlugin(tenant.id, id, { enabled: true }, { cascade: true });
        enabled.push(plugin.displayName);
      } catch (error) {
        failed.push(`${plugin.displayName} (${describeProblem(toProblem(error))})`);
      }
    }
    this.message.set(`Tenant “${tenant.name}” created${enabled.length ? ` with ${enabled.join(', ')} on` : ''}.`);
    if (failed.length) this.error.set(`Could not turn on: ${failed.join('; ')}. Turn them on from the tenant's page.`);
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
      void this.reloadShown();
    } catch (error) {
      this.error.set(describeProblem(toProblem(error)));
    } finally {
      this.busyId.set(undefined);
    }
  }
}
