import http from 'node:http';

/**
 * Sends GET requests with keep-alive from `concurrency` loops for `durationMs` and returns requests per second.
 * Bounded in time and only ever aimed at a loopback URL.
 */
export async function measureRps(url: string, options: { durationMs: number; concurrency: number; headers?: Record<string, string> }): Promise<number> {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error('load generator only targets loopback');
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const deadline = Date.now() + options.durationMs;
  let done = 0;
  let failed = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'GET', agent, headers: options.headers }, (res) => {
        if (res.statusCode !== 200) failed += 1;
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', () => {
        failed += 1;
        resolve();
      });
      req.end();
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (Date.now() < deadline) {
        await one();
        done += 1;
      }
    }),
  );
  agent.destroy();
  if (failed > 0) throw new Error(`${failed} of ${done} requests failed`);
  return done / ((Date.now() - started) / 1000);
}
