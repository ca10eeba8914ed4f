import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ApiClient } from '../api/api-client';
import type { ApiRequestBody, ApiResponse } from '../api/api-types';
import { describeProblem, toProblem } from '../api/problem';
import { RequestState } from '../ui/request-state';

export type Profile = ApiResponse<'/api/v1/me/profile', 'get'>;
type ProfileBody = ApiRequestBody<'/api/v1/me/profile', 'put'>;

/** Suggestions only: any BCP 47 tag is accepted (the server checks and stores it canonical). */
const LOCALE_SUGGESTIONS = ['en', 'en-GB', 'en-US', 'de', 'de-DE', 'fr', 'fr-FR', 'es', 'it', 'nl', 'pt', 'pt-BR'];

/**
 * The person's profile (`/api/v1/me/profile`): how messages address them, their language and their time zone.
 * Notifications use it when their notification preferences say nothing (docs/notifications.md).
 */
@Component({
  selector: 'vv-account-profile',
  imports: [FormsModule, RequestState],
  template: `
    <section class="vv-card" aria-labelledby="profile-title" data-testid="account-profile">
      <h2 id="profile-title">Profile</h2>
      <p class="hint">How messages address you, in which language, and on which clock.</p>
      <vv-request-state [loading]="data.isLoading() && !data.hasValue()" [problem]="problem()" what="your profile" (retry)="data.reload()" />
      @if (data.hasValue()) {
        <form (ngSubmit)="save()" novalidate>
          <div class="inline-form">
            <div class="field">
              <label for="profile-name">Name</label>
              <input id="profile-name" name="displayName" autocomplete="name" maxlength="100" [ngModel]="name()" (ngModelChange)="name.set($event)" />
            </div>
            <div class="field">
              <label for="profile-locale">Language (e.g. en-GB, de-DE)</label>
              <input
                id="profile-locale"
                name="locale"
                list="profile-locales"
                maxlength="35"
                [ngModel]="locale()"
                (ngModelChange)="locale.set($event)"
                [attr.aria-invalid]="fieldError('/locale') ? 'true' : null"
                aria-describedby="profile-locale-error"
              />
              <datalist id="profile-locales">
                @for (l of locales; track l) {
                  <option [value]="l"></option>
                }
              </datalist>
              <span class="field-error" id="profile-locale-error">{{ fieldError('/locale') }}</span>
            </div>
            <div class="field">
              <label for="profile-zone">Time zone</label>
              <select id="profile-zone" name="timeZone" [ngModel]="timeZone()" (ngModelChange)="timeZone.set($event)">
                <option value="">Not set (the organisation's)</option>
                @for (z of timeZones; track z) {
                  <option [value]="z">{{ z }}{{ z === browserZone ? ' (this device)' : '' }}</option>
                }
              </select>
            </div>
          </div>
          <p class="actions">
            <button type="submit" class="primary" [disabled]="busy()">Save profile</button>
          </p>
          <div aria-live="polite">
            @if (message(); as m) {
              <p class="status-msg" data-testid="profile-message">{{ m }}</p>
            }
            @if (error(); as e) {
              <p class="error" role="alert">{{ e }}</p>
            }
          </div>
        </form>
      }
    </section>
  `,
  styleUrls: ['../admin/self-service.scss'],
  // Top-aligned: the language field's error line would otherwise push its input above the others.
  styles: ['.inline-form { align-items: flex-start; }'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AccountProfile {
  private readonly api = inject(ApiClient);

  protected readonly locales = LOCALE_SUGGESTIONS;
  protected readonly browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  protected readonly timeZones: readonly string[] = (() => {
    try {
      return Intl.supportedValuesOf('timeZone');
    } catch {
      return ['UTC'];
    }
  })();

  protected readonly name = signal('');
  protected readonly locale = signal('');
  protected readonly timeZone = signal('');
  protected readonly busy = signal(false);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);
  private readonly problems = signal<readonly { pointer: string; message: string }[]>([]);

  protected readonly data = resource({
    loader: async ({ abortSignal }) => {
      const profile = await this.api.get<Profile>('/api/v1/me/profile', undefined, abortSignal);
      this.fill(profile);
      return profile;
    },
  });
  protected readonly problem = computed(() => (this.data.error() ? toProblem(this.data.error()) : undefined));

  protected fieldError(pointer: string): string | undefined {
    return this.problems().find((p) => p.pointer === pointer)?.message;
  }

  protected async save(): Promise<void> {
    this.message.set(undefined);
    this.error.set(undefined);
    this.problems.set([]);
    this.busy.set(true);
    try {
      const body: ProfileBody = { displayName: this.name().trim() || null, locale: this.locale().trim() || null, timeZone: this.timeZone() || null };
      const saved = await this.api.put<Profile>('/api/v1/me/profile', body);
      this.fill(saved);
      this.message.set('Profile saved.');
    } catch (e) {
      const problem = toProblem(e);
      this.error.set(describeProblem(problem));
      this.problems.set(problem.errors);
    } finally {
      this.busy.set(false);
    }
  }

  private fill(profile: Profile): void {
    this.name.set(profile.displayName ?? '');
    this.locale.set(profile.locale ?? '');
    this.timeZone.set(profile.timeZone ?? '');
  }
}
