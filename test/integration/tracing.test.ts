import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Redis from 'ioredis';
import { type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { signIn } from '../support/host-fixture';
import { startHostProcess, waitFor, type HostProcess } from '../support/host-process';
import { decodeTraces, type ReceivedSpan } from '../support/otlp-traces';
import { describeWithPostgres, describeWithRedis, postgresUrl, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';

const repo = resolve(__dirname, '..', '..');
const FIXTURE = resolve(__dirname, '../support/trace-fixture-plugin');

/**
 * A loopback OTLP/HTTP receiver: every span, with its service's name. The hosts and the worker send protobuf (the
 * protocol's default, what production sends); the receiver reads JSON too, but a JSON body here would mean the
 * exporter is not the one production runs, so the test asserts every body was protobuf.
 */
function startReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; contentTypes: Set<string>; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const contentTypes = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.url === '/v1/traces') {
        contentTypes.add(String(req.headers['content-type']));
        spans.push(...decodeTraces(req.headers['content-type'], body));
      }
      res.writeHead(200, { 'content-type': String(req.headers['content-type'] ?? 'application/x-protobuf') }).end();
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, spans, contentTypes, server })));
}

/** `valueverse worker` (the CLI, from sources) as its own process. */
function spawnWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=@valueverse/source', '-r', join(repo, 'test/bench/register-ts.js'), join(repo, 'host/src/cli.ts'), 'worker'], {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

// Tracing on (OTEL_EXPORTER_OTLP_ENDPOINT) in three processes on PostgreSQL and Redis: host A serves a plugin's
// route that publishes an event, host B receives it over the Redis bridge and its subscriber queues a job, the
// worker runs the job. One trace holds all of it.
/** The trace probe's route, which publishes an event that a job follows. */
const ping = (url: string, token: string) =>
  fetch(`${url}/api/v1/trace-probe/ping`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });

