import { ChangeDetectionStrategy, Component, computed, effect, inject, signal, untracked } from '@angular/core';
import { ApiClient } from '../api/api-client';
import { LiveUpdates } from '../shell/live-updates';
import { WorkspacePlugins } from '../shell/workspace-plugins';
import { Icon } from '../ui/icon';

interface InboxItem {
  readonly id: string;
  readonly category: string;
  readonly title: string;
  readonly body: string;
  readonly link: string | null;
  readonly read: boolean;
  readonly createdAt: string;
}

interface Inbox {
  readonly items: readonly InboxItem[];
  readonly unreadCount: number;
}

/**
 * The bell in the shell's header: the signed-in user's inbox (notifications plugin), its unread count, updated live
 * from the event stream (`notifications.inbox.created`). Shown only while the plugin is enabled for the tenant.
 */
@Component({
  selector: 'vv-notification-bell',
  imports: [Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown.escape)': 'open.set(false)' },
  styles: `
    :host {
      position: relative;
      display: inline-flex;
    }
    .bell {
      position: relative;
      background: none;
      border: 0;
      color: inherit;
      padding: 0.25rem;
      cursor: pointer;
      border-radius: 4px;
    }
    .count {
      position: absolute;
      top: -2px;
      right: -4px;
      min-width: 1.1rem;
      padding: 0 0.25rem;
      border-radius: 0.6rem;
      background: #b3261e;
      color: #fff;
      font-size: 0.7rem;
      line-height: 1.1rem;
      text-align: center;
    }
    .panel {
      position: absolute;
      right: 0;
      top: 2.4rem;
      width: min(24rem, 90vw);
      max-height: 28rem;
      overflow: auto;
      background: #fff;
      color: #1b1b1f;
      border: 1px solid #c7c7cc;
      border-radius: 8px;
      box-shadow: 0 8px 24px rgb(0 0 0 / 18%);
      z-index: 20;
    }
    .panel header {
      display: flex;
      justify-content: space-between;
      align-items: center;
      padding: 0.5rem 0.75rem;
      border-bottom: 1px solid #e3e3e8;
    }
    .panel h2 {
      font-size: 1rem;
      margin: 0;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    li button {
      display: block;
      width: 100%;
      text-align: left;
      background: none;
      border: 0;
      border-bottom: 1px solid #eee;
      padding: 0.6rem 0.75rem;
      font: inherit;
      color: inherit;
      cursor: pointer;
    }
    li.unread button {
      background: #eef3fd;
    }
    .title {
      font-weight: 600;
      display: block;
    }
    .body,
    .meta {
      display: block;
      font-size: 0.85rem;
      color: #44474f;
    }
    .empty {
      padding: 1rem 0.75rem;
      margin: 0;
      color: #44474f;
    }
    .link {
      background: none;
      border: 0;
      color: #0b57d0;
      cursor: pointer;
      font: inherit;
      text-decoration: underline;
    }
  `,
  template: `
    @if (enabled()) {
      <button type="button" class="bell" (click)="toggle()" [attr.aria-expanded]="open()" aria-controls="vv-inbox" data-testid="notification-bell">
        <vv-icon name="notifications" />
        <span class="vv-visually-hidden">Notifications, {{ unread() }} unread</span>
        @if (unread() > 0) {
          <span class="count" aria-hidden="true" data-testid="unread-count">{{ unread() > 99 ? '99+' : unread() }}</span>
        }
      </button>
      @if (open()) {
        <section class="panel" id="vv-inbox" aria-labelledby="vv-inbox-heading">
          <header>
            <h2 id="vv-inbox-heading">Notifications</h2>
            <button type="button" class="link" (click)="readAll()" [disabled]="unread() === 0">Mark all read</button>
          </header>
          @if (items().length === 0) {
            <p class="empty">Nothing yet.</p>
          } @else {
            <ul data-testid="inbox-items">
              @for (item of items(); track item.id) {
                <li [class.unread]="!item.read">
                  <button type="button" (click)="read(item)">
                    <span class="title">{{ item.title }}</span>
                    <span class="body">{{ item.body }}</span>
                    <span class="meta"
                      >{{ item.category }} · {{ when(item.createdAt) }}
                      @if (!item.read) {
                        · unread
                      }
                    </span>
                  </button>
                </li>
              }
            </ul>
          }
        </section>
      }
    }
  `,
})
export class NotificationBell {
  private readonly api = inject(ApiClient);
  private readonly live = inject(LiveUpdates);
  private readonly plugins = inject(WorkspacePlugins);

  protected readonly enabled = computed(() => this.plugins.plugins().some((p) => p.pluginId === 'notifications' && p.enabled));
  protected readonly items = signal<readonly InboxItem[]>([]);
  protected readonly unread = signal(0);
  protected readonly open = signal(false);

  constructor() {
    effect(() => {
      const enabled = this.enabled();
      this.live.inboxChanges();
      if (enabled) untracked(() => void this.load());
    });
  }

  protected toggle(): void {
    this.open.update((o) => !o);
    if (this.open()) void this.load();
  }

  protected async read(item: InboxItem): Promise<void> {
    if (!item.read) await this.api.post(`/api/v1/notifications/inbox/${item.id}/read`);
    await this.load();
  }

  protected async readAll(): Promise<void> {
    await this.api.post('/api/v1/notifications/inbox/read-all');
    await this.load();
  }

  protected when(iso: string): string {
    return new Date(iso).toLocaleString();
  }

  private async load(): Promise<void> {
    try {
      const inbox = await this.api.get<Inbox>('/api/v1/notifications/inbox', { limit: 20 });
      this.items.set(inbox.items);
      this.unread.set(inbox.unreadCount);
    } catch {
      // The plugin turned off or the network hiccuped: the bell keeps what it showed; the next change reloads.
    }
  }
}
