import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink, RouterLinkActive } from '@angular/router';

/** The notification administration pages' own tabs: channels, workflows, templates, the delivery log. */
@Component({
  selector: 'vv-notifications-admin-nav',
  imports: [RouterLink, RouterLinkActive],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <nav aria-label="Notification settings" class="tabs">
      <a routerLink="/admin/notifications/channels" routerLinkActive="active" ariaCurrentWhenActive="page">Channels</a>
      <a routerLink="/admin/notifications/workflows" routerLinkActive="active" ariaCurrentWhenActive="page">Workflows</a>
      <a routerLink="/admin/notifications/templates" routerLinkActive="active" ariaCurrentWhenActive="page">Templates</a>
      <a routerLink="/admin/notifications/deliveries" routerLinkActive="active" ariaCurrentWhenActive="page">Delivery log</a>
    </nav>
  `,
  styles: `
    .tabs {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem 1rem;
      border-bottom: 1px solid var(--vv-border);
      margin-bottom: 1rem;
    }
    a {
      padding: 0.4rem 0.1rem;
      text-decoration: none;
      color: var(--vv-muted);
      border-bottom: 3px solid transparent;
    }
    a.active {
      color: var(--vv-primary);
      border-bottom-color: var(--vv-primary);
      font-weight: 500;
    }
  `,
})
export class NotificationsAdminNav {}
