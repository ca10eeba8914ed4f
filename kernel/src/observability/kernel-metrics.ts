import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CacheCounters } from './lru-cache';
import { RequestDurationHistogram } from './request-duration-histogram';
import { otel, type Otel } from './tracing';
import { VvError, type PluginMetrics } from '@valueverse/plugin-sdk';

const counterNamePattern = /^[a-z][a-z0-9_]{0,59}$/;
const labelPattern = /^[a-z][a-z0-9_]{0,29}$/;

/**
 * Prometheus metrics of one kernel. A registry per kernel (never prom-client's global one) so that several kernels
 * can live in one process (tests, benchmarks) without clashing.
 */
export class KernelMetrics {
  /** With tracing on, OpenMetrics (the format that carries exemplars); else Prometheus' text format. */
  readonly registry = new Registry();
  readonly requestDuration: RequestDurationHistogram;
  readonly pluginState: Gauge<'plugin' | 'state'>;
  readonly eventsPublished: Counter<'plugin'>;
  /** `vv_http_errors_total{plugin,code}`: every problem answered, by its stable code (rate limits, budgets, failures). */
  readonly httpErrors: Counter<'plugin' | 'code'>;
  /** `vv_plugin_transitions_total{plugin,state}`: lifecycle transitions; `failed` and repeated `running` are restarts. */
  readonly pluginTransitions: Counter<'plugin' | 'state'>;
  /** `vv_dependency_up{dependency}`: 1 while the database / Redis answer (set at scrape time from readiness). */
  readonly dependencyUp: Gauge<'dependency'>;
  /** `vv_tenant_requests_total{plugin,tenant,class}` and its latency, when a tenant label is configured. */
  private readonly tenantRequests?: TenantRequestMetrics;
  private readonly jobSources: (() => Promise<readonly JobQueueStats[]>)[] = [];
  private readonly businessCounters = new Map<string, Counter<string>>();
  /** Restarts of each sandboxed plugin's process since boot (set from its status at scrape time). */
  readonly sandboxRestarts: Gauge<'plugin'>;
  /** Calls of each sandboxed plugin stopped over a budget (`cpu`, `memory`, `concurrency`, `time`) since boot. */
  readonly sandboxBudgetHits: Gauge<'plugin' | 'budget'>;
  readonly cacheLookups: Counter<'cache' | 'result'>;
  readonly cacheEvictions: Counter<'cache'>;
  private readonly cacheSizes = new Map<string, () => number>();
  /** What each cache counted since the last scrape. */
  private readonly cacheCounts: { readonly cache: string; hit: number; miss: number; evict: number }[] = [];

  /** Records one request; `seconds` from performance.now() differences; `tenant` (the caller's) only with a tenant label configured. */
  observeRequest(plugin: string, route: string, method: string, status: string, seconds: number, tenant?: string): void {
    this.requestDuration.observe(plugin, route, method, status, seconds);
    if (this.tenantRequests) this.tenantRequests.observe(plugin, tenant, status, seconds);
  }

  /** `coreServices.metrics` of one plugin: its business counters, `vv_<plugin>_<name>_total`, in this registry. */
  forPlugin(pluginId: string): PluginMetrics {
    const prefix = `vv_${pluginId.replace(/-/g, '_')}_`;
    return {
      counter: (name, options) => {
        const labels = options.labels ?? [];
        const invalid = !counterNamePattern.test(name) || name.endsWith('_total') || !labels.every((l) => labelPattern.test(l) && l !== 'plugin');
        if (invalid) {
          throw new VvError('VV_VALIDATION', {
            params: { reason: `counter "${name}" of plugin "${pluginId}": the name must match ${counterNamePattern.source} without "_total", labels ${labelPattern.source}` },
          });
        }
        const fullName = `${prefix}${name}_total`;
        let counter = this.businessCounters.get(fullName);
        if (!counter) {
          counter = new Counter({ name: fullName, help: options.help, labelNames: labels, registers: [this.registry] });
          this.businessCounters.set(fullName, counter);
        }
        const declared = counter;
        return {
          inc: (values = {}, value = 1) => {
            if (!(value > 0) || !Number.isFinite(value)) throw new VvError('VV_VALIDATION', { params: { reason: `counter ${fullName}: increment must be a positive number` } });
            const set: Record<string, string> = {};
            for (const label of labels) set[label] = (values[label] ?? '').slice(0, 64);
            declared.inc(set, value);
          },
        };
      },
    };
  }

  /** Reports the job queue's depth, age, retries and dead jobs at scrape time (`vv_jobs_*{queue}`). */
  watchJobs(stats: () => Promise<readonly JobQueueStats[]>): void {
    this.jobSources.push(stats);
  }

