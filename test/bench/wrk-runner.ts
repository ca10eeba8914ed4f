import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One HTTP request as wrk sends it. */
export interface WrkRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface WrkResult {
  readonly rps: number;
  /** Latency percentiles in milliseconds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Answers other than 2xx/3xx, and socket errors and timeouts. */
  readonly failures: number;
}

export interface WrkOptions {
  readonly seconds: number;
  readonly connections: number;
  readonly threads?: number;
  /** Mixed load: wrk cycles through these requests. */
  readonly requests: readonly WrkRequest[];
  /** Aim at this many requests per second in all (each connection waits between requests); default: as fast as it can. */
  readonly targetRps?: number;
}

/** Whether wrk is on the PATH. */
export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

const lua = (value: string): string => JSON.stringify(value); // a JSON string literal is a valid Lua string literal here (ASCII)

/**
 * The Lua script for one run: the requests (pre-formatted once, sent round-robin per connection), an optional delay
 * per request to aim at a rate, and a `done` hook printing the figures as one JSON line (wrk's own text rounds p99
 * to two digits and its units vary).
 */
function script(options: WrkOptions): string {
  const formatted = options.requests.map((r) => {
    const headers = `{${Object.entries(r.headers ?? {})
      .map(([k, v]) => `[${lua(k)}] = ${lua(v)}`)
      .join(', ')}}`;
    return `wrk.format(${lua(r.method)}, ${lua(r.path)}, ${headers}, ${r.body === undefined ? 'nil' : lua(r.body)})`;
  });
  const delayMs = options.targetRps ? (options.connections / options.targetRps) * 1000 : 0;
  return `
local requests = {}
local counter = 0
init = function(args)
  ${formatted.map((f, i) => `requests[${i + 1}] = ${f}`).join('\n  ')}
  counter = math.random(0, #requests - 1)
end
request = function()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end
${delayMs > 0 ? `delay = function() return ${delayMs.toFixed(3)} end` : ''}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"durationUs":%d,"p50":%d,"p99":%d,"failures":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
`;
}

/**
 * Runs wrk (its own process, so the load generator never shares the server's event loop) against `baseUrl` and
 * returns requests per second and latency percentiles. Only loopback targets: this is a benchmark, not a load test.
 */
export async function runWrk(baseUrl: string, options: WrkOptions): Promise<WrkResult> {
  const target = new URL(baseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error('the benchmark only targets loopback');
  // The script may carry a bearer token: a private folder, removed after the run.
  const dir = mkdtempSync(path.join(tmpdir(), 'vv-wrk-'));
  const file = path.join(dir, 'load.lua');
  writeFileSync(file, script(options), { mode: 0o600 });
  try {
    const args = ['-t', String(options.threads ?? 1), '-c', String(options.connections), '-d', `${options.seconds}s`, '--timeout', '5s', '-s', file, baseUrl];
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile('wrk', args, { timeout: (options.seconds + 30) * 1000, maxBuffer: 1 << 20 }, (error, out, err) => {
        if (error) reject(new Error(`wrk failed: ${error.message}\n${err}`));
        else resolve(out);
      });
    });
    const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
    if (!line) throw new Error(`wrk printed no figures:\n${stdout}`);
    const raw = JSON.parse(line.slice('WRK_JSON '.length)) as { requests: number; durationUs: number; p50: number; p99: number; failures: number };
    return { rps: raw.requests / (raw.durationUs / 1e6), p50Ms: raw.p50 / 1000, p99Ms: raw.p99 / 1000, requests: raw.requests, failures: raw.failures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
