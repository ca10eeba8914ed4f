import { ChangeDetectionStrategy, Component, OnDestroy, OnInit, computed, effect, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { AgentChatPanel } from '../agent/agent-chat-panel';
import { agentContextOf } from '../agent/agent-context';
import { filter, map, startWith } from 'rxjs';
import { toSignal } from '@angular/core/rxjs-interop';
import { describeProblem, toProblem } from '../api/problem';
import { SessionService } from '../session/session.service';
import { NotificationBell } from '../notifications/notification-bell';
import { Icon } from '../ui/icon';
import { LiveUpdates } from './live-updates';
import { WorkspacePlugins } from './workspace-plugins';

/** The signed-in layout: top bar (tenant, user, sign-out), navigation from the enabled plugins, and the page. */
@Component({
  selector: 'vv-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, Icon, NotificationBell, AgentChatPanel],
  templateUrl: './shell.html',
  styleUrl: './shell.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(keydown.escape)': 'navOpen.set(false)' },
})
export class Shell implements OnInit, OnDestroy {
  private readonly router = inject(Router);
  protected readonly session = inject(SessionService);
  protected readonly plugins = inject(WorkspacePlugins);
  protected readonly live = inject(LiveUpdates);

  protected readonly navOpen = signal(false);
  /** The value agent's chat beside the page (when the tenant enabled value-agent), about the page's object. */
  protected readonly agentOpen = signal(false);
  private readonly url = toSignal(
    this.router.events.pipe(
      filter((e) => e instanceof NavigationEnd),
      map(() => this.router.url),
      startWith(this.router.url),
    ),
    { initialValue: this.router.url },
  );
  protected readonly agentContext = computed(() => agentContextOf(this.url()));
  protected readonly agentEnabled = computed(() => this.plugins.plugins().some((p) => p.pluginId === 'value-agent' && p.enabled));
  protected readonly switching = signal(false);
  protected readonly switchError = signal<string | undefined>(undefined);
  protected readonly isAdmin = computed(() => this.session.session() !== undefined && this.session.hasRole('tenant-admin'));
  /** The notifications plugin's pages (preferences for everyone, administration for admins) while it is enabled. */
  protected readonly notifications = computed(() => this.plugins.plugins().some((p) => p.pluginId === 'notifications' && p.enabled));
  protected readonly liveLabel = computed(() => {
    switch (this.live.mode()) {
      case 'live':
        return 'Live';
      case 'polling':
        return 'Checking for changes';
      case 'connecting':
        return 'Connecting';
      default:
        return 'Offline';
    }
  });

  constructor() {
    // Signed out here or in another tab: back to the sign-in page, remembering where we were.
    effect(() => {
      if (!this.session.signedIn()) {
        void this.router.navigate(['/sign-in'], { queryParams: { returnUrl: this.router.url.startsWith('/sign-in') ? null : this.router.url } });
      }
    });
    this.router.events
      .pipe(
        filter((e) => e instanceof NavigationEnd),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.navOpen.set(false));
  }

  ngOnInit(): void {
    this.live.start();
    if (this.plugins.status() === 'idle') void this.plugins.load();
  }

  ngOnDestroy(): void {
    this.live.stop();
  }

  protected toggleNav(): void {
    this.navOpen.update((open) => !open);
  }

  protected async switchTenant(tenantId: string): Promise<void> {
    if (tenantId === this.session.tenant()?.id) return;
    this.switching.set(true);
    this.switchError.set(undefined);
    try {
      await this.session.switchTenant(tenantId);
      await this.plugins.load();
      await this.router.navigateByUrl('/workspace');
    } catch (error) {
      this.switchError.set(describeProblem(toProblem(error)));
    } finally {
      this.switching.set(false);
    }
  }

  protected async signOut(): Promise<void> {
    await this.session.signOut();
    await this.router.navigate(['/sign-in']);
  }
}
