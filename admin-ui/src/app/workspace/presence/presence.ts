import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked, type Signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { ApiClient } from '../../api/api-client';
import { SessionService } from '../../session/session.service';
import { LiveUpdates } from '../../shell/live-updates';

export type PresenceActivity = 'viewing' | 'editing';

/** One person on a model or commitment, as the owning plugin's presence route and events report them. */
export interface Presence {
  readonly userId: string;
  readonly email: string;
  readonly activity: PresenceActivity;
  readonly expiresAt: string;
}

/** Where presence lives: `value-models` (value-architect) or `commitments` (value-committer). */
export type PresenceSubject = 'value-models' | 'commitments';

const EVENT: Record<PresenceSubject, string> = { 'value-models': 'value-architect.presence', commitments: 'value-committer.presence' };

/** How often an open page says it is still there; the server forgets a person after twice this (plus slack). */
export const HEARTBEAT_MS = 15_000;

type Announced = Omit<Presence, 'activity'> & { readonly activity: PresenceActivity | 'left' };

function toPresence(raw: unknown): Announced | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r['userId'] !== 'string' || typeof r['expiresAt'] !== 'string') return undefined;
  const activity = r['activity'] === 'editing' || r['activity'] === 'left' ? r['activity'] : 'viewing';
  return { userId: r['userId'], email: typeof r['email'] === 'string' ? r['email'] : r['userId'], activity, expiresAt: r['expiresAt'] };
}

/**
 * Presence on one model or commitment (issue 20, item 5): announces this user every HEARTBEAT_MS through the
 * owning plugin (`PUT /api/v1/<subject>/:id/presence`), and keeps the list of the others from its answer and the
 * tenant's event stream; entries expire on their own when a browser goes away without saying so. Call in an
 * injection context.
 */
export function presenceOn(subject: PresenceSubject, id: Signal<string | undefined>, activity: Signal<PresenceActivity>): Signal<readonly Presence[]> {
  const api = inject(ApiClient);
  const session = inject(SessionService);
  const live = inject(LiveUpdates);
  const people = signal<ReadonlyMap<string, Presence>>(new Map());
  const now = signal(Date.now());
  let current: string | undefined;

  const announce = async (target: string, what: PresenceActivity | 'left') => {
    try {
      const answer = await api.put<{ present?: unknown[] }>(`/api/v1/${subject}/${encodeURIComponent(target)}/presence`, { activity: what });
      if (what === 'left' || target !== current) return;
      const map = new Map<string, Presence>();
      for (const p of (answer.present ?? []).map(toPresence)) if (p && p.activity !== 'left') map.set(p.userId, { ...p, activity: p.activity });
      people.set(map);
    } catch {
      // Presence is a courtesy: a page works without it (plugin older than presence, network blip).
    }
  };

  effect(() => {
    const target = id();
    const what = activity();
    untracked(() => {
      if (current && current !== target) {
        void announce(current, 'left');
        people.set(new Map());
      }
      current = target;
      if (target) void announce(target, what);
    });
  });
  const timer = setInterval(() => {
    now.set(Date.now());
    if (current) void announce(current, untracked(activity));
  }, HEARTBEAT_MS);
  live.events.pipe(takeUntilDestroyed()).subscribe((event) => {
    if (event.name !== EVENT[subject] || event.payload['id'] !== current) return;
    const p = toPresence(event.payload);
    if (!p) return;
    people.update((map) => {
      const next = new Map(map);
      if (p.activity === 'left') next.delete(p.userId);
      else next.set(p.userId, { ...p, activity: p.activity });
      return next;
    });
  });
  inject(DestroyRef).onDestroy(() => {
    clearInterval(timer);
    if (current) void announce(current, 'left');
  });
  return computed(() => {
    const me = session.user()?.id;
    const t = now();
    return [...people().values()].filter((p) => p.userId !== me && Date.parse(p.expiresAt) > t).sort((a, b) => a.email.localeCompare(b.email));
  });
}

/** "Also here: ana@… (editing)": the others on the same object. */
@Component({
  selector: 'vv-presence-bar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p class="presence" data-testid="presence" aria-live="polite">
      @if (others().length) {
        <span class="lead">Also here:</span>
        @for (p of others(); track p.userId) {
          <span class="person" data-testid="presence-user" [attr.data-activity]="p.activity">
            <span class="dot" [class.editing]="p.activity === 'editing'" aria-hidden="true"></span>{{ p.email }} ({{ p.activity }})
          </span>
        }
      } @else {
        <span class="lead">Nobody else is here.</span>
      }
    </p>
  `,
  styles: `
    .presence {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem 0.75rem;
      margin: 0.25rem 0;
      font-size: 0.85rem;
      color: var(--vv-muted);
    }
    .person {
      color: var(--vv-text);
      overflow-wrap: anywhere;
    }
    .dot {
      display: inline-block;
      width: 0.6rem;
      height: 0.6rem;
      margin-right: 0.3rem;
      border-radius: 50%;
      background: var(--vv-status-ok);
      &.editing {
        background: var(--vv-status-warn);
      }
    }
  `,
})
export class PresenceBar {
  readonly others = input.required<readonly Presence[]>();
}
