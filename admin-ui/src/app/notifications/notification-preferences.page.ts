import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { describeProblem, toProblem } from '../api/problem';
import { RequestState } from '../ui/request-state';
import { CHANNEL_LABELS, NotificationsApi, type CategorySummary, type ChannelName, type Preferences } from './notifications-api';

/** The channels a person chooses for themselves; Slack and webhooks go to the tenant's own endpoints, set by admins. */
const PERSONAL_CHANNELS: readonly ChannelName[] = ['email', 'inbox'];
const LOCALES: readonly { value: string; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'de', label: 'Deutsch' },
  { value: 'fr', label: 'Français' },
  { value: 'es', label: 'Español' },
  { value: 'it', label: 'Italiano' },
  { value: 'nl', label: 'Nederlands' },
  { value: 'pt', label: 'Português' },
];

/** "commitments" → "Commitments". */
const categoryLabel = (category: string) => category.charAt(0).toUpperCase() + category.slice(1).replace(/[-_.]+/g, ' ');

interface Loaded {
  readonly prefs: Preferences;
  readonly categories: readonly CategorySummary[];
}

/**
 * The signed-in person's notification preferences: per category and channel on or off, quiet hours in their time
 * zone, and the language of messages. Critical notifications are explained: they reach people whatever they chose.
 */
@Component({
  selector: 'vv-notification-preferences-page',
  imports: [FormsModule, RequestState],
  templateUrl: './notification-preferences.page.html',
  styleUrls: ['../admin/self-service.scss', './notification-preferences.page.scss'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotificationPreferencesPage {
  private readonly api = inject(NotificationsApi);

  protected readonly channels = PERSONAL_CHANNELS;
  protected readonly channelLabels = CHANNEL_LABELS;
  protected readonly locales = LOCALES;
  protected readonly categoryLabel = categoryLabel;
  protected readonly timeZones: readonly string[] = (() => {
    try {
      return Intl.supportedValuesOf('timeZone');
    } catch {
      return ['UTC'];
    }
  })();

  protected readonly data = resource({
    loader: async (): Promise<Loaded> => {
      const [prefs, list] = await Promise.all([this.api.preferences(), this.api.categories()]);
      // A category turned off before (e.g. from an email's unsubscribe link) stays listed, so it can be turned on.
      const known = new Set(list.items.map((c) => c.category));
      const earlier = [...new Set(prefs.channels.map((c) => c.category))].filter((c) => c !== '*' && !known.has(c));
      const categories = [...list.items, ...earlier.map((category) => ({ category, workflows: [] }))];
      this.fill(prefs, categories);
      return { prefs, categories };
    },
  });
  protected readonly problem = computed(() => (this.data.error() ? toProblem(this.data.error()) : undefined));

  // The form, as plain signals: one checkbox per category and channel.
  protected readonly enabled = signal<Record<string, boolean>>({});
  protected readonly timeZone = signal('');
  protected readonly locale = signal('');
  protected readonly quiet = signal(false);
  protected readonly quietStart = signal('22:00');
  protected readonly quietEnd = signal('07:00');

  protected readonly busy = signal(false);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);

  protected readonly browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  protected key(category: string, channel: string): string {
    return `${category}|${channel}`;
  }

  protected isOn(category: string, channel: string): boolean {
    return this.enabled()[this.key(category, channel)] ?? true;
  }

  protected toggle(category: string, channel: string, on: boolean): void {
    this.enabled.update((e) => ({ ...e, [this.key(category, channel)]: on }));
  }

  protected criticalNames(category: CategorySummary): string[] {
    return category.workflows.filter((w) => w.critical).map((w) => w.name);
  }

  private fill(prefs: Preferences, categories: readonly CategorySummary[]): void {
    const enabled: Record<string, boolean> = {};
    const all = new Map(prefs.channels.filter((c) => c.category === '*').map((c) => [c.channel, c.enabled]));
    for (const c of categories) for (const ch of PERSONAL_CHANNELS) enabled[this.key(c.category, ch)] = all.get(ch) ?? true;
    for (const c of prefs.channels) if (c.category !== '*') enabled[this.key(c.category, c.channel)] = c.enabled;
    this.enabled.set(enabled);
    this.timeZone.set(prefs.timeZone ?? '');
    this.locale.set(prefs.locale ?? '');
    this.quiet.set(prefs.quietHours !== null);
    if (prefs.quietHours) {
      this.quietStart.set(prefs.quietHours.start);
      this.quietEnd.set(prefs.quietHours.end);
    }
  }

  protected async save(categories: readonly CategorySummary[]): Promise<void> {
    this.message.set(undefined);
    this.error.set(undefined);
    const hhmm = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
    if (this.quiet() && (!hhmm.test(this.quietStart()) || !hhmm.test(this.quietEnd()))) {
      this.error.set('Enter quiet hours as a start and an end time, such as 22:00 and 07:00.');
      return;
    }
    const channels = categories.flatMap((c) => PERSONAL_CHANNELS.map((channel) => ({ category: c.category, channel, enabled: this.isOn(c.category, channel) })));
    this.busy.set(true);
    try {
      const saved = await this.api.savePreferences({
        timeZone: this.timeZone() || null,
        locale: this.locale() || null,
        quietHours: this.quiet() ? { start: this.quietStart(), end: this.quietEnd() } : null,
        channels,
      });
      this.fill(saved, categories);
      const off = channels.filter((c) => !c.enabled).length;
      this.message.set(off === 0 ? 'Preferences saved. You receive every category.' : `Preferences saved. ${off} ${off === 1 ? 'choice is' : 'choices are'} turned off.`);
    } catch (e) {
      this.error.set(describeProblem(toProblem(e)));
    } finally {
      this.busy.set(false);
    }
  }
}
