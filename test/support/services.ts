import { execFile, spawnSync } from 'node:child_process';

/** The PostgreSQL server of developer and CI machines (docs/stack.md "Services"). */
export const TEST_POSTGRES_URL = process.env['VV_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The Redis server of developer and CI machines. */
export const TEST_REDIS_URL = process.env['VV_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface ServerAvailability {
  readonly postgres: boolean;
  readonly redis: boolean;
}

// The probe runs in a child process: jest's describe() has to know synchronously whether to skip (CommonJS test
// files have no top-level await), and a child leaves no sockets or timers behind in the test process.
// Each probe gives up after 1 s. argv: postgres URL, redis URL.
const probeSource = `
const net = require('node:net');
const [postgresUrl, redisUrl] = process.argv.slice(1);
async function postgres() {
  let pg;
  try { pg = require('pg'); } catch { return false; }
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 1000, query_timeout: 1000 });
  client.on('error', () => {});
  try { await client.connect(); await client.query('select 1'); return true; }
  catch { return false; }
  finally { client.end().catch(() => {}); }
}
function redis() {
  const url = new URL(redisUrl);
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 6379) });
    let reply = '';
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\\r\\n'));
    socket.on('data', (chunk) => { reply += chunk; if (reply.includes('\\r\\n')) done(reply.startsWith('+PONG')); });
  });
}
Promise.all([postgres(), redis()]).then(([postgres, redis]) => process.stdout.write(JSON.stringify({ postgres, redis })));
`;

const probeArgs = ['-e', probeSource, TEST_POSTGRES_URL, TEST_REDIS_URL];

function parseProbe(stdout: string): ServerAvailability {
  try {
    const parsed = JSON.parse(stdout) as Partial<ServerAvailability>;
    return { postgres: parsed.postgres === true, redis: parsed.redis === true };
  } catch {
    return { postgres: false, redis: false };
  }
}

/** Whether PostgreSQL (`select 1`) and Redis (`PING`) answer on the test URLs, each within 1 s. */
export function serverAvailability(): Promise<ServerAvailability> {
  return new Promise((resolve) => {
    execFile(process.execPath, probeArgs, { cwd: __dirname, timeout: 5000 }, (_error, stdout) => resolve(parseProbe(String(stdout))));
  });
}

let cached: ServerAvailability | undefined;

/** `serverAvailability()`, synchronously, probed once per test file. */
export function serverAvailabilitySync(): ServerAvailability {
  cached ??= parseProbe(spawnSync(process.execPath, probeArgs, { cwd: __dirname, timeout: 5000, encoding: 'utf8' }).stdout ?? '');
  return cached;
}

/** True when the run must fail rather than skip without PostgreSQL and Redis (CI sets VV_REQUIRE_SERVICES=1). */
export function servicesRequired(): boolean {
  return process.env['VV_REQUIRE_SERVICES'] === '1';
}

/** `TEST_POSTGRES_URL` pointing at another database on the same server. */
export function postgresUrl(database: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A `describe` that runs when PostgreSQL answers, is reported as skipped when it does not, and fails if required. */
export function describeWithPostgres(name: string, fn: () => void): void {
  describeWithService('postgres', `PostgreSQL at ${redact(TEST_POSTGRES_URL)}`, name, fn);
}

/** A `describe` that runs when Redis answers, is reported as skipped when it does not, and fails if required. */
export function describeWithRedis(name: string, fn: () => void): void {
  describeWithService('redis', `Redis at ${redact(TEST_REDIS_URL)}`, name, fn);
}

function describeWithService(service: keyof ServerAvailability, label: string, name: string, fn: () => void): void {
  if (serverAvailabilitySync()[service]) {
    describe(name, fn);
    return;
  }
  const reason = `${label} does not answer`;
  if (servicesRequired()) {
    describe(name, () => {
      it(`needs ${label}`, () => {
        throw new Error(`${reason}, and VV_REQUIRE_SERVICES=1 makes that a failure (see docs/stack.md "Services" to start it)`);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${reason}. Set VV_REQUIRE_SERVICES=1 to make this a failure.`);
  // describe.skip still collects the tests, so each one is reported as skipped.
  describe.skip(name, fn);
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
