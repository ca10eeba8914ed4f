import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, input, resource, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatDialog } from '@angular/material/dialog';
import { firstValueFrom } from 'rxjs';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem } from '../../api/problem';
import { SessionService } from '../../session/session.service';
import { confirm } from '../../ui/confirm-dialog';
import { RequestState } from '../../ui/request-state';
import {
  PERSONAS,
  PERSONA_LABELS,
  defaultPersona,
  linkState,
  textOn,
  type BusinessCase,
  type CreatedShareLink,
  type Persona,
  type ShareLink,
  type ShareLinkPage,
} from './business-case';

const EXPIRIES = [1, 7, 30, 90] as const;

/**
 * The customer-ready business case of a saved model (issue 19; issue 20 item 6): one model through three lenses
 * (CFO, executive, technical; the first from the reader's role), branded with the tenant's logo and colours, as a
 * PDF to download, and as signed share links that editors create with an expiry and revoke.
 */
@Component({
  selector: 'vv-business-case-panel',
  imports: [FormsModule, RequestState],
  templateUrl: './business-case-panel.html',
  styleUrl: './business-case-panel.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BusinessCasePanel {
  readonly modelId = input.required<string>();

  private readonly api = inject(ApiClient);
  private readonly http = inject(HttpClient);
  private readonly dialog = inject(MatDialog);
  protected readonly session = inject(SessionService);

  protected readonly personas = PERSONAS;
  protected readonly labels = PERSONA_LABELS;
  protected readonly expiries = EXPIRIES;
  protected readonly persona = signal<Persona>(defaultPersona(this.session.tenant()?.role, this.session.user()?.platformAdmin === true));
  protected readonly customer = signal('');
  /** What the case is computed for: the customer field counts once it is committed (change), not on every key. */
  private readonly committedCustomer = signal('');
  protected readonly canShare = computed(() => this.session.hasRole('member'));

  private readonly base = computed(() => `/api/v1/value-models/${encodeURIComponent(this.modelId())}`);
  protected readonly report = resource({
    params: () => ({ base: this.base(), persona: this.persona(), customer: this.committedCustomer() }),
    loader: ({ params, abortSignal }) =>
      this.api.get<BusinessCase>(`${params.base}/business-case`, { persona: params.persona, ...(params.customer ? { customer: params.customer } : {}) }, abortSignal),
  });
  protected readonly problem = computed(() => (this.report.error() ? toProblem(this.report.error()) : undefined));
  protected readonly textOn = textOn;
  protected readonly logoSrc = computed(() => {
    const r = this.report.hasValue() ? this.report.value() : undefined;
    return r?.branding.logo ? `data:${r.branding.logo.mediaType};base64,${r.branding.logo.data}` : undefined;
  });

  protected readonly links = resource({
    params: () => (this.canShare() ? this.base() : undefined),
    loader: ({ params, abortSignal }) => this.api.get<ShareLinkPage>(`${params}/share-links`, undefined, abortSignal).then((page) => page.items),
  });
  protected readonly linksProblem = computed(() => (this.links.error() ? toProblem(this.links.error()) : undefined));
  protected readonly expiresInDays = signal<number>(7);
  protected readonly created = signal<CreatedShareLink | undefined>(undefined);
  protected readonly busy = signal(false);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly stateOf = (link: ShareLink) => linkState(link);

  protected choose(persona: Persona): void {
    this.persona.set(persona);
  }

  protected commitCustomer(): void {
    this.committedCustomer.set(this.customer().trim());
  }

  /** The full address of a link, for copying. */
  protected absolute(url: string): string {
    return new URL(url, document.baseURI).toString();
  }

  /** The PDF of the lens shown, with the session's credentials. */
  protected async downloadPdf(): Promise<void> {
    this.error.set(undefined);
    try {
      const customer = this.committedCustomer();
      const blob = await firstValueFrom(
        this.http.get(`${this.base()}/business-case/pdf`, { params: { persona: this.persona(), ...(customer ? { customer } : {}) }, responseType: 'blob' }),
      );
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      const title = this.report.hasValue() ? this.report.value().title : 'business-case';
      link.download = `${title.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'business-case'}-${this.persona()}.pdf`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      this.error.set(describeProblem(toProblem(error)));
    }
  }

  protected async share(): Promise<void> {
    this.busy.set(true);
    this.error.set(undefined);
    this.message.set(undefined);
    try {
      const customer = this.committedCustomer();
      const link = await this.api.post<CreatedShareLink>(`${this.base()}/share-links`, {
        expiresInDays: this.expiresInDays(),
        persona: this.persona(),
        ...(customer ? { customer } : {}),
      });
      this.created.set(link);
      this.message.set(`Share link created; it expires on ${new Date(link.expiresAt).toLocaleDateString()}. Copy it now: it is not shown again.`);
      this.links.reload();
    } catch (error) {
      this.error.set(describeProblem(toProblem(error)));
    } finally {
      this.busy.set(false);
    }
  }

  protected async copy(url: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.absolute(url));
      this.message.set('Link copied.');
    } catch {
      this.message.set('Select the link and copy it.');
    }
  }

  protected async revoke(link: ShareLink): Promise<void> {
    const ok = await confirm(this.dialog, {
      title: 'Revoke this share link?',
      message: `Anyone who has the link can no longer open the business case (${PERSONA_LABELS[link.persona]} view${link.customer ? ` for ${link.customer}` : ''}). This cannot be undone.`,
      confirmLabel: 'Revoke link',
      danger: true,
    });
    if (!ok) return;
    this.busy.set(true);
    this.error.set(undefined);
    try {
      await this.api.delete(`${this.base()}/share-links/${encodeURIComponent(link.id)}`);
      if (this.created()?.id === link.id) this.created.set(undefined);
      this.message.set('Share link revoked.');
      this.links.reload();
    } catch (error) {
      this.error.set(describeProblem(toProblem(error)));
    } finally {
      this.busy.set(false);
    }
  }

  protected date(iso: string): string {
    return new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
  }
}
