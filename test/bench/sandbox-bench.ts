/**
 * `npm run bench -- sandbox` (issue 16), on the built kernel (the sandbox process runs `kernel/dist`; build first):
 *  1. Overhead: the same trivial route (`test/bench/sandbox-fixtures/echo`) in-process and sandboxed, req/s of each
 *     in alternating windows (A B A B), and their ratio (target >= 0.5).
 *  2. Isolation: the hostile test plugin (`test/security/sandbox-fixtures/hostile`) sandboxed beside an in-process
 *     route; /health/live p99 (target < 100 ms) and the in-process route's p99 while the hostile plugin loops forever
 *     and allocates 1 GB over and over (each call killed at its budget, the sandbox restarting), beside the idle
 *     baseline measured in the same run.
 * Load comes from this process (loopback keep-alive), as in `kernel`; both sides of each ratio share it alike.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { coreServices, definePlugin } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { figure } from './figures';
import { measureRps } from './load-generator';

const ECHO = path.join(__dirname, 'sandbox-fixtures', 'echo');
const HOSTILE = path.join(__dirname, '..', 'security', 'sandbox-fixtures', 'hostile');
const WINDOW_MS = 3000;
const CONCURRENCY = 16;

function p99(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? NaN;
}

async function overhead(): Promise<void> {
  const inProcess = await createTestKernel({ plugins: [{ dir: ECHO }] });
  const sandboxed = await createTestKernel({ plugins: [{ dir: ECHO }], sandbox: true });
  try {
    const rate = async (k: TestKernel) =>
      measureRps(`${k.url}/api/v1/echo`, { durationMs: WINDOW_MS, concurrency: CONCURRENCY, headers: { authorization: `Bearer ${await k.token()}` } });
    // Warm-up, then A B B A: whichever runs first or last in a round meets drift on a shared machine alike.
    await rate(inProcess);
    await rate(sandboxed);
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < 2; round++) {
      if (round % 2 === 0) {
        a.push(await rate(inProcess));
        b.push(await rate(sandboxed));
      } else {
        b.push(await rate(sandboxed));
        a.push(await rate(inProcess));
      }
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const ratio = mean(b) / mean(a);
    console.log(`trivial route in-process:  ${mean(a).toFixed(0)} req/s`);
    console.log(`trivial route sandboxed:   ${mean(b).toFixed(0)} req/s`);
    console.log(`sandboxed / in-process:    ${ratio.toFixed(2)} (target >= 0.5)`);
    figure('sandboxed/in-process req/s', ratio, 'ratio', 'higher');
  } finally {
    await inProcess.close();
    await sandboxed.close();
  }
}

async function probe(k: TestKernel, durationMs: number): Promise<{ live: number[]; good: number[] }> {
  const token = await k.token();
  const deadline = performance.now() + durationMs;
  const live: number[] = [];
  const good: number[] = [];
  const loop = async (url: string, headers: Record<string, string>, into: number[]) => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const res = await fetch(url, { headers });
      await res.text();
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
      into.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await Promise.all([loop(`${k.url}/health/live`, {}, live), loop(`${k.url}/api/v1/good`, { authorization: `Bearer ${token}` }, good)]);
  return { live, good };
}

async function isolation(): Promise<void> {
  const good = {
    manifest: { id: 'good', version: '1.0.0', displayName: 'Good', kernel: '^1.0.0', main: 'index.js', routes: ['/good'] },
    plugin: definePlugin({
      deps: { http: coreServices.http },
      setup({ http }) {
        http.route({ method: 'GET', path: '/good', handler: () => ({ good: true }) });
      },
    }),
  };
  const k = await createTestKernel({ plugins: [{ dir: HOSTILE }, good], sandbox: true, database: 'embedded' });
  try {
    const token = await k.token();
    const idle = await probe(k, WINDOW_MS);
    let stop = false;
    let attacks = 0;
    // Each attacker alternates an endless loop and a 1 GB allocation, waiting for the sandbox to come back in between.
    const attacker = (first: 'loop' | 'allocate') =>
      (async () => {
        let path: string = first;
        while (!stop) {
          path = path === 'loop' ? 'allocate' : 'loop';
          const res = await fetch(`${k.url}/api/v1/hostile/${path}`, { headers: { authorization: `Bearer ${token}` } });
          await res.text();
          attacks += 1;
          if (res.status === 200) throw new Error(`/hostile/${path} answered 200`);
          if (res.status === 503) await new Promise((r) => setTimeout(r, 50));
        }
      })();
    const attackers = [attacker('loop'), attacker('allocate')];
    const loaded = await probe(k, WINDOW_MS * 2);
    stop = true;
    await Promise.all(attackers);
    const ready = (await k.request('GET', '/health/ready', { token: null })).body as {
      plugins: { id: string; sandbox?: { restarts: number; budgetHits: Record<string, number> } }[];
    };
    const sandbox = ready.plugins.find((p) => p.id === 'hostile')?.sandbox;
    console.log(`/health/live p99: idle ${p99(idle.live).toFixed(1)} ms, hostile looping/allocating ${p99(loaded.live).toFixed(1)} ms (target < 100 ms)`);
    console.log(
      `in-process route p99: idle ${p99(idle.good).toFixed(1)} ms, hostile looping/allocating ${p99(loaded.good).toFixed(1)} ms (ratio ${(p99(loaded.good) / p99(idle.good)).toFixed(2)})`,
    );
    console.log(`hostile calls: ${attacks}; sandbox restarts ${sandbox?.restarts}, budget hits ${JSON.stringify(sandbox?.budgetHits)}`);
    figure('/health/live p99 under hostile load', p99(loaded.live), 'ms', 'lower');
    figure('in-process route p99 loaded/idle', p99(loaded.good) / p99(idle.good), 'ratio', 'lower');
  } finally {
    await k.close();
  }
}

export async function runSandboxBench(): Promise<void> {
  await overhead();
  await isolation();
}
