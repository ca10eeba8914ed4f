import { Router } from '@koa/router';
import { VvError } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import { requireRole } from '../http/kernel-route';
import type { RequestState } from '../http/request-state';
import type { SchemaValidator } from '../http/schema-validator';
import type { DeadLetters } from './kernel-job-queue';

/**
 * Platform-admin routes over the job queue's dead letters (jobs that used up their attempts), the same on the
 * in-process and the BullMQ queue: `GET /api/v1/admin/jobs/dead` (`?tenantId=&limit=&cursor=`, newest first),
 * `POST /api/v1/admin/jobs/dead/:id/retry` (back in the queue with a fresh set of attempts) and
 * `DELETE /api/v1/admin/jobs/dead/:id` (given up on for good). Retries and deletions are audited.
 */
export function jobRoutes(deps: { jobs: DeadLetters; validator: SchemaValidator; auditor?: Auditor }): Router<RequestState> {
  const { jobs, validator, auditor } = deps;
  const router = new Router<RequestState>({ prefix: '/api/v1/admin/jobs' });
  const deadQuery = validator.compile({
    type: 'object',
    additionalProperties: false,
    properties: {
      tenantId: { type: 'string', minLength: 1, maxLength: 63 },
      limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
      cursor: { type: 'string', minLength: 1, maxLength: 1000 },
    },
  }, 'query');

  router.get('/dead', async (ctx) => {
    requireRole(ctx, 'platform-admin');
    const query = ctx.query as Record<string, string>;
    const problems = deadQuery(query);
    if (problems.length > 0) throw VvError.validation(problems);
    const limit = Math.min(Math.max(Number(query.limit ?? 50), 1), 200);
    ctx.body = await jobs.listDead({ tenantId: query.tenantId, limit, cursor: query.cursor });
  });

  router.post('/dead/:id/retry', async (ctx) => {
    requireRole(ctx, 'platform-admin');
    const id = ctx.params.id!;
    const job = await jobs.retryDead(id);
    if (!job) throw new VvError('VV_NOT_FOUND', { params: { reason: `No dead-lettered job "${id}"` } });
    await auditor?.record({ action: 'job.retried', tenantId: job.tenantId, target: `job:${job.id}`, before: { attempts: job.attempts, error: job.error, failedAt: job.failedAt } }, ctx);
    ctx.status = 202;
    ctx.body = { id: job.id, queue: job.queue, jobId: job.jobId, tenantId: job.tenantId, status: 'queued' };
  });

  router.delete('/dead/:id', async (ctx) => {
    requireRole(ctx, 'platform-admin');
    const id = ctx.params.id!;
    const job = await jobs.deleteDead(id);
    if (!job) throw new VvError('VV_NOT_FOUND', { params: { reason: `No dead-lettered job "${id}"` } });
    await auditor?.record({ action: 'job.deleted', tenantId: job.tenantId, target: `job:${job.id}`, before: { attempts: job.attempts, error: job.error, failedAt: job.failedAt } }, ctx);
    ctx.status = 204;
  });

  return router;
}
