import { coreServices, definePlugin, respond } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { expectProblem, manifest } from '../__fixtures__/kernel-test-support';

// A plugin whose `deliver` job fails until `healthy`; POST /hooks enqueues one for the caller's tenant.
let healthy = false;
const runs: { tenantId: string; attempt: number }[] = [];
const hooks = {
  manifest: manifest('hooks', { routes: ['/hooks'], permissions: ['jobs'] }),
  plugin: definePlugin({
    deps: { http: coreServices.http, jobs: coreServices.jobs },
    setup({ http, jobs }) {
      jobs.define<{ url: string }>(
        'deliver',
        async (job) => {
          runs.push({ tenantId: job.tenantId, attempt: job.attempt });
          if (!healthy) throw new Error(`POST ${job.data.url}: 502`);
        },
        { attempts: 2, backoffMs: 10 },
      );
      http.route({
        method: 'POST',
        path: '/hooks',
        handler: async (req) => respond(202, { jobId: await jobs.enqueue('deliver', req.tenant.id, { url: 'https://example.test/hook' }) }),
      });
    },
  }),
};

const admin = { role: 'platform-admin' as const };

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() - started > 3000) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('dead-letter admin routes (in-process queue)', () => {
  let k: TestKernel;
  const dead = (query = '') => k.request('GET', `/api/v1/admin/jobs/dead${query}`, admin);
  const enqueue = async (tenant: string) => {
    const res = await k.request('POST', '/api/v1/hooks', { tenant, body: {} });
    expect(res.status).toBe(202);
    return res.body.jobId as string;
  };

  beforeAll(async () => {
    k = await createTestKernel({ tenants: ['acme', 'globex'], plugins: [hooks] });
  });
  afterAll(() => k.close());

  it('lists a job that used up its attempts, newest first, with its tenant, attempts and last error', async () => {
    const first = await enqueue('acme');
    await eventually(
      () => dead(),
      (res) => res.body.items?.length === 1,
    );
    const second = await enqueue('globex');
    const res = await eventually(
      () => dead(),
      (r) => r.body.items?.length === 2,
    );
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((j: { jobId: string }) => j.jobId)).toEqual([second, first]);
    expect(res.body.items[1]).toEqual({
      id: `hooks.deliver:${first}`,
      queue: 'hooks.deliver',
      jobId: first,
      tenantId: 'acme',
      data: { url: 'https://example.test/hook' },
      attempts: 2,
      error: 'POST https://example.test/hook: 502',
      failedAt: expect.any(String),
    });
  });

  it('filters by ?tenantId= and pages with ?limit=&cursor=', async () => {
    const globex = await dead('?tenantId=globex');
    expect(globex.body.items.map((j: { tenantId: string }) => j.tenantId)).toEqual(['globex']);
    const page1 = await dead('?limit=1');
    expect(page1.body.items).toHaveLength(1);
    expect(typeof page1.body.nextCursor).toBe('string');
    const page2 = await dead(`?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`);
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);
  });

  it('is for platform admins only: a tenant admin gets 403 VV_FORBIDDEN', async () => {
    expectProblem(await k.request('GET', '/api/v1/admin/jobs/dead', { role: 'tenant-admin' }), 403, 'VV_FORBIDDEN');
    expectProblem(await k.request('POST', `/api/v1/admin/jobs/dead/${encodeURIComponent('hooks.deliver:x')}/retry`, { role: 'tenant-admin' }), 403, 'VV_FORBIDDEN');
  });

  it('answers 400 VV_VALIDATION for a bad limit, an unknown parameter or a forged cursor', async () => {
    for (const query of ['?limit=lots', '?page=2', '?cursor=forged']) {
      const body = expectProblem(await dead(query), 400, 'VV_VALIDATION');
      expect(body.errors.length).toBeGreaterThan(0);
    }
  });

  it('retries a dead job: 202, it runs again from attempt 1 and leaves the list', async () => {
    const before = await dead('?tenantId=acme');
    const job = before.body.items[0] as { id: string; jobId: string };
    healthy = true;
    runs.length = 0;
    const res = await k.request('POST', `/api/v1/admin/jobs/dead/${encodeURIComponent(job.id)}/retry`, admin);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: job.id, queue: 'hooks.deliver', jobId: job.jobId, tenantId: 'acme', status: 'queued' });
    await eventually(
      async () => runs,
      (r) => r.length === 1,
    );
    expect(runs).toEqual([{ tenantId: 'acme', attempt: 1 }]);
    expect((await dead('?tenantId=acme')).body.items).toEqual([]);
    const audit = await k.request('GET', '/api/v1/admin/audit?action=job.retried', admin);
    expect(audit.body.items).toEqual([expect.objectContaining({ action: 'job.retried', tenantId: 'acme', target: `job:${job.id}` })]);
  });

  it('deletes a dead job: 204, it leaves the list, a second delete or a retry is 404, and it is audited as job.deleted', async () => {
    healthy = false;
    await enqueue('globex');
    const listed = await eventually(
      () => dead('?tenantId=globex'),
      (res) => res.body.items?.length === 2,
    );
    const job = listed.body.items[0] as { id: string; attempts: number; error: string; failedAt: string };
    const path = `/api/v1/admin/jobs/dead/${encodeURIComponent(job.id)}`;
    expectProblem(await k.request('DELETE', path, { role: 'tenant-admin', tenant: 'globex' }), 403, 'VV_FORBIDDEN');
    const res = await k.request('DELETE', path, admin);
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect((await dead('?tenantId=globex')).body.items.map((j: { id: string }) => j.id)).not.toContain(job.id);
    expectProblem(await k.request('DELETE', path, admin), 404, 'VV_NOT_FOUND');
    expectProblem(await k.request('POST', `${path}/retry`, admin), 404, 'VV_NOT_FOUND');
    const audit = await k.request('GET', '/api/v1/admin/audit?action=job.deleted', admin);
    expect(audit.body.items).toEqual([
      expect.objectContaining({ action: 'job.deleted', tenantId: 'globex', target: `job:${job.id}`, before: { attempts: job.attempts, error: job.error, failedAt: job.failedAt } }),
    ]);
  });

  it('answers 404 VV_NOT_FOUND when deleting a job that is not dead', async () => {
    expectProblem(await k.request('DELETE', `/api/v1/admin/jobs/dead/${encodeURIComponent('hooks.deliver:nope')}`, admin), 404, 'VV_NOT_FOUND');
  });

  it('answers 404 VV_NOT_FOUND when retrying a job that is not dead', async () => {
    expectProblem(await k.request('POST', `/api/v1/admin/jobs/dead/${encodeURIComponent('hooks.deliver:nope')}/retry`, admin), 404, 'VV_NOT_FOUND');
  });
});
