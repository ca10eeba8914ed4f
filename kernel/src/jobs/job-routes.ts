import { VvError, type JsonSchema } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import { KernelRouteList, type KernelRoute } from '../http/kernel-route';
import type { DeadLetters } from './kernel-job-queue';

const deadJobQuerySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    tenantId: { type: 'string', minLength: 1, maxLength: 63 },
    limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
    cursor: { type: 'string', minLength: 1, maxLength: 1000 },
  },
};

/**
 * Platform-admin routes over the job queue's dead letters (jobs that used up their attempts), the same on the
 * in-process and the BullMQ queue: `GET /api/v1/admin/jobs/dead` (`?tenantId=&limit=&cursor=`, newest first),
 * `POST /api/v1/admin/jobs/dead/:id/retry` (back in the queue with a fresh set of attempts) and
 * `DELETE /api/v1/admin/jobs/dead/:id` (given up on for good). Retries and deletions are audited.
 */
export function jobRoutes(deps: { jobs: DeadLetters; auditor?: Auditor }): KernelRoute[] {
  const { jobs, auditor } = deps;
  const routes = new KernelRouteList();

  routes.get(
    '/api/v1/admin/jobs/dead',
    { access: 'platform-admin', summary: 'Jobs that used up their retries, newest first (?tenantId=, cursor pagination)', query: deadJobQuerySchema },
    async (ctx, input) => {
      const query = input.query<Record<string, string>>();
      const limit = Math.min(Math.max(Number(query.limit ?? 50), 1), 200);
      ctx.body = await jobs.listDead({ tenantId: query.tenantId, limit, cursor: query.cursor });
    },
  );

  routes.post('/api/v1/admin/jobs/dead/:id/retry', { access: 'platform-admin', summary: 'Run a dead job again from its first attempt' }, async (ctx) => {
    const id = ctx.params.id!;
    const job = await jobs.retryDead(id);
    if (!job) throw new VvError('VV_NOT_FOUND', { params: { reason: `No dead-lettered job "${id}"` } });
    await auditor?.record(
      { action: 'job.retried', tenantId: job.tenantId, target: `job:${job.id}`, before: { attempts: job.attempts, error: job.error, failedAt: job.failedAt } },
      ctx,
    );
    ctx.status = 202;
    ctx.body = { id: job.id, queue: job.queue, jobId: job.jobId, tenantId: job.tenantId, status: 'queued' };
  });

  routes.delete('/api/v1/admin/jobs/dead/:id', { access: 'platform-admin', summary: 'Give up on a dead job for good (its job id may be enqueued again)' }, async (ctx) => {
    const id = ctx.params.id!;
    const job = await jobs.deleteDead(id);
    if (!job) throw new VvError('VV_NOT_FOUND', { params: { reason: `No dead-lettered job "${id}"` } });
    await auditor?.record(
      { action: 'job.deleted', tenantId: job.tenantId, target: `job:${job.id}`, before: { attempts: job.attempts, error: job.error, failedAt: job.failedAt } },
      ctx,
    );
    ctx.status = 204;
  });

  return routes.routes;
}
