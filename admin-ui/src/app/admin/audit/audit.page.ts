import { DatePipe, JsonPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { ActivatedRoute, Router } from '@angular/router';
import { AdminApi, type AuditEntry, type AuditFilter } from '../../api/admin-api';
import { toProblem, type Problem } from '../../api/problem';
import { SessionService } from '../../session/session.service';
import { RequestState } from '../../ui/request-state';

const FILTER_KEYS = ['tenantId', 'action', 'actor', 'from', 'to'] as const;

/** `datetime-local` value (local time, no zone) → ISO instant; '' stays ''. */
export function localToIso(value: string): string {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** The audit log with filters kept in the URL (shareable, back-button friendly) and cursor paging. */
@Component({
  selector: 'vv-audit-page',
  imports: [ReactiveFormsModule, DatePipe, JsonPipe, MatButtonModule, MatFormFieldModule, MatInputModule, RequestState],
  templateUrl: './audit.page.html',
  styles: `
    .filters {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(190px, 1fr));
      gap: 0.75rem 1rem;
      align-items: start;
    }
    .buttons {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      padding-top: 0.5rem;
    }
    .more {
      margin: 1rem 0;
    }
    details summary {
      cursor: pointer;
      color: var(--vv-primary);
    }
    .diff {
      display: grid;
      grid-template-columns: 1fr 1fr;
      gap: 0.5rem;
    }
    @media (max-width: 700px) {
      .diff {
        grid-template-columns: 1fr;
      }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AuditPage {
  private readonly admin = inject(AdminApi);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected readonly session = inject(SessionService);

  protected readonly filters = inject(NonNullableFormBuilder).group({ tenantId: '', action: '', actor: '', from: '', to: '' });
  protected readonly items = signal<readonly AuditEntry[]>([]);
  protected readonly nextCursor = signal<string | undefined>(undefined);
  protected readonly loading = signal(false);
  protected readonly problem = signal<Problem | undefined>(undefined);
  private current: AuditFilter = {};
  private generation = 0;

  constructor() {
    // The URL is the source of truth: applying filters navigates, and every navigation loads.
    this.route.queryParamMap.pipe(takeUntilDestroyed()).subscribe((params) => {
      const filter: Record<string, string> = {};
      for (const key of FILTER_KEYS) filter[key] = params.get(key) ?? '';
      if (!this.session.platformAdmin() && !filter['tenantId']) filter['tenantId'] = this.session.tenant()?.id ?? '';
      this.filters.setValue({ ...filter, from: isoToLocal(filter['from']!), to: isoToLocal(filter['to']!) } as never);
      this.current = Object.fromEntries(Object.entries(filter).filter(([, v]) => v)) as AuditFilter;
      void this.load(false);
    });
  }

  protected apply(): void {
    const v = this.filters.getRawValue();
    const queryParams: Record<string, string | null> = {
      tenantId: v.tenantId.trim() || null,
      action: v.action.trim() || null,
      actor: v.actor.trim() || null,
      from: localToIso(v.from) || null,
      to: localToIso(v.to) || null,
    };
    void this.router.navigate([], { relativeTo: this.route, queryParams });
  }

  protected clear(): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: {} });
  }

  protected async load(more: boolean): Promise<void> {
    const generation = ++this.generation;
    this.loading.set(true);
    this.problem.set(undefined);
    try {
      const page = await this.admin.audit(this.current, more ? this.nextCursor() : undefined);
      if (generation !== this.generation) return;
      this.items.set(more ? [...this.items(), ...page.items] : page.items);
      this.nextCursor.set(page.nextCursor ?? undefined);
    } catch (error) {
      if (generation !== this.generation) return;
      this.problem.set(toProblem(error));
      if (!more) this.items.set([]);
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }

  protected describe(value: unknown): string {
    if (value === null || value === undefined) return '';
    if (typeof value === 'string') return value;
    const v = value as Record<string, unknown>;
    return String(v['id'] ?? v['pluginId'] ?? v['type'] ?? JSON.stringify(value));
  }
}

/** ISO instant → `datetime-local` value in local time. */
function isoToLocal(value: string): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
