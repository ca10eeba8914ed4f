import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { NgTemplateOutlet } from '@angular/common';
import { FormsModule } from '@angular/forms';
import { AdminApi } from '../../api/admin-api';
import { describeProblem, toProblem } from '../../api/problem';
import { SessionService } from '../../session/session.service';
import { formatDateTime } from '../../ui/format';
import { RequestState } from '../../ui/request-state';
import { statusLabel, statusTone } from '../../ui/status';
import { CHANNEL_LABELS, NotificationsApi, type ChannelName, type ChannelState, type Delivery } from '../notifications-api';
import { NotificationsAdminNav } from './notifications-admin-nav';

/** What the kernel sends instead of a stored secret (never the secret itself). */
const MASK = '••••';
type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const str = (value: unknown): string => (typeof value === 'string' && value !== MASK ? value : '');

/** One SMTP server's fields; the password is write-only: `stored` says one is set, `password` is a new one. */
interface SmtpForm {
  host: string;
  port: string;
  secure: boolean;
  user: string;
  password: string;
  stored: boolean;
  removePassword: boolean;
}

const smtpForm = (value: unknown): SmtpForm => {
  const s = obj(value);
  return {
    host: str(s['host']),
    port: s['port'] === undefined ? '' : String(s['port']),
    secure: s['secure'] === true,
    user: str(s['user']),
    password: '',
    stored: s['password'] !== undefined,
    removePassword: false,
  };
};

/** The form's SMTP server as config: a left-blank password keeps the stored one; "remove" sends null. */
const smtpConfig = (f: SmtpForm): Json => ({
  host: f.host.trim(),
  ...(f.port.trim() ? { port: Number(f.port) } : {}),
  secure: f.secure,
  ...(f.user.trim() ? { user: f.user.trim() } : {}),
  ...(f.removePassword ? { password: null } : f.password ? { password: f.password } : {}),
});

interface Loaded {
  readonly config: Json;
  readonly states: readonly ChannelState[];
}

/**
 * The tenant's notification channels: email through a primary SMTP server and an optional fallback, a signed webhook
 * and Slack. Secrets (SMTP passwords, the webhook secret) are write-only: the page says "set" and never shows them.
 * "Send a test" sends on one channel to the admin now and shows the outcome with the attempt log.
 */
@Component({
  selector: 'vv-notification-channels-page',
  imports: [FormsModule, NgTemplateOutlet, RequestState, NotificationsAdminNav],
  templateUrl: './channels.page.html',
  styleUrls: ['../../admin/self-service.scss', './notifications-admin.scss'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotificationChannelsPage {
  private readonly admin = inject(AdminApi);
  private readonly api = inject(NotificationsApi);
  private readonly session = inject(SessionService);

  protected readonly labels = CHANNEL_LABELS;
  protected readonly statusTone = statusTone;
  protected readonly statusLabel = statusLabel;
  protected readonly when = formatDateTime;

  protected readonly data = resource({
    params: () => this.session.tenant()?.id,
    loader: async ({ params: tenantId }): Promise<Loaded> => {
      const [plugins, channels] = await Promise.all([this.admin.tenantPlugins(tenantId!), this.api.channels()]);
      const config = obj(plugins.items.find((p) => p.pluginId === 'notifications')?.config);
      this.fill(config);
      return { config, states: channels.items };
    },
  });
  protected readonly problem = computed(() => (this.data.error() ? toProblem(this.data.error()) : undefined));

  protected from = '';
  protected primary: SmtpForm = smtpForm(undefined);
  protected useFallback = false;
  protected fallback: SmtpForm = smtpForm(undefined);
  protected webhookUrl = '';
  protected webhookSecret = '';
  protected webhookSecretStored = false;
  protected slackUrl = '';

  protected readonly busy = signal(false);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);
  /** Field problems from the server, by JSON pointer (`/email/smtp/password`). */
  protected readonly fieldErrors = signal<Readonly<Record<string, string>>>({});

  protected readonly testing = signal<ChannelName | undefined>(undefined);
  protected readonly tests = signal<Partial<Record<ChannelName, { delivery?: Delivery; error?: string }>>>({});

  private fill(config: Json): void {
    const email = obj(config['email']);
    this.from = str(email['from']);
    this.primary = smtpForm(email['smtp']);
    this.useFallback = email['fallbackSmtp'] !== undefined;
    this.fallback = smtpForm(email['fallbackSmtp']);
    const webhook = obj(config['webhook']);
    this.webhookUrl = str(webhook['url']);
    this.webhookSecret = '';
    this.webhookSecretStored = webhook['secret'] !== undefined;
    this.slackUrl = str(obj(config['slack'])['webhookUrl']);
  }

  protected state(states: readonly ChannelState[], channel: ChannelName): ChannelState | undefined {
    return states.find((s) => s.channel === channel);
  }

  protected testOf(channel: string): { delivery?: Delivery; error?: string } | undefined {
    return this.tests()[channel as ChannelName];
  }

  protected label(channel: string): string {
    return this.labels[channel as ChannelName] ?? channel;
  }

  protected fieldError(pointer: string): string | undefined {
    return this.fieldErrors()[pointer];
  }

  protected async save(current: Loaded): Promise<void> {
    this.message.set(undefined);
    this.error.set(undefined);
    this.fieldErrors.set({});
    // Everything this page does not edit stays as stored (time zone, locale, throttle, public URL).
    const { email: _e, webhook: _w, slack: _s, ...rest } = current.config;
    const email: Json = {
      ...(this.from.trim() ? { from: this.from.trim() } : {}),
      ...(this.primary.host.trim() ? { smtp: smtpConfig(this.primary) } : {}),
      ...(this.useFallback && this.fallback.host.trim() ? { fallbackSmtp: smtpConfig(this.fallback) } : {}),
    };
    const webhook: Json = {
      ...(this.webhookUrl.trim() ? { url: this.webhookUrl.trim() } : {}),
      ...(this.webhookSecret ? { secret: this.webhookSecret } : {}),
    };
    const config: Json = {
      ...rest,
      ...(Object.keys(email).length ? { email } : {}),
      ...(Object.keys(webhook).length ? { webhook } : {}),
      ...(this.slackUrl.trim() ? { slack: { webhookUrl: this.slackUrl.trim() } } : {}),
    };
    this.busy.set(true);
    try {
      await this.admin.changePlugin(this.session.tenant()!.id, 'notifications', { config });
      this.message.set('Channels saved. New notifications use them at once.');
      this.data.reload();
    } catch (e) {
      const problem = toProblem(e);
      this.fieldErrors.set(Object.fromEntries(problem.errors.map((f) => [f.pointer, f.message])));
      this.error.set(describeProblem(problem));
    } finally {
      this.busy.set(false);
    }
  }

  protected async sendTest(channel: ChannelName): Promise<void> {
    this.testing.set(channel);
    this.tests.update((t) => ({ ...t, [channel]: undefined }));
    try {
      const delivery = await this.api.testChannel(channel);
      this.tests.update((t) => ({ ...t, [channel]: { delivery } }));
    } catch (e) {
      this.tests.update((t) => ({ ...t, [channel]: { error: describeProblem(toProblem(e)) } }));
    } finally {
      this.testing.set(undefined);
    }
  }
}
