import type { JobQueue } from '@valueverse/plugin-sdk';
import { ANNOUNCE_JOB, announceSweep } from './plugin';

// Issue #14: the sweep that announces crossings a stopped instance left is queued with the write that recorded
// them, for its tenant, rather than run for every tenant every 5 minutes.
describe('announceSweep', () => {
  it('queues one sweep per tenant and minute, two minutes on (crossings older than a minute are the sweep’s)', async () => {
    const calls: unknown[][] = [];
    const jobs: Pick<JobQueue, 'enqueue'> = { enqueue: async (...args: unknown[]) => (calls.push(args), 'id') } as Pick<JobQueue, 'enqueue'>;
    const now = Date.parse('2026-06-01T10:00:20Z');
    await announceSweep(jobs, 'acme', now);
    await announceSweep(jobs, 'globex', now + 30_000);
    const at = Date.parse('2026-06-01T10:02:00Z');
    expect(calls).toEqual([
      [ANNOUNCE_JOB, 'acme', undefined, { jobId: `announce-acme-${at}`, delayMs: at - now }],
      [ANNOUNCE_JOB, 'globex', undefined, { jobId: `announce-globex-${at}`, delayMs: at - now - 30_000 }],
    ]);
  });
});
