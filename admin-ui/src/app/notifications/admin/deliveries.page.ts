import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { describeProblem, toProblem } from '../../api/problem';
import { formatDateTime } from '../../ui/format';
import { RequestState } from '../../ui/request-state';
import { statusLabel, statusTone } from '../../ui/status';
import { CHANNELS, CHANNEL_LABELS, DELIVERY_STATUSES, NotificationsApi, type Delivery, type DeliveryFilter } from '../notifications-api';
import { NotificationsAdminNav } from './notifications-admin-nav';

/** What each status means, for the filter and the rows' titles. */
const STATUS_HELP: Readonly<Record<string, string>> = {
  queued: 'waiting to be sent',
  sending: 'being sent now',
  sent: 'accepted by the provider',
  failed: 'will be retried',
  dead: 'given up; retry it here',
  suppressed: "by the person's preferences",
  held: 'for quiet hours or a digest',
  digested: 'sent in a digest',
};

/**
 * The log's recipient key for what an admin types: the key as the log shows it (`user:…`, `email:…`), an email
 * address (`email:` — an external address; members are logged by user id), or a user id.
 */
export function recipientKey(input: string): string | undefined {
  const text = input.trim();
  if (!text) return undefined;
  if (/^(user|email):/.test(text)) return text;
  return text.includes('@') ? `email:${text}` : `user:${text}`;
}

/**
 * The delivery log: every (event, recipient, channel) with its status and the provider's answers, filtered by status,
 * channel and recipient; failed and dead deliveries can be retried.
 */
@Component({
  selector: 'vv-notification-deliveries-page',
  imports: [FormsModule, RequestState, NotificationsAdminNav],
  templateUrl: './deliveries.page.html',
  styleUrls: ['../../admin/self-service.scss', './notifications-admin.scss'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotificationDeliveriesPage {
  private readonly api = inject(NotificationsApi);

  protected readonly statuses = DELIVERY_STATUSES;
  protected readonly channels = CHANNELS;
  protected readonly labels = CHANNEL_LABELS;
  protected readonly help = STATUS_HELP;
  protected readonly statusTone = statusTone;
  protected readonly statusLabel = statusLabel;
  protected readonly when = formatDateTime;

  // The filter form, and the filter last applied (what the list shows).
  protected status = '';
  protected channel = '';
  protected recipient = '';
  protected readonly filter = signal<DeliveryFilter>({});

  protected readonly page = resource({
    params: () => this.filter(),
    loader: ({ params }) => this.api.deliveries(params),
  });
  protected readonly problem = computed(() => (this.page.error() ? toProblem(this.page.error()) : undefined));
  /** Rows loaded with "Show more", after the first page. */
  protected readonly more = signal<readonly Delivery[]>([]);
  protected readonly nextCursor = signal<string | null | undefined>(undefined);
  protected readonly rows = computed(() => (this.page.hasValue() ? [...this.page.value().items, ...this.more()] : []));
  protected readonly cursor = computed(() => (this.nextCursor() !== undefined ? this.nextCursor() : this.page.hasValue() ? this.page.value().nextCursor : null));

  protected readonly open = signal<ReadonlySet<string>>(new Set());
  protected readonly retrying = signal<string | undefined>(undefined);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);

  protected apply(): void {
    this.more.set([]);
    this.nextCursor.set(undefined);
    this.filter.set({ status: this.status || undefined, channel: this.channel || undefined, recipient: recipientKey(this.recipient) });
    if (this.page.hasValue()) this.page.reload();
  }

  protected clear(): void {
    this.status = this.channel = this.recipient = '';
    this.apply();
  }

  protected async loadMore(cursor: string): Promise<void> {
    try {
      const next = await this.api.deliveries(this.filter(), cursor);
      this.more.update((m) => [...m, ...next.items]);
      this.nextCursor.set(next.nextCursor);
    } catch (e) {
      this.error.set(describeProblem(toProblem(e)));
    }
  }

  protected toggle(id: string): void {
    this.open.update((o) => {
      const next = new Set(o);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }

  protected async retry(d: Delivery): Promise<void> {
    this.retrying.set(d.id);
    this.message.set(undefined);
    this.error.set(undefined);
    try {
      await this.api.retry(d.id);
      this.message.set(`The ${this.labels[d.channel].toLowerCase()} to ${d.recipient} is queued again.`);
      this.more.set([]);
      this.nextCursor.set(undefined);
      this.page.reload();
    } catch (e) {
      this.error.set(describeProblem(toProblem(e)));
    } finally {
      this.retrying.set(undefined);
    }
  }
}
