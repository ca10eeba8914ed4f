import type { JobQueue, SqlTransaction } from '@valueverse/plugin-sdk';
import { FLUSH_JOB, NotificationDispatcher, type DispatcherDeps } from './notification-dispatcher';

// Issue #14: a tenant's flush and sweep run because it has deliveries to flush or watch, not every minute for every
// tenant. The dispatcher queues them in the transaction that stores the deliveries.

describe('flush jobs queued with the deliveries', () => {
  const now = new Date('2026-06-01T10:00:20Z');
  const enqueued: { name: string; tenantId: string; jobId?: string; delayMs?: number }[] = [];
  const jobs = {
    enqueue: async (name: string, tenantId: string, _data: unknown, options?: { jobId?: string; delayMs?: number }) => {
      enqueued.push({ name, tenantId, jobId: options?.jobId, delayMs: options?.delayMs });
      return options?.jobId ?? 'id';
    },
  } as unknown as JobQueue;
  const dispatcher = new NotificationDispatcher({ jobs, now: () => now } as unknown as DispatcherDeps);
  // The insert answers every row as created (no conflict).
  const tx = { query: async (_sql: string, params: unknown[] = []) => ((params[4] as string[] | undefined) ?? []).map((id) => ({ id })) } as unknown as SqlTransaction;
  const request = { eventId: 'e-1', category: 'wins', critical: false };
  const row = (id: string, channel: 'email' | 'inbox', status: 'queued' | 'held' | 'sent', releaseAt: Date | null = null) => ({
    id,
    recipient: 'user:u-1',
    channel,
    status,
    reason: null,
    content: { subject: 's', text: 't' },
    releaseAt,
  });

  beforeEach(() => void (enqueued.length = 0));

  it('queues a flush at the minute a held delivery is due, and a sweep three minutes after one is queued; an inbox item needs neither', async () => {
    await dispatcher.claim(tx, 'acme', request, [
      row('00000000-0000-4000-8000-000000000001', 'email', 'held', new Date('2026-06-01T11:00:30Z')),
      row('00000000-0000-4000-8000-000000000002', 'email', 'queued'),
      row('00000000-0000-4000-8000-000000000003', 'inbox', 'sent'),
    ]);
    const due = Date.parse('2026-06-01T11:01:00Z');
    const sweep = Date.parse('2026-06-01T10:03:00Z');
    expect(enqueued).toEqual([
      { name: FLUSH_JOB, tenantId: 'acme', jobId: `flush-acme-${due}`, delayMs: due - now.getTime() },
      { name: FLUSH_JOB, tenantId: 'acme', jobId: `flush-acme-${sweep}`, delayMs: sweep - now.getTime() },
    ]);
  });

  it('queues one job per tenant and minute: a second delivery in the same minute adds none, another tenant gets its own', async () => {
    await dispatcher.claim(tx, 'globex', request, [row('00000000-0000-4000-8000-000000000004', 'email', 'queued')]);
    await dispatcher.claim(tx, 'globex', request, [row('00000000-0000-4000-8000-000000000005', 'email', 'queued')]);
    await dispatcher.claim(tx, 'initech', request, [row('00000000-0000-4000-8000-000000000006', 'email', 'queued')]);
    expect(enqueued.map((j) => j.jobId)).toEqual([`flush-globex-${Date.parse('2026-06-01T10:03:00Z')}`, `flush-initech-${Date.parse('2026-06-01T10:03:00Z')}`]);
  });

  it('queues nothing when nothing was created', async () => {
    await dispatcher.claim(tx, 'acme', request, []);
    await dispatcher.claim(tx, 'acme', request, [row('00000000-0000-4000-8000-000000000007', 'inbox', 'sent')]);
    expect(enqueued).toEqual([]);
  });
});
