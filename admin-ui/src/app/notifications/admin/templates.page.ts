import { ChangeDetectionStrategy, Component, ElementRef, OnDestroy, computed, inject, resource, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatDialog } from '@angular/material/dialog';
import { describeProblem, toProblem, type Problem } from '../../api/problem';
import { confirm } from '../../ui/confirm-dialog';
import { RequestState } from '../../ui/request-state';
import { NotificationsApi, type Rendered, type Template } from '../notifications-api';
import { NotificationsAdminNav } from './notifications-admin-nav';

interface TemplateForm {
  key: string;
  locale: string;
  subject: string;
  text: string;
  html: string;
}

const FIELD_NAMES: Readonly<Record<string, string>> = { '/subject': 'Subject', '/text': 'Text', '/html': 'HTML', '/locale': 'Locale' };

/** A problem's field errors as sentences: `Text uses unknown variable "data.nope" (not in the sample data)`. */
export function templateProblems(problem: Problem): string[] {
  if (problem.errors.length === 0) return [describeProblem(problem)];
  return problem.errors.map((e) => `${FIELD_NAMES[e.pointer] ?? (e.pointer.replace(/^\//, '') || 'Template')} ${e.message}`);
}

/**
 * Message templates per key and locale (Liquid): edit subject, text and HTML with a live preview rendered by the
 * server with the key's sample data; saving refuses unknown variables, each one named.
 */
@Component({
  selector: 'vv-notification-templates-page',
  imports: [FormsModule, RequestState, NotificationsAdminNav],
  templateUrl: './templates.page.html',
  styleUrls: ['../../admin/self-service.scss', './notifications-admin.scss', './templates.page.scss'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotificationTemplatesPage implements OnDestroy {
  private readonly api = inject(NotificationsApi);
  private readonly dialog = inject(MatDialog);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  protected readonly data = resource({ loader: async () => (await this.api.templates()).items });
  protected readonly problem = computed(() => (this.data.error() ? toProblem(this.data.error()) : undefined));

  protected readonly editing = signal<TemplateForm | undefined>(undefined);
  protected readonly preview = signal<Rendered | undefined>(undefined);
  protected readonly previewProblems = signal<readonly string[]>([]);
  protected readonly previewing = signal(false);
  protected readonly saveProblems = signal<readonly string[]>([]);
  protected readonly busy = signal(false);
  protected readonly message = signal<string | undefined>(undefined);

  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: AbortController | undefined;

  ngOnDestroy(): void {
    clearTimeout(this.timer);
    this.inFlight?.abort();
  }

  protected edit(t: Template): void {
    this.editing.set({ key: t.key, locale: t.locale, subject: t.subject, text: t.text, html: t.html ?? '' });
    this.saveProblems.set([]);
    this.message.set(undefined);
    this.refreshPreview(0);
    setTimeout(() => this.host.nativeElement.querySelector<HTMLElement>('#template-subject')?.focus());
  }

  protected cancel(): void {
    this.editing.set(undefined);
    this.preview.set(undefined);
    this.previewProblems.set([]);
  }

  /** Re-renders the preview a moment after the last keystroke; an older request still running is dropped. */
  protected refreshPreview(delayMs = 400): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.renderPreview(), delayMs);
  }

  private async renderPreview(): Promise<void> {
    const f = this.editing();
    if (!f) return;
    this.inFlight?.abort();
    const controller = new AbortController();
    this.inFlight = controller;
    this.previewing.set(true);
    try {
      const rendered = await this.api.preview(f.key, f.locale, { subject: f.subject, text: f.text, html: f.html || null }, controller.signal);
      if (controller.signal.aborted) return;
      this.preview.set(rendered);
      this.previewProblems.set([]);
    } catch (e) {
      if (controller.signal.aborted) return;
      this.previewProblems.set(templateProblems(toProblem(e)));
    } finally {
      if (this.inFlight === controller) this.previewing.set(false);
    }
  }

  protected async save(f: TemplateForm): Promise<void> {
    this.saveProblems.set([]);
    this.message.set(undefined);
    if (!/^[a-z]{2}(-[A-Z]{2})?$/.test(f.locale)) {
      this.saveProblems.set(['Locale is a language code such as en or de-DE.']);
      return;
    }
    this.busy.set(true);
    try {
      await this.api.saveTemplate(f.key, f.locale, { subject: f.subject, text: f.text, html: f.html || null });
      this.message.set(`Template "${f.key}" (${f.locale}) saved.`);
      this.data.reload();
    } catch (e) {
      this.saveProblems.set(templateProblems(toProblem(e)));
    } finally {
      this.busy.set(false);
    }
  }

  protected async reset(t: Template): Promise<void> {
    const ok = await confirm(this.dialog, {
      title: `Reset "${t.key}" (${t.locale})?`,
      message: 'Your version is deleted; the built-in template (or the English one) applies again.',
      confirmLabel: 'Reset template',
      danger: true,
    });
    if (!ok) return;
    try {
      await this.api.deleteTemplate(t.key, t.locale);
      this.message.set(`Template "${t.key}" (${t.locale}) reset.`);
      if (this.editing()?.key === t.key && this.editing()?.locale === t.locale) this.cancel();
      this.data.reload();
    } catch (e) {
      this.saveProblems.set([describeProblem(toProblem(e))]);
    }
  }
}
