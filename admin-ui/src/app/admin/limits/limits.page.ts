import { ChangeDetectionStrategy, Component, computed, inject, input, resource, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem } from '../../api/problem';
import { SessionService } from '../../session/session.service';
import { RequestState } from '../../ui/request-state';

type Settings = Readonly<Record<string, unknown>>;
interface Bucket {
  readonly perSecond?: number;
  readonly burst?: number;
}

/** What the page shows: the tenant's settings and how much of each quota is used. */
interface Limits {
  readonly name: string;
  readonly settings: Settings;
  readonly members: number;
  readonly liveKeys: number;
}

const quotas = (s: Settings) => (s['quotas'] ?? {}) as { maxUsers?: number; maxApiKeys?: number };
const rateLimits = (s: Settings) => (s['rateLimits'] ?? {}) as { tenant?: Bucket; apiKey?: Bucket };
/** A form field's number, or undefined when left empty (no quota; the deployment's default rate). */
const numberOrUndefined = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));
const text = (value: number | undefined) => (value === undefined ? '' : String(value));
const WHOLE = Validators.pattern(/^\s*\d*\s*$/);

/**
 * A tenant's quotas (`settings.quotas.maxUsers|maxApiKeys`) with what is used of each, and its request rate limits
 * (`settings.rateLimits.tenant|apiKey = {perSecond, burst}`). Tenant admins read them; the operator (platform
 * admin) changes them here — an empty field means no quota, or the deployment's default rate.
 */
@Component({
  selector: 'vv-limits-page',
  imports: [ReactiveFormsModule, RouterLink, RequestState],
  templateUrl: './limits.page.html',
  styleUrl: '../self-service.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LimitsPage {
  readonly tenantId = input.required<string>();

  private readonly api = inject(ApiClient);
  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly session = inject(SessionService);

  private readonly base = computed(() => `/api/v1/admin/tenants/${encodeURIComponent(this.tenantId())}`);
  protected readonly limits = resource({
    params: () => this.base(),
    loader: async ({ params, abortSignal }): Promise<Limits> => {
      const [tenant, members, keys] = await Promise.all([
        this.api.get<{ name: string; settings?: Settings }>(params, undefined, abortSignal),
        this.api.get<{ items: unknown[] }>(`${params}/members`, undefined, abortSignal),
        this.api.get<{ items: { revokedAt?: string | null }[] }>(`${params}/api-keys`, undefined, abortSignal),
      ]);
      const settings = tenant.settings ?? {};
      this.fillForm(settings);
      return { name: tenant.name, settings, members: members.items.length, liveKeys: keys.items.filter((k) => !k.revokedAt).length };
    },
  });
  protected readonly problem = computed(() => (this.limits.error() ? toProblem(this.limits.error()) : undefined));
  protected readonly quotas = quotas;
  protected readonly rateLimits = rateLimits;

  protected readonly busy = signal(false);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);

  protected readonly form = this.fb.group({
    maxUsers: ['', WHOLE],
    maxApiKeys: ['', WHOLE],
    tenantPerSecond: ['', WHOLE],
    tenantBurst: ['', WHOLE],
    apiKeyPerSecond: ['', WHOLE],
    apiKeyBurst: ['', WHOLE],
  });

  private fillForm(settings: Settings): void {
    const q = quotas(settings);
    const r = rateLimits(settings);
    this.form.reset({
      maxUsers: text(q.maxUsers),
      maxApiKeys: text(q.maxApiKeys),
      tenantPerSecond: text(r.tenant?.perSecond),
      tenantBurst: text(r.tenant?.burst),
      apiKeyPerSecond: text(r.apiKey?.perSecond),
      apiKeyBurst: text(r.apiKey?.burst),
    });
  }

  /** PATCH the tenant's settings: the other settings stay as they are. */
  protected async save(current: Limits): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    const bucket = (perSecond: string, burst: string) => {
      const b = { perSecond: numberOrUndefined(perSecond), burst: numberOrUndefined(burst) };
      return b.perSecond === undefined && b.burst === undefined ? undefined : b;
    };
    const settings = {
      ...current.settings,
      quotas: { maxUsers: numberOrUndefined(v.maxUsers), maxApiKeys: numberOrUndefined(v.maxApiKeys) },
      rateLimits: { tenant: bucket(v.tenantPerSecond, v.tenantBurst), apiKey: bucket(v.apiKeyPerSecond, v.apiKeyBurst) },
    };
    this.busy.set(true);
    this.message.set(undefined);
    this.error.set(undefined);
    try {
      // JSON drops the undefined members: an emptied field removes its setting.
      await this.api.patch(this.base(), { settings: JSON.parse(JSON.stringify(settings)) as Settings });
      this.message.set('Limits saved. They apply to the next request.');
      this.limits.reload();
    } catch (e) {
      this.error.set(describeProblem(toProblem(e)));
    } finally {
      this.busy.set(false);
    }
  }
}
