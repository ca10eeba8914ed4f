import { isVvError, type JobContext, type JobQueue, type JobSchedule, type PluginManifest } from '@valueverse/plugin-sdk';
import type { DeadJob, KernelJobQueue } from './kernel-job-queue';

const manifest = (id: string): PluginManifest => ({ id, version: '1.0.0', displayName: id, kernel: '^1.0.0', main: 'dist/index.js', permissions: ['jobs'] });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The slot (epoch ms) in the id of a scheduled run: `scheduled:<ISO time>[:<tenant>]`. */
export function slotOf(job: { id: string }): number {
  const match = /^scheduled:([^Z]+Z)(?::.*)?$/.exec(job.id);
  if (!match) throw new Error(`"${job.id}" is not the id of a scheduled run`);
  return Date.parse(match[1]!);
}

/** Polls `read` until `done` holds (every 10 ms, up to `timeoutMs`); returns the last value read. */
export async function eventually<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The behaviour every `KernelJobQueue` must have, whatever runs it. Run it from each implementation's test file:
 *
 * @example
 * describeJobQueueContract('InProcessJobQueue', async () => new InProcessJobQueue(logger));
 *
 * `makeQueue` runs before every test and returns a queue that is not started and sees no other test's jobs;
 * `cleanup` runs after every test, after the queue's `close()`.
 */