describeWithPostgres('tracing across instances', () => {
  describeWithRedis('and Redis', () => {
    const database = `vv_trace_${randomBytes(5).toString('hex')}`;
    const prefix = `vv-trace-${randomBytes(4).toString('hex')}`;
    const pluginsDir = mkdtempSync(join(tmpdir(), 'vv-trace-plugins-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'vv-trace-'));
    let admin: Database;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let a: HostProcess | undefined;
    let b: HostProcess | undefined;
    let c: HostProcess | undefined;
    let shared: Record<string, string> = {};
    let worker: ReturnType<typeof spawnWorker> | undefined;

    beforeAll(async () => {
      symlinkSync(FIXTURE, join(pluginsDir, 'trace-probe'), 'dir');
      admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
      await admin.execute(`create database ${database}`);
      receiver = await startReceiver();
    });

    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await c?.stop();
      if (worker && worker.child.exitCode === null) {
        const exited = new Promise((r) => worker!.child.once('exit', r));
        worker.child.kill('SIGTERM');
        await exited;
      }
      receiver?.server.closeAllConnections();
      receiver?.server.close();
      await admin?.execute(`drop database if exists ${database} with (force)`);
      await admin?.close();
      const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      rmSync(pluginsDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }, 60_000);

    it('exports one trace: HTTP request on A → plugin handler → event on B over Redis → job on the worker', async () => {
      shared = {
        DATABASE_URL: postgresUrl(database),
        REDIS_URL: TEST_REDIS_URL,
        VV_REDIS_PREFIX: prefix,
        VV_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        VV_PLUGINS_DIR: pluginsDir,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '100',
        // Every trace (the default samples one in ten).
        OTEL_TRACES_SAMPLER: 'always_on',
      };
      // The web hosts only queue jobs: the worker runs them.
      a = await startHostProcess({ ...shared, OTEL_SERVICE_NAME: 'host-a', VV_WORKERS: 'off', LOG_LEVEL: 'info' }, { readyTimeoutMs: 120_000 });
      b = await startHostProcess({ ...shared, OTEL_SERVICE_NAME: 'host-b', VV_WORKERS: 'off', LOG_LEVEL: 'info' }, { readyTimeoutMs: 120_000 });
      worker = spawnWorker({ ...shared, OTEL_SERVICE_NAME: 'worker', VV_DATA_DIR: dataDir });
      await waitFor(async () => (/ValueVerse worker running jobs/.test(worker!.output()) ? true : undefined), 120_000, 'worker running', 100);

      const token = await signIn(a.url);
      const res = await ping(a.url, token);
      expect(res.status).toBe(200);
      await res.text();

      const handler = await waitFor(async () => receiver.spans.find((s) => s.service === 'host-a' && s.name === 'vv.plugin.handle trace-probe'), 20_000, 'plugin span of host A');
      const traceId = handler.traceId;
      const trace = () => receiver.spans.filter((s) => s.traceId === traceId);
      // The worker's and B's spans arrive in any order (A's own subscriber may queue the job first); a parent is
      // exported after its children end, so wait until every span's parent has arrived too: whole, with one root.
      const orphans = () => {
        const ids = new Set(trace().map((s) => s.spanId));
        return trace().filter((s) => !ids.has(s.parentSpanId ?? ''));
      };
      await waitFor(
        async () =>
          trace().some((s) => s.service === 'worker') && trace().some((s) => s.service === 'host-b' && s.name.startsWith('vv.event.receive')) && orphans().length === 1
            ? true
            : undefined,
        30_000,
        `a whole trace ${traceId} reaching the worker`,
      ).catch((error: Error) => {
        throw new Error(
          `${error.message}; roots: ${orphans()
            .map((s) => `${s.service}: ${s.name}`)
            .join(', ')}`,
        );
      });

      // Exported as production exports: OTLP protobuf, every body, from every process.
      expect([...receiver.contentTypes]).toEqual(['application/x-protobuf']);
      const spans = trace();
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const describe = spans.map((s) => `${s.service}: ${s.name}`).join('\n');
      // The HTTP request on A is the root; the plugin handler runs inside it, with its plugin, version, tenant, route, role.
      const server = spans.find((s) => s.service === 'host-a' && s.parentSpanId === undefined) ?? spans.find((s) => s.service === 'host-a' && !byId.has(s.parentSpanId ?? ''));
      expect(server?.name).toMatch(/^POST/);
      expect(handler.attributes).toMatchObject({ 'vv.plugin.id': 'trace-probe', 'vv.plugin.version': '1.2.3', 'vv.tenant': 'demo', 'http.route': '/api/v1/trace-probe/ping' });
      expect(handler.attributes['vv.user.role']).toEqual(expect.any(String));
      // Authentication's result is on the request's span (not a span of its own): the tenant and the caller's role.
      expect(server?.attributes).toMatchObject({ 'vv.tenant': 'demo', 'vv.user.role': handler.attributes['vv.user.role'], 'http.route': '/api/v1/trace-probe/ping' });
      // No credential or e-mail address in any attribute.
      const values = JSON.stringify(spans.map((s) => s.attributes));
      expect(values).not.toContain(token);
      expect(values).not.toContain('admin@example.com');
      // B received the event over the Redis bridge in the same trace, and its subscriber handled it there.
      const received = spans.find((s) => s.service === 'host-b' && s.name === 'vv.event.receive trace-probe.pinged');
      expect({ received: received !== undefined, describe }).toEqual({ received: true, describe });
      expect(spans.some((s) => s.service === 'host-b' && s.name === 'vv.event.handle trace-probe.pinged')).toBe(true);
      // Redis calls made in the trace are spans of it (the bridge's PUBLISH, the job's enqueue).
      expect(spans.some((s) => s.service === 'host-a' && String(s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'redis')).toBe(true);
      // Every span of the trace hangs off another one of it but the request's.
      expect(spans.filter((s) => !byId.has(s.parentSpanId ?? '')).map((s) => `${s.service}: ${s.name}`)).toEqual([`host-a: ${server!.name}`]);
      // Log lines written inside a span carry its ids.
      await waitFor(async () => (worker!.output().includes(`"trace_id":"${traceId}"`) ? true : undefined), 10_000, 'a worker log line with the trace id');

      // /metrics speaks OpenMetrics with tracing on, and the request's latency bucket names a trace as exemplar.
      const metrics = await fetch(`${a.url}/metrics`);
      expect(metrics.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
      const text = await metrics.text();
      expect(text).toMatch(/vv_http_request_duration_seconds_bucket\{[^}]*plugin="trace-probe"[^}]*\} \d+ # \{trace_id="[0-9a-f]{32}",span_id="[0-9a-f]{16}"\}/);
      expect(text.trimEnd().endsWith('# EOF')).toBe(true);
    }, 300_000);

    it("records nothing of a plugin's request not sampled, here or on the instance its event reaches", async () => {
      expect(b).toBeDefined();
      // C samples no request (ratio 0); B records every trace it is sent as sampled, and would start one of its own
      // for an event that came without a trace context. A request C did not sample runs in its own "not sampled"
      // trace context (kernel/src/observability/tracing.ts, traceRequests), so the event its plugin publishes reaches B
      // marked "not sampled" and B records nothing of it.
      c = await startHostProcess(
        { ...shared, OTEL_SERVICE_NAME: 'host-c', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0', VV_WORKERS: 'off', LOG_LEVEL: 'info' },
        { readyTimeoutMs: 120_000 },
      );
      const pingsOnA = () => new Set(receiver.spans.filter((s) => s.service === 'host-a' && s.name === 'POST /api/v1/trace-probe/ping').map((s) => s.traceId));
      const eventSpansOnB = () => receiver.spans.filter((s) => s.service === 'host-b' && /^vv\.event\.(receive|handle) trace-probe\.pinged$/.test(s.name));
      const tracesBefore = pingsOnA();
      const token = await signIn(c.url);
      for (let i = 0; i < 3; i++) {
        const res = await ping(c.url, token);
        expect(res.status).toBe(200);
        await res.text();
      }
      // A sampled request through A afterwards: once B's spans of its event have arrived, those of C's three would have.
      const tokenA = await signIn(a!.url);
      const res = await ping(a!.url, tokenA);
      expect(res.status).toBe(200);
      await res.text();
      const second = await waitFor(async () => [...pingsOnA()].find((id) => !tracesBefore.has(id)), 20_000, "A's second sampled request");
      await waitFor(async () => (eventSpansOnB().some((s) => s.traceId === second) ? true : undefined), 20_000, "B's spans of A's second event");
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Every span B made of a trace-probe event is of a request A sampled: none of C's.
      const ofA = pingsOnA();
      expect(eventSpansOnB().filter((s) => !ofA.has(s.traceId))).toEqual([]);
      // C records only what A's sampled traces bring it (their events reach C as well).
      expect(receiver.spans.filter((s) => s.service === 'host-c' && !ofA.has(s.traceId))).toEqual([]);
    }, 300_000);
  });
});
