import { DatePipe, KeyValuePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule, type NgForm } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { ActivatedRoute } from '@angular/router';
import { describeProblem, toProblem, type Problem } from '../../api/problem';
import { SessionService } from '../../session/session.service';
import { DataApi, type ErasureReport, type TenantExport } from './data-api';

/**
 * A tenant's data lifecycle: exports (start, watch, download while the window is open), erasure of a person with
 * the report of what each store did, and retention policies per data class.
 */
@Component({
  selector: 'vv-data-page',
  imports: [DatePipe, KeyValuePipe, FormsModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  templateUrl: './data.page.html',
  styles: `
    section {
      margin-bottom: 1.5rem;
    }
    .row {
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem 1rem;
      align-items: center;
    }
    .retention {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
      gap: 0.75rem 1rem;
    }
    .problem {
      color: var(--vv-danger, #b00020);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DataPage {
  private readonly data = inject(DataApi);
  private readonly session = inject(SessionService);
  protected readonly tenantId = inject(ActivatedRoute).snapshot.paramMap.get('tenantId') ?? this.session.tenant()?.id ?? '';

  protected readonly exports = signal<readonly TenantExport[]>([]);
  protected readonly exporting = signal(false);
  protected readonly exportProblem = signal<Problem | undefined>(undefined);

  protected email = '';
  protected names = '';
  protected readonly erasing = signal(false);
  protected readonly erasure = signal<ErasureReport | undefined>(undefined);
  protected readonly erasureProblem = signal<Problem | undefined>(undefined);

  protected readonly dataClasses = signal<readonly string[]>([]);
  protected readonly days = signal<Record<string, number | null>>({});
  protected readonly retentionSaved = signal(false);
  protected readonly retentionProblem = signal<Problem | undefined>(undefined);
  protected readonly pending = computed(() => this.exports().some((e) => e.state === 'pending'));

  constructor() {
    void this.loadExports();
    void this.loadRetention();
  }

  protected describe(problem: Problem): string {
    return describeProblem(problem);
  }

  protected rows(e: TenantExport): number {
    return e.manifest?.files.reduce((n, f) => n + f.rows, 0) ?? 0;
  }

  protected async loadExports(): Promise<void> {
    try {
      this.exports.set((await this.data.exports(this.tenantId)).items);
      this.exportProblem.set(undefined);
      // A job builds the archive: poll while one is pending.
      if (this.pending()) setTimeout(() => void this.loadExports(), 1000);
    } catch (error) {
      this.exportProblem.set(toProblem(error));
    }
  }

  protected async startExport(): Promise<void> {
    this.exporting.set(true);
    try {
      await this.data.startExport(this.tenantId);
      await this.loadExports();
    } catch (error) {
      this.exportProblem.set(toProblem(error));
    } finally {
      this.exporting.set(false);
    }
  }

  protected async download(e: TenantExport): Promise<void> {
    try {
      const blob = await this.data.archive(this.tenantId, e.id);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `${this.tenantId}-export-${e.id}.tar.gz`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      this.exportProblem.set(toProblem(error));
    }
  }

  protected async erase(form: NgForm): Promise<void> {
    const email = this.email.trim();
    if (!email) return;
    if (!window.confirm(`Erase ${email} from tenant ${this.tenantId}? This cannot be undone.`)) return;
    this.erasing.set(true);
    this.erasure.set(undefined);
    this.erasureProblem.set(undefined);
    try {
      const names = this.names
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n.length >= 3);
      this.erasure.set(await this.data.erase(this.tenantId, { email, ...(names.length > 0 ? { names } : {}) }));
      // Cleared and untouched: an empty required field after a success is not an error.
      form.resetForm({ email: '', names: '' });
    } catch (error) {
      this.erasureProblem.set(toProblem(error));
    } finally {
      this.erasing.set(false);
    }
  }

  protected total(rows: Readonly<Record<string, number>> | undefined): number {
    return Object.values(rows ?? {}).reduce((n, v) => n + v, 0);
  }

  protected async loadRetention(): Promise<void> {
    try {
      const r = await this.data.retention(this.tenantId);
      this.dataClasses.set(r.dataClasses);
      this.days.set(Object.fromEntries(r.dataClasses.map((c) => [c, r.policies[c] ?? null])));
    } catch (error) {
      this.retentionProblem.set(toProblem(error));
    }
  }

  protected setDays(dataClass: string, value: string): void {
    const n = value.trim() === '' ? null : Number(value);
    this.days.set({ ...this.days(), [dataClass]: n });
    this.retentionSaved.set(false);
  }

  protected async saveRetention(): Promise<void> {
    const policies: Record<string, number> = {};
    for (const [c, d] of Object.entries(this.days())) if (d !== null && Number.isFinite(d)) policies[c] = d;
    try {
      const r = await this.data.setRetention(this.tenantId, policies);
      this.days.set(Object.fromEntries(r.dataClasses.map((c) => [c, r.policies[c] ?? null])));
      this.retentionProblem.set(undefined);
      this.retentionSaved.set(true);
    } catch (error) {
      this.retentionProblem.set(toProblem(error));
    }
  }
}
