import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem } from '../../api/problem';
import { confirm } from '../../ui/confirm-dialog';
import { RequestState } from '../../ui/request-state';

/** GET /api/v1/admin/jobs/dead item. */
interface DeadJob {
  readonly id: string;
  readonly queue: string;
  readonly jobId: string;
  readonly tenantId: string;
  readonly attempts: number;
  readonly error: string;
  readonly failedAt: string;
}

/**
 * Background jobs that used up their retries (the kernel's dead letters), newest first: run one again from its
 * first attempt, or give up on it after confirming. Filtered by tenant when one is typed.
 */
@Component({
  selector: 'vv-failed-jobs-page',
  imports: [DatePipe, RequestState],
  templateUrl: './failed-jobs.page.html',
  styleUrl: '../self-service.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class FailedJobsPage {
  private readonly api = inject(ApiClient);
  private readonly dialog = inject(MatDialog);

  protected readonly tenantFilter = signal('');
  protected readonly jobs = resource({
    params: () => ({ tenantId: this.tenantFilter().trim() || undefined }),
    loader: async ({ params, abortSignal }) =>
      (await this.api.get<{ items: DeadJob[]; nextCursor: string | null }>('/api/v1/admin/jobs/dead', { tenantId: params.tenantId, limit: 200 }, abortSignal)).items,
  });
  protected readonly problem = computed(() => (this.jobs.error() ? toProblem(this.jobs.error()) : undefined));
  protected readonly busy = signal(false);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);

  protected async retry(job: DeadJob): Promise<void> {
    await this.run(async () => {
      await this.api.post(`/api/v1/admin/jobs/dead/${encodeURIComponent(job.id)}/retry`);
      this.message.set(`${job.queue} (${job.jobId}) is queued again.`);
    });
  }

  protected async remove(job: DeadJob): Promise<void> {
    const ok = await confirm(this.dialog, {
      title: `Delete the failed job ${job.jobId}?`,
      message: `It will not run again and its error is forgotten (the audit log keeps a record). Queue: ${job.queue}, tenant: ${job.tenantId}.`,
      confirmLabel: 'Delete job',
      danger: true,
    });
    if (!ok) return;
    await this.run(async () => {
      await this.api.delete(`/api/v1/admin/jobs/dead/${encodeURIComponent(job.id)}`);
      this.message.set(`${job.queue} (${job.jobId}) was deleted.`);
    });
  }

  private async run(work: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.message.set(undefined);
    this.error.set(undefined);
    try {
      await work();
    } catch (error) {
      this.error.set(describeProblem(toProblem(error)));
    } finally {
      this.busy.set(false);
      this.jobs.reload();
    }
  }
}
