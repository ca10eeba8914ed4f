import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, input, resource, signal, viewChild } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatDialog } from '@angular/material/dialog';
import { RouterLink } from '@angular/router';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem } from '../../api/problem';
import { confirm } from '../../ui/confirm-dialog';
import { RequestState } from '../../ui/request-state';
import { applyServerErrors } from '../../ui/server-errors';
import { TENANT_ROLES, roleLabel, type TenantRole } from '../members/members.page';

/** GET …/api-keys item: never the key itself. */
interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly role: TenantRole;
  readonly prefix: string;
  readonly createdAt: string;
  readonly revokedAt?: string | null;
}

/**
 * A tenant's API keys: create one with a name and a role (the key is shown once, in the creation answer only),
 * list them by name and prefix, revoke one after confirming (it stops working on every instance at once).
 */
@Component({
  selector: 'vv-api-keys-page',
  imports: [ReactiveFormsModule, RouterLink, DatePipe, RequestState],
  templateUrl: './api-keys.page.html',
  styleUrl: '../self-service.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ApiKeysPage {
  readonly tenantId = input.required<string>();

  private readonly api = inject(ApiClient);
  private readonly dialog = inject(MatDialog);
  private readonly fb = inject(NonNullableFormBuilder);
  private readonly createdBox = viewChild<ElementRef<HTMLElement>>('createdBox');
  protected readonly roles = TENANT_ROLES;
  protected readonly roleLabel = roleLabel;

  private readonly base = computed(() => `/api/v1/admin/tenants/${encodeURIComponent(this.tenantId())}/api-keys`);
  protected readonly keys = resource({
    params: () => this.base(),
    loader: async ({ params, abortSignal }) => (await this.api.get<{ items: ApiKey[] }>(params, undefined, abortSignal)).items,
  });
  protected readonly live = computed(() => (this.keys.hasValue() ? this.keys.value().filter((k) => !k.revokedAt) : []));
  protected readonly revoked = computed(() => (this.keys.hasValue() ? this.keys.value().filter((k) => !!k.revokedAt) : []));
  protected readonly problem = computed(() => (this.keys.error() ? toProblem(this.keys.error()) : undefined));

  /** The key just created: held only in this page's memory until dismissed. */
  protected readonly created = signal<{ name: string; key: string } | undefined>(undefined);
  protected readonly copied = signal(false);
  protected readonly busy = signal(false);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);

  protected readonly form = this.fb.group({
    name: ['', [Validators.required, Validators.maxLength(120)]],
    role: ['member' as TenantRole, Validators.required],
  });

  protected async create(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    await this.run(async () => {
      const answer = await this.api.post<ApiKey & { key: string }>(this.base(), this.form.getRawValue());
      this.created.set({ name: answer.name, key: answer.key });
      this.copied.set(false);
      this.form.reset({ name: '', role: 'member' });
      this.keys.reload();
      setTimeout(() => this.createdBox()?.nativeElement.focus());
    });
  }

  protected async copy(key: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(key);
      this.copied.set(true);
    } catch {
      this.error.set('The browser did not allow copying: select the key and copy it by hand.');
    }
  }

  protected dismiss(): void {
    this.created.set(undefined);
  }

  protected async revoke(key: ApiKey): Promise<void> {
    const ok = await confirm(this.dialog, {
      title: `Revoke "${key.name}"?`,
      message: `Requests with the key starting ${key.prefix} are refused from now on. This cannot be undone.`,
      confirmLabel: 'Revoke key',
      danger: true,
    });
    if (!ok) return;
    await this.run(async () => {
      await this.api.delete(`${this.base()}/${encodeURIComponent(key.id)}`);
      this.message.set(`"${key.name}" was revoked.`);
      this.keys.reload();
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
      const unmatched = applyServerErrors(this.form, problem.errors);
      if (unmatched.length > 0 || problem.errors.length === 0) this.error.set(describeProblem(problem));
    } finally {
      this.busy.set(false);
    }
  }
}