export function describeJobQueueContract(name: string, makeQueue: () => Promise<KernelJobQueue>, cleanup?: () => Promise<void>): void {
  describe(`KernelJobQueue contract: ${name}`, () => {
    let queue: KernelJobQueue;
    let jobs: JobQueue;

    beforeEach(async () => {
      queue = await makeQueue();
      jobs = queue.forPlugin(manifest('mailer'));
    });

    afterEach(async () => {
      await queue.close();
      await cleanup?.();
    });

    const deadList = async (tenantId?: string): Promise<DeadJob[]> => [...(await queue.listDead({ tenantId, limit: 200 })).items];

    it('runs a job with its id, namespaced name, tenant, data and attempt 1', async () => {
      const seen: JobContext<{ to: string }>[] = [];
      jobs.define<{ to: string }>('send', async (job) => {
        seen.push(job);
      });
      await queue.start();
      const id = await jobs.enqueue('send', 'acme', { to: 'a@acme.test' });
      await eventually(
        () => seen.length,
        (n) => n === 1,
      );
      expect(seen[0]).toEqual({ id, name: 'mailer.send', tenantId: 'acme', data: { to: 'a@acme.test' }, attempt: 1 });
    });

    it('holds jobs enqueued before start() until then', async () => {
      const ran: string[] = [];
      jobs.define('send', async (job) => {
        ran.push(job.id);
      });
      const id = await jobs.enqueue('send', 'acme', {});
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(ran).toEqual([]);
      await queue.start();
      await eventually(
        () => ran,
        (r) => r.length === 1,
      );
      expect(ran).toEqual([id]);
    });

    it('retries a failing job with exponential backoff: attempts 1, 2, 3, waiting 200 ms then 400 ms', async () => {
      const tries: { attempt: number; at: number }[] = [];
      jobs.define(
        'flaky',
        async (job) => {
          tries.push({ attempt: job.attempt, at: Date.now() });
          if (job.attempt < 3) throw new Error(`failure ${job.attempt}`);
        },
        { attempts: 3, backoffMs: 200 },
      );
      await queue.start();
      await jobs.enqueue('flaky', 'acme', {});
      await eventually(
        () => tries.length,
        (n) => n === 3,
      );
      expect(tries.map((t) => t.attempt)).toEqual([1, 2, 3]);
      const first = tries[1]!.at - tries[0]!.at;
      const second = tries[2]!.at - tries[1]!.at;
      // Timers may fire a few ms early, and a busy machine may delay either retry by any amount, so only lower bounds
      // are asserted. They show the growth: with a fixed 200 ms backoff the second wait would be about 200 ms.
      expect(first).toBeGreaterThanOrEqual(195);
      expect(second).toBeGreaterThanOrEqual(395);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await deadList()).toEqual([]);
    });

    it('dead-letters a job that fails every attempt, with its tenant, data, attempts and last error', async () => {
      let calls = 0;
      jobs.define(
        'doomed',
        async (job) => {
          calls += 1;
          throw new Error(`boom ${job.attempt}`);
        },
        { attempts: 2, backoffMs: 20 },
      );
      await queue.start();
      const before = Date.now();
      const jobId = await jobs.enqueue('doomed', 'acme', { invoice: 7 });
      const [dead] = await eventually(deadList, (d) => d.length === 1);
      expect(calls).toBe(2);
      expect(dead).toEqual({
        id: `mailer.doomed:${jobId}`,
        queue: 'mailer.doomed',
        jobId,
        tenantId: 'acme',
        data: { invoice: 7 },
        attempts: 2,
        error: 'boom 2',
        failedAt: expect.any(String),
      });
      expect(Date.parse(dead!.failedAt)).toBeGreaterThanOrEqual(before - 5);
    });

    it('lists dead jobs newest first, pages with a cursor without gaps or repeats, and filters by tenant', async () => {
      jobs.define(
        'doomed',
        async () => {
          throw new Error('no');
        },
        { attempts: 1 },
      );
      await queue.start();
      const ids: string[] = [];
      for (const tenant of ['acme', 'globex', 'acme', 'globex', 'acme']) {
        const jobId = await jobs.enqueue('doomed', tenant, {});
        ids.push(`mailer.doomed:${jobId}`);
        // Distinct failure times make "newest first" observable.
        await eventually(deadList, (d) => d.length === ids.length);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const all = await deadList();
      expect(all.map((d) => d.id)).toEqual([...ids].reverse());

      const paged: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await queue.listDead({ limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        paged.push(...page.items.map((d) => d.id));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor && pages < 10);
      expect(paged).toEqual(all.map((d) => d.id));
      expect(pages).toBe(3);

      const acme = await queue.listDead({ tenantId: 'acme', limit: 2 });
      expect(acme.items.map((d) => d.id)).toEqual([ids[4], ids[2]]);
      const rest = await queue.listDead({ tenantId: 'acme', limit: 2, cursor: acme.nextCursor! });
      expect(rest).toEqual({ items: [expect.objectContaining({ id: ids[0], tenantId: 'acme' })], nextCursor: null });
      expect((await deadList('initech')).length).toBe(0);
    });

    it('refuses a cursor it did not make with VV_VALIDATION', async () => {
      const error = await queue.listDead({ limit: 2, cursor: 'not-a-cursor' }).catch((e: unknown) => e);
      expect(isVvError(error) ? error.code : error).toBe('VV_VALIDATION');
    });

    it('retries a dead job with a fresh set of attempts: it leaves the dead list and runs from attempt 1 again', async () => {
      let healthy = false;
      const attempts: number[] = [];
      jobs.define(
        'webhook',
        async (job) => {
          attempts.push(job.attempt);
          if (!healthy) throw new Error('endpoint down');
        },
        { attempts: 2, backoffMs: 10 },
      );
      await queue.start();
      const jobId = await jobs.enqueue('webhook', 'acme', { url: 'https://example.test' });
      const [dead] = await eventually(deadList, (d) => d.length === 1);
      healthy = true;
      const retried = await queue.retryDead(dead!.id);
      expect(retried).toMatchObject({ id: dead!.id, jobId, tenantId: 'acme', attempts: 2 });
      await eventually(
        () => attempts,
        (a) => a.length === 3,
      );
      expect(attempts).toEqual([1, 2, 1]);
      expect(await eventually(deadList, (d) => d.length === 0)).toEqual([]);
      expect(await queue.retryDead(dead!.id)).toBeUndefined();
    });

    it('answers undefined when retrying a job that is not dead', async () => {
      jobs.define('send', async () => {});
      await queue.start();
      expect(await queue.retryDead('mailer.send:nope')).toBeUndefined();
      expect(await queue.retryDead('no-such.queue:nope')).toBeUndefined();
      expect(await queue.retryDead('garbage')).toBeUndefined();
    });

    it('does not enqueue a jobId twice while the first is pending, and accepts it again once that one succeeded', async () => {
      const ran: string[] = [];
      jobs.define('digest', async (job) => {
        ran.push(job.id);
      });
      await queue.start();
      expect(await jobs.enqueue('digest', 'acme', { n: 1 }, { jobId: 'daily-2026-01-01', delayMs: 100 })).toBe('daily-2026-01-01');
      expect(await jobs.enqueue('digest', 'acme', { n: 2 }, { jobId: 'daily-2026-01-01' })).toBe('daily-2026-01-01');
      await eventually(
        () => ran.length,
        (n) => n === 1,
      );
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(ran).toEqual(['daily-2026-01-01']);
      await jobs.enqueue('digest', 'acme', {}, { jobId: 'daily-2026-01-01' });
      await eventually(
        () => ran.length,
        (n) => n === 2,
      );
    });

    it('takes any string as a jobId, including ones BullMQ refuses as ids (with ":" or all digits)', async () => {
      const ran: string[] = [];
      jobs.define('send', async (job) => {
        ran.push(job.id);
      });
      await queue.start();
      await jobs.enqueue('send', 'acme', {}, { jobId: 'order:42' });
      await jobs.enqueue('send', 'acme', {}, { jobId: '42' });
      await jobs.enqueue('send', 'acme', {}, { jobId: '#42' });
      await eventually(
        () => ran.length,
        (n) => n === 3,
      );
      expect(ran.sort()).toEqual(['#42', '42', 'order:42']);
    });

    it('refuses to enqueue a job that is not defined (VV_NOT_FOUND), and a job name with ":" when it is defined', async () => {
      const error = await jobs.enqueue('missing', 'acme', {}).catch((e: unknown) => e);
      expect(isVvError(error) ? error.code : error).toBe('VV_NOT_FOUND');
      expect(() => jobs.define('bad:name', async () => {})).toThrow(/Job name "bad:name" of plugin "mailer"/);
    });

    it('deletes a dead job for good: it leaves the list, cannot be retried, and its jobId may be enqueued again', async () => {
      let healthy = false;
      const ran: { id: string; data: unknown }[] = [];
      jobs.define(
        'webhook',
        async (job) => {
          ran.push({ id: job.id, data: job.data });
          if (!healthy) throw new Error('endpoint down');
        },
        { attempts: 1 },
      );
      await queue.start();
      await jobs.enqueue('webhook', 'acme', { n: 1 }, { jobId: 'hook-1' });
      const [dead] = await eventually(deadList, (d) => d.length === 1);
      expect(await queue.deleteDead(dead!.id)).toEqual(dead);
      expect(await deadList()).toEqual([]);
      expect(await queue.retryDead(dead!.id)).toBeUndefined();
      expect(await queue.deleteDead(dead!.id)).toBeUndefined();
      healthy = true;
      await jobs.enqueue('webhook', 'acme', { n: 2 }, { jobId: 'hook-1' });
      await eventually(
        () => ran.length,
        (n) => n === 2,
      );
      expect(ran).toEqual([
        { id: 'hook-1', data: { n: 1 } },
        { id: 'hook-1', data: { n: 2 } },
      ]);
    });

    it('answers undefined when deleting a job that is not dead, and leaves a waiting one alone', async () => {
      const ran: string[] = [];
      jobs.define('send', async (job) => {
        ran.push(job.id);
      });
      await queue.start();
      await jobs.enqueue('send', 'acme', {}, { jobId: 'later', delayMs: 200 });
      expect(await queue.deleteDead('mailer.send:later')).toBeUndefined();
      expect(await queue.deleteDead('mailer.send:nope')).toBeUndefined();
      expect(await queue.deleteDead('no-such.queue:nope')).toBeUndefined();
      expect(await queue.deleteDead('garbage')).toBeUndefined();
      await eventually(
        () => ran,
        (r) => r.length === 1,
      );
      expect(ran).toEqual(['later']);
    });

    describe('schedules', () => {
      interface Seen {
        readonly id: string;
        readonly name: string;
        readonly tenantId: string;
        readonly data: unknown;
        readonly attempt: number;
        readonly at: number;
      }
      let seen: Seen[];
      const codeOf = (work: () => unknown): unknown => {
        try {
          work();
        } catch (error) {
          return isVvError(error) ? error.code : error;
        }
        return 'no error';
      };

      beforeEach(() => {
        seen = [];
        jobs.define('tick', async (job) => {
          seen.push({ ...job, at: Date.now() });
        });
      });

      it('runs once per slot from start() on: tenantId "*", the slot in the id, no data, at the slot', async () => {
        jobs.schedule('tick', { everyMs: 200 });
        await sleep(450);
        expect(seen).toEqual([]);
        const started = Date.now();
        await queue.start();
        await eventually(
          () => seen.length,
          (n) => n >= 3,
        );
        const slots = seen.map(slotOf);
        for (const [index, job] of seen.entries()) {
          expect(job).toEqual({
            id: `scheduled:${new Date(slots[index]!).toISOString()}`,
            name: 'mailer.tick',
            tenantId: '*',
            data: undefined,
            attempt: 1,
            at: expect.any(Number),
          });
          // Slots are `offsetMs + k × everyMs` after the epoch; a timer may fire a few ms early.
          expect(slots[index]! % 200).toBe(0);
          expect(job.at).toBeGreaterThanOrEqual(slots[index]! - 10);
        }
        expect(slots[0]).toBeGreaterThan(started);
        expect(slots.slice(1).map((slot, i) => slot - slots[i]!)).toEqual(slots.slice(1).map(() => 200));
      });

      it('keeps a schedule declared again, running each slot once', async () => {
        jobs.schedule('tick', { everyMs: 200 });
        jobs.schedule('tick', { everyMs: 200 });
        await queue.start();
        await eventually(
          () => seen.length,
          (n) => n >= 2,
        );
        jobs.schedule('tick', { everyMs: 200 });
        await eventually(
          () => seen.length,
          (n) => n >= 5,
        );
        const slots = seen.map(slotOf);
        expect(new Set(slots).size).toBe(slots.length);
        expect(slots.every((slot) => slot % 200 === 0)).toBe(true);
      });

      it('replaces a schedule declared with another period or offset: the old slots stop', async () => {
        jobs.schedule('tick', { everyMs: 300 });
        await queue.start();
        await eventually(
          () => seen.length,
          (n) => n >= 1,
        );
        jobs.schedule('tick', { everyMs: 300, offsetMs: 150 });
        const offsets = () => seen.map((job) => slotOf(job) % 300);
        await eventually(offsets, (o) => o.filter((x) => x === 150).length >= 3);
        const first = offsets().indexOf(150);
        expect(offsets().slice(first)).toEqual(
          offsets()
            .slice(first)
            .map(() => 150),
        );
        expect(
          offsets()
            .slice(0, first)
            .every((x) => x === 0),
        ).toBe(true);
      });

      it('runs a perTenant schedule once per slot for each tenant tenantsOf names when the slot comes', async () => {
        const tenants = ['acme', 'globex'];
        const asked = new Set<string>();
        jobs.schedule('tick', { everyMs: 250, perTenant: true });
        await queue.start({
          tenantsOf: async (pluginId) => {
            asked.add(pluginId);
            return [...tenants];
          },
        });
        await eventually(
          () => seen.length,
          (n) => n >= 2,
        );
        const first = slotOf(seen[0]!);
        const iso = new Date(first).toISOString();
        await eventually(
          () => seen.filter((job) => slotOf(job) === first).length,
          (n) => n === 2,
        );
        expect(
          seen
            .filter((job) => slotOf(job) === first)
            .map((job) => [job.tenantId, job.id])
            .sort(),
        ).toEqual([
          ['acme', `scheduled:${iso}:acme`],
          ['globex', `scheduled:${iso}:globex`],
        ]);
        tenants.splice(1);
        // A slot that fires from now on reads the new list.
        const cut = Date.now();
        await eventually(
          () => seen.filter((job) => slotOf(job) > cut + 250),
          (later) => later.length >= 2,
        );
        expect(new Set(seen.filter((job) => slotOf(job) > cut + 250).map((job) => job.tenantId))).toEqual(new Set(['acme']));
        expect([...asked]).toEqual(['mailer']);
        const ids = seen.map((job) => job.id);
        expect(new Set(ids).size).toBe(ids.length);
      });

      it('dead-letters a scheduled run that fails every attempt, like an enqueued job', async () => {
        jobs.define(
          'failing',
          async () => {
            throw new Error('feed unreachable');
          },
          { attempts: 2, backoffMs: 20 },
        );
        jobs.schedule('failing', { everyMs: 200 });
        await queue.start();
        const [dead] = await eventually(deadList, (d) => d.length >= 1);
        expect(dead).toEqual({
          id: `mailer.failing:${dead!.jobId}`,
          queue: 'mailer.failing',
          jobId: `scheduled:${new Date(slotOf({ id: dead!.jobId })).toISOString()}`,
          tenantId: '*',
          attempts: 2,
          error: 'feed unreachable',
          failedAt: expect.any(String),
        });
        expect(await queue.deleteDead(dead!.id)).toMatchObject({ id: dead!.id });
      });

      it('stops firing once closed', async () => {
        jobs.schedule('tick', { everyMs: 100 });
        await queue.start();
        await eventually(
          () => seen.length,
          (n) => n >= 1,
        );
        await queue.close();
        const count = seen.length;
        await sleep(350);
        expect(seen.length).toBe(count);
      });

      it('runs a cron schedule at its calendar slot in its time zone, once per tenant (the clock moved to just before)', async () => {
        // The monthly run of the 1st, at midnight in Berlin: 2030-02-01 00:00 CET is 2030-01-31 23:00 UTC. Rather
        // than wait for a real slot, the queue's clock is set a second before this one.
        const iso = '2030-01-31T23:00:00.000Z';
        const clockOffsetMs = Date.parse(iso) - 1000 - Date.now();
        jobs.schedule('tick', { cron: '0 0 1 * *', timezone: 'Europe/Berlin', perTenant: true });
        await queue.start({ clockOffsetMs, tenantsOf: async () => ['acme', 'globex'] });
        await eventually(
          () => seen.length,
          (n) => n >= 2,
        );
        expect(seen.map(({ at: _, ...job }) => job).sort((a, b) => a.tenantId.localeCompare(b.tenantId))).toEqual([
          { id: `scheduled:${iso}:acme`, name: 'mailer.tick', tenantId: 'acme', data: undefined, attempt: 1 },
          { id: `scheduled:${iso}:globex`, name: 'mailer.tick', tenantId: 'globex', data: undefined, attempt: 1 },
        ]);
        // At the slot by the queue's clock (a timer may fire a few ms early), and not again: the next is in March.
        for (const job of seen) expect(job.at + clockOffsetMs).toBeGreaterThanOrEqual(Date.parse(iso) - 10);
        await sleep(300);
        expect(seen).toHaveLength(2);
      });

      it('moves everyMs slots with the clock too', async () => {
        // Hourly at :30, the clock a second before 2030-01-01 10:30 UTC.
        const iso = '2030-01-01T10:30:00.000Z';
        jobs.schedule('tick', { everyMs: 3_600_000, offsetMs: 1_800_000 });
        await queue.start({ clockOffsetMs: Date.parse(iso) - 1000 - Date.now() });
        await eventually(
          () => seen.length,
          (n) => n >= 1,
        );
        expect(seen.map((job) => job.id)).toEqual([`scheduled:${iso}`]);
      });

      it('waits out a period longer than a timer can (40 days) instead of firing at once', async () => {
        jobs.schedule('tick', { everyMs: 40 * 86_400_000 });
        await queue.start();
        await sleep(150);
        expect(seen).toEqual([]);
      });

      it('refuses a job that is not defined (VV_NOT_FOUND) and a bad period, offset, cron or time zone (VV_VALIDATION) when declared', () => {
        expect(codeOf(() => jobs.schedule('missing', { everyMs: 1000 }))).toBe('VV_NOT_FOUND');
        expect(codeOf(() => jobs.schedule('missing', { cron: '0 2 * * *' }))).toBe('VV_NOT_FOUND');
        const bad: JobSchedule[] = [
          { everyMs: 50 },
          { everyMs: 1000.5 },
          { everyMs: 1000, offsetMs: 1000 },
          { everyMs: 1000, offsetMs: -1 },
          {} as JobSchedule,
          { cron: '61 * * * *' },
          { cron: '0 0 30 2 *' },
          { cron: '0 9 * * 1', timezone: 'Mars/Olympus' },
          { everyMs: 60_000, cron: '* * * * *' } as unknown as JobSchedule,
        ];
        for (const schedule of bad) expect(codeOf(() => jobs.schedule('tick', schedule))).toBe('VV_VALIDATION');
        expect(() => jobs.schedule('tick', { everyMs: 10 })).toThrow(/Schedule of job "tick" of plugin "mailer": everyMs must be/);
        expect(() => jobs.schedule('tick', { cron: '61 * * * *' })).toThrow(`Schedule of job "tick" of plugin "mailer": cron minute field '61' is out of range 0-59`);
      });
    });

    it('namespaces queues by plugin: two plugins may define the same job name', async () => {
      const ran: string[] = [];
      jobs.define('send', async () => {
        ran.push('mailer');
      });
      queue.forPlugin(manifest('sms')).define('send', async () => {
        ran.push('sms');
      });
      await queue.start();
      await queue.forPlugin(manifest('sms')).enqueue('send', 'acme', {});
      await eventually(
        () => ran,
        (r) => r.length === 1,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(ran).toEqual(['sms']);
    });
  });
}