  /**
   * Counters for one bounded cache (`vv_cache_lookups_total{cache,result="hit"|"miss"}`,
   * `vv_cache_evictions_total{cache}`), with its size read at scrape time (`vv_cache_entries{cache}`). The hot path
   * adds to plain numbers, which a scrape moves into the counters (prom-client's `inc` hashes and checks the labels
   * on every call, and three caches are looked up on every request).
   */
  cacheCounters(cache: string, size: () => number): CacheCounters {
    const counts = { cache, hit: 0, miss: 0, evict: 0 };
    this.cacheCounts.push(counts);
    this.cacheSizes.set(cache, size);
    return { hit: () => void counts.hit++, miss: () => void counts.miss++, evict: () => void counts.evict++ };
  }

  constructor(options: { defaultMetrics?: boolean; tenantLabel?: TenantLabelPolicy } = {}) {
    const api = otel();
    // (Typed as Prometheus' text format: the kernel only hands the registry's own content type on to /metrics.)
    if (api) this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
    const counts = this.cacheCounts;
    this.cacheLookups = new Counter({
      name: 'vv_cache_lookups_total',
      help: 'Lookups in the per-instance bounded caches (plugin sets, tokens, API keys, sessions) by result: hit or miss',
      labelNames: ['cache', 'result'],
      registers: [this.registry],
      collect() {
        for (const c of counts) {
          // Every label pair appears from the first scrape on, at 0 until the cache is used.
          this.inc({ cache: c.cache, result: 'hit' }, c.hit);
          this.inc({ cache: c.cache, result: 'miss' }, c.miss);
          c.hit = 0;
          c.miss = 0;
        }
      },
    });
    this.cacheEvictions = new Counter({
      name: 'vv_cache_evictions_total',
      help: 'Entries a bounded cache forgot because it was full (VV_CACHE_SIZE)',
      labelNames: ['cache'],
      registers: [this.registry],
      collect() {
        for (const c of counts) {
          this.inc({ cache: c.cache }, c.evict);
          c.evict = 0;
        }
      },
    });
    const sizes = this.cacheSizes;
    new Gauge({
      name: 'vv_cache_entries',
      help: 'Entries held by each bounded cache',
      labelNames: ['cache'],
      registers: [this.registry],
      collect() {
        for (const [cache, size] of sizes) this.set({ cache }, size());
      },
    });
    this.requestDuration = new RequestDurationHistogram(
      'vv_http_request_duration_seconds',
      'HTTP request duration by owning plugin, route template, method and status',
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      this.registry,
    );
    this.pluginState = new Gauge({
      name: 'vv_plugin_state',
      help: '1 for the state each plugin is in, 0 for the others',
      labelNames: ['plugin', 'state'],
      registers: [this.registry],
    });
    this.eventsPublished = new Counter({
      name: 'vv_events_published_total',
      help: 'Events published by plugin',
      labelNames: ['plugin'],
      registers: [this.registry],
    });
    this.httpErrors = new Counter({
      name: 'vv_http_errors_total',
      help: 'Problems answered (4xx and 5xx) by owning plugin and stable error code, e.g. VV_RATE_LIMITED, VV_COMPUTE_BUDGET_EXCEEDED',
      labelNames: ['plugin', 'code'],
      registers: [this.registry],
    });
    this.pluginTransitions = new Counter({
      name: 'vv_plugin_transitions_total',
      help: 'Plugin lifecycle transitions by the state entered (running again after failed or stopped: a restart)',
      labelNames: ['plugin', 'state'],
      registers: [this.registry],
    });
    this.dependencyUp = new Gauge({
      name: 'vv_dependency_up',
      help: '1 while a backing service (database, redis) answers this instance, 0 while it does not',
      labelNames: ['dependency'],
      registers: [this.registry],
    });
    const jobSources = this.jobSources;
    const jobGauge = (name: string, help: string, pick: (s: JobQueueStats) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['queue'],
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const source of jobSources) {
            for (const stats of await source().catch(() => [] as JobQueueStats[])) this.set({ queue: stats.queue }, pick(stats));
          }
        },
      });
    jobGauge('vv_jobs_waiting', 'Jobs waiting to run (queued or delayed) by queue', (s) => s.waiting);
    jobGauge('vv_jobs_active', 'Jobs running now by queue', (s) => s.active);
    jobGauge('vv_jobs_dead', 'Dead jobs (out of attempts, kept for retry or deletion) by queue', (s) => s.dead);
    jobGauge('vv_jobs_oldest_waiting_seconds', 'Age of the oldest job waiting to run by queue (0: none waiting)', (s) => s.oldestWaitingSeconds);
    jobGauge('vv_jobs_retries', 'Retries scheduled by the workers of this process since it started, by queue', (s) => s.retries);
    if (options.tenantLabel && options.tenantLabel.mode !== 'off') this.tenantRequests = new TenantRequestMetrics(this.registry, options.tenantLabel);
    if (api) this.observeRequest = tracedObserve(api, this.requestDuration, this.tenantRequests);
    this.sandboxRestarts = new Gauge({
      name: 'vv_plugin_sandbox_restarts',
      help: 'Restarts of a sandboxed plugin since this instance started',
      labelNames: ['plugin'],
      registers: [this.registry],
    });
    this.sandboxBudgetHits = new Gauge({
      name: 'vv_plugin_budget_exceeded',
      help: 'Times a sandboxed plugin went over a budget (cpu, memory, concurrency, time) since this instance started',
      labelNames: ['plugin', 'budget'],
      registers: [this.registry],
    });
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'vv_' });
  }
}

