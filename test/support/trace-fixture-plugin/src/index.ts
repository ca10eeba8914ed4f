import { randomUUID } from 'node:crypto';
import { coreServices, definePlugin } from '@valueverse/plugin-sdk';

/**
 * The tracing and rolling-upgrade suites' plugin (test/integration/tracing.test.ts, rolling-upgrade.test.ts):
 * `POST /trace-probe/ping` publishes `trace-probe.pinged` with a new ping id and answers it; its subscriber, on every
 * instance, queues the job `record` under the event's id (a duplicate is dropped while the first still waits); the
 * job, on a worker, logs "trace-probe recorded" with the ping id.
 */
export const plugin = definePlugin({
  deps: { http: coreServices.http, events: coreServices.events, jobs: coreServices.jobs, logger: coreServices.logger },
  setup({ http, events, jobs, logger }) {
    jobs.define<{ eventId: string; pingId: string }>('record', async (job) => {
      logger.info({ eventId: job.data.eventId, pingId: job.data.pingId, tenantId: job.tenantId }, 'trace-probe recorded');
    });
    events.subscribe<{ pingId: string }>('trace-probe.pinged', async (event) => {
      await jobs.enqueue('record', event.tenantId, { eventId: event.id, pingId: event.payload.pingId }, { jobId: `record-${event.id}` });
    });
    http.route({
      method: 'POST',
      path: '/trace-probe/ping',
      summary: 'Publishes trace-probe.pinged for the caller tenant',
      minRole: 'viewer',
      handler: async (request) => {
        const pingId = randomUUID();
        await events.publish('trace-probe.pinged', request.tenant.id, { pingId });
        return { published: true, pingId };
      },
    });
  },
});
