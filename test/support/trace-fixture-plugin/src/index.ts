import { coreServices, definePlugin } from '@valueverse/plugin-sdk';

/**
 * The tracing suite's plugin (test/integration/tracing.test.ts): `POST /trace-probe/ping` publishes
 * `trace-probe.pinged`; its subscriber, on every instance, queues the job `record` under the event's id (queued
 * once, whichever instance comes first); the job, on a worker, logs the event id.
 */
export const plugin = definePlugin({
  deps: { http: coreServices.http, events: coreServices.events, jobs: coreServices.jobs, logger: coreServices.logger },
  setup({ http, events, jobs, logger }) {
    jobs.define<{ eventId: string }>('record', async (job) => {
      logger.info({ eventId: job.data.eventId, tenantId: job.tenantId }, 'trace-probe recorded');
    });
    events.subscribe<{ ping: number }>('trace-probe.pinged', async (event) => {
      await jobs.enqueue('record', event.tenantId, { eventId: event.id }, { jobId: `record-${event.id}` });
    });
    http.route({
      method: 'POST',
      path: '/trace-probe/ping',
      summary: 'Publishes trace-probe.pinged for the caller tenant',
      minRole: 'viewer',
      handler: async (request) => {
        await events.publish('trace-probe.pinged', request.tenant.id, { ping: 1 });
        return { published: true };
      },
    });
  },
});