/** `observeRequest` with tracing on: the request's span becomes an exemplar of its latency bucket. */
function tracedObserve(api: Otel, histogram: RequestDurationHistogram, tenantRequests: TenantRequestMetrics | undefined): KernelMetrics['observeRequest'] {
  return (plugin, route, method, status, seconds, tenant) => {
    tenantRequests?.observe(plugin, tenant, status, seconds);
    // The sampled flag first: most requests are not sampled, and the validity check tests both ids with expressions.
    const span = api.trace.getActiveSpan()?.spanContext();
    const valid = span !== undefined && (span.traceFlags & api.TraceFlags.SAMPLED) !== 0 && api.isSpanContextValid(span);
    histogram.observeTraced(plugin, route, method, status, seconds, valid ? span.traceId : undefined, valid ? span.spanId : undefined);
  };
}

/** What a job queue reports of one queue at scrape time. */
export interface JobQueueStats {
  readonly queue: string;
  readonly waiting: number;
  readonly active: number;
  readonly dead: number;
  readonly oldestWaitingSeconds: number;
  readonly retries: number;
}

/**
 * Which tenants get a label of their own on the per-tenant request metrics (`VV_METRICS_TENANTS`): none (`off`, the
 * default: no per-tenant series at all), the first `max` tenants seen (`first`), or a fixed list. Every other
 * tenant is counted under `tenant="other"`, so the series stay bounded whatever the number of tenants.
 */
export type TenantLabelPolicy = { readonly mode: 'off' } | { readonly mode: 'first'; readonly max: number } | { readonly mode: 'list'; readonly tenants: readonly string[] };

/** `vv_tenant_requests_total{plugin,tenant,class}` and `vv_tenant_request_duration_seconds{plugin,tenant}`. */
class TenantRequestMetrics {
  private readonly labelled: Set<string>;
  private readonly counters = new Map<string, Counter.Internal>();
  private readonly durations = new Map<string, Histogram.Internal<'plugin' | 'tenant'>>();
  private readonly requests: Counter<'plugin' | 'tenant' | 'class'>;
  private readonly duration: Histogram<'plugin' | 'tenant'>;

  constructor(
    registry: Registry,
    private readonly policy: Exclude<TenantLabelPolicy, { mode: 'off' }>,
  ) {
    this.labelled = new Set(policy.mode === 'list' ? policy.tenants : []);
    this.requests = new Counter({
      name: 'vv_tenant_requests_total',
      help: 'Requests to plugin routes by plugin, tenant (bounded: VV_METRICS_TENANTS, others "other") and status class (2xx, 4xx, 5xx)',
      labelNames: ['plugin', 'tenant', 'class'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'vv_tenant_request_duration_seconds',
      help: 'Latency of requests to plugin routes by plugin and tenant (bounded as vv_tenant_requests_total)',
      labelNames: ['plugin', 'tenant'],
      buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10],
      registers: [registry],
    });
  }

  observe(plugin: string, tenantId: string | undefined, status: string, seconds: number): void {
    if (tenantId === undefined) return;
    const tenant = this.label(tenantId);
    const cls = `${status[0]}xx`;
    const key = `${plugin}\u0000${tenant}`;
    let counter = this.counters.get(`${key}\u0000${cls}`);
    if (!counter) this.counters.set(`${key}\u0000${cls}`, (counter = this.requests.labels({ plugin, tenant, class: cls })));
    counter.inc();
    let duration = this.durations.get(key);
    if (!duration) this.durations.set(key, (duration = this.duration.labels({ plugin, tenant })));
    duration.observe(seconds);
  }

  private label(tenantId: string): string {
    if (this.labelled.has(tenantId)) return tenantId;
    if (this.policy.mode === 'first' && this.labelled.size < this.policy.max) {
      this.labelled.add(tenantId);
      return tenantId;
    }
    return 'other';
  }
}
