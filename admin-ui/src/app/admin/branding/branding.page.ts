import { ChangeDetectionStrategy, Component, computed, inject, input, resource, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem } from '../../api/problem';
import { RequestState } from '../../ui/request-state';

/** GET/PUT /api/v1/admin/tenants/:tenantId/branding. */
export interface TenantBranding {
  readonly primaryColor?: string;
  readonly accentColor?: string;
  readonly logo?: { readonly mediaType: 'image/png' | 'image/jpeg'; readonly data: string };
}

/** The kernel's limit; checked here first so a large file is refused before it is uploaded. */
export const MAX_LOGO_BYTES = 64 * 1024;
export const DEFAULT_PRIMARY = '#3f51b5';
export const DEFAULT_ACCENT = '#00897b';
const HEX = Validators.pattern(/^#[0-9a-fA-F]{6}$/);

/** Reads a chosen file as base64, or says why it cannot be a logo (type, size). */
export async function logoFromFile(file: File): Promise<{ logo: NonNullable<TenantBranding['logo']> } | { problem: string }> {
  if (file.type !== 'image/png' && file.type !== 'image/jpeg') return { problem: 'The logo must be a PNG or JPEG image (SVG is not accepted: it can carry script).' };
  if (file.size > MAX_LOGO_BYTES) return { problem: `The logo must be at most 64 kB; this file is ${Math.ceil(file.size / 1024)} kB.` };
  const dataUrl = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
  return { logo: { mediaType: file.type, data: dataUrl.slice(dataUrl.indexOf(',') + 1) } };
}

/**
 * The tenant's branding: a logo and two colours that the business case's report, PDF and share view use. Tenant
 * admins set it; the preview shows the report's header as customers will see it.
 */
@Component({
  selector: 'vv-branding-page',
  imports: [ReactiveFormsModule, RouterLink, RequestState],
  templateUrl: './branding.page.html',
  styleUrls: ['../self-service.scss', './branding.page.scss'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BrandingPage {
  readonly tenantId = input.required<string>();

  private readonly api = inject(ApiClient);
  private readonly fb = inject(NonNullableFormBuilder);

  private readonly url = computed(() => `/api/v1/admin/tenants/${encodeURIComponent(this.tenantId())}/branding`);
  protected readonly branding = resource({
    params: () => this.url(),
    loader: async ({ params, abortSignal }) => {
      const branding = await this.api.get<TenantBranding>(params, undefined, abortSignal);
      this.form.setValue({ primaryColor: branding.primaryColor ?? DEFAULT_PRIMARY, accentColor: branding.accentColor ?? DEFAULT_ACCENT });
      this.logo.set(branding.logo);
      return branding;
    },
  });
  protected readonly problem = computed(() => (this.branding.error() ? toProblem(this.branding.error()) : undefined));

  protected readonly form = this.fb.group({ primaryColor: [DEFAULT_PRIMARY, [Validators.required, HEX]], accentColor: [DEFAULT_ACCENT, [Validators.required, HEX]] });
  /** The logo as it will be saved (undefined: none). */
  protected readonly logo = signal<TenantBranding['logo']>(undefined);
  protected readonly logoProblem = signal<string | undefined>(undefined);
  protected readonly busy = signal(false);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);
  private readonly colours = signal({ primaryColor: DEFAULT_PRIMARY, accentColor: DEFAULT_ACCENT });
  protected readonly preview = computed(() => this.colours());
  protected readonly logoUrl = computed(() => {
    const logo = this.logo();
    return logo ? `data:${logo.mediaType};base64,${logo.data}` : undefined;
  });

  constructor() {
    this.form.valueChanges.subscribe(() => {
      if (this.form.valid) this.colours.set(this.form.getRawValue());
    });
  }

  protected async chooseLogo(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    this.logoProblem.set(undefined);
    if (!file) return;
    const read = await logoFromFile(file);
    if ('problem' in read) {
      this.logoProblem.set(read.problem);
      input.value = '';
      return;
    }
    this.logo.set(read.logo);
  }

  protected removeLogo(): void {
    this.logo.set(undefined);
  }

  protected async save(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.busy.set(true);
    this.message.set(undefined);
    this.error.set(undefined);
    try {
      const saved = await this.api.put<TenantBranding>(this.url(), { ...this.form.getRawValue(), logo: this.logo() ?? null });
      this.branding.set(saved);
      this.message.set('Branding saved. Reports, PDFs and share links use it from now on.');
    } catch (error) {
      const problem = toProblem(error);
      const logoField = problem.errors.find((e) => e.pointer.startsWith('/logo'));
      if (logoField) this.logoProblem.set(`The logo ${logoField.message}.`);
      else this.error.set(describeProblem(problem));
    } finally {
      this.busy.set(false);
    }
  }
}
