import { createServer, type Server } from 'node:http';
import { VvError, type FieldProblem } from '@valueverse/plugin-sdk';
import type { Kernel } from '@valueverse/kernel';
import type { HostConfig } from './config/env-config';
import { startHost } from './start-host';

/** A running `host worker`. */
export interface RunningWorker {
  readonly kernel: Kernel;
  /** Where `/metrics` is served (VV_WORKER_METRICS_PORT), or undefined without a listener. */
  readonly metricsUrl?: string;
  /** Stops taking jobs, lets running ones finish (bounded), then stops the plugins. */
  stop(): Promise<void>;
}

/** The kernel's routes a worker serves on its metrics listener: what Prometheus and the orchestrator's probes read. */
const WORKER_PATHS = new Set(['/metrics', '/health/live', '/health/ready']);

/**
 * The worker's listener on VV_WORKER_METRICS_PORT: `GET /metrics` (its job retries, queue depths, plugin states and
 * the business counters its jobs add, which no web host sees), `/health/live` and `/health/ready`, answered by the
 * kernel's own system routes; anything else is a 404 problem.
 */
async function listenForMetrics(kernel: Kernel, port: number, host: string): Promise<Server> {
  const callback = kernel.callback();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if ((req.method === 'GET' || req.method === 'HEAD') && WORKER_PATHS.has(path)) return void callback(req, res);
    const problem = { type: 'about:blank', title: 'Not Found', status: 404, code: 'VV_NOT_FOUND', detail: 'A worker serves /metrics, /health/live and /health/ready only' };
    res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problem));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/**
 * `host worker`: boots the plugins, so that their job handlers are defined, and runs the job queue's workers only:
 * no HTTP listener and no first-boot seeding (the web hosts do that). Jobs reach it through Redis, so REDIS_URL is
 * required; so is DATABASE_URL, since the embedded database belongs to the one process that opened it.
 *
 * @throws VvError `VV_CONFIG_INVALID` naming the missing variables
 */
export async function startWorker(config: HostConfig, options: { preferSource?: boolean } = {}): Promise<RunningWorker> {
  const problems: FieldProblem[] = [];
  if (!config.redisUrl) problems.push({ pointer: '/REDIS_URL', in: 'env', message: 'REDIS_URL is required by `worker`: jobs reach workers through Redis' });
  if (!config.databaseUrl) {
    problems.push({ pointer: '/DATABASE_URL', in: 'env', message: 'DATABASE_URL is required by `worker`: the embedded database cannot be shared with the web host' });
  }
  if (problems.length > 0) {
    throw new VvError('VV_CONFIG_INVALID', { params: { subject: 'environment', problems: problems.map((p) => p.message).join('; ') }, errors: problems });
  }
  const host = await startHost(config, { preferSource: options.preferSource, quiet: true, workerOnly: true });
  let server: Server | undefined;
  try {
    if (config.workerMetricsPort !== undefined) server = await listenForMetrics(host.kernel, config.workerMetricsPort, config.host);
  } catch (error) {
    await host.stop();
    throw error;
  }
  const metricsUrl = server ? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.workerMetricsPort}` : undefined;
  const plugins = host.kernel.plugins();
  host.kernel.logger.info(
    { plugins: plugins.map((p) => ({ id: p.id, state: p.state })), metrics: metricsUrl ? `${metricsUrl}/metrics` : undefined },
    `ValueVerse worker running jobs of ${plugins.filter((p) => p.state === 'running').length}/${plugins.length} plugins (${metricsUrl ? `metrics on ${metricsUrl}/metrics` : 'no HTTP listener'})`,
  );
  return {
    kernel: host.kernel,
    metricsUrl,
    stop: async () => {
      if (server) {
        const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      }
      await host.stop();
    },
  };
}
