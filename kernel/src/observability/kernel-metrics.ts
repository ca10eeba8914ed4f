import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { CacheCounters } from './lru-cache';
import { RequestDurationHistogram } from './request-duration-histogram';

/**
 * Prometheus metrics of one kernel. A registry per kernel (never prom-client's global one) so that several kernels
 * can live in one process (tests, benchmarks) without clashing.
 */
export class KernelMetrics {
  readonly registry = new Registry();
  readonly requestDuration: RequestDurationHistogram;
  readonly pluginState: Gauge<'plugin' | 'state'>;
  readonly eventsPublished: Counter<'plugin'>;
  /** Restarts of each sandboxed plugin's process since boot (set from its status at scrape time). */
  readonly sandboxRestarts: Gauge<'plugin'>;
  /** Calls of each sandboxed plugin stopped over a budget (`cpu`, `memory`, `concurrency`, `time`) since boot. */
  readonly sandboxBudgetHits: Gauge<'plugin' | 'budget'>;
  readonly cacheLookups: Counter<'cache' | 'result'>;
  readonly cacheEvictions: Counter<'cache'>;
  private readonly cacheSizes = new Map<string, () => number>();

  /** Records one request; `seconds` from performance.now() differences. */
  observeRequest(plugin: string, route: string, method: string, status: string, seconds: number): void {
    this.requestDuration.observe(plugin, route, method, status, seconds);
  }

  /**
   * Counters for one bounded cache (`vv_cache_lookups_total{cache,result="hit"|"miss"}`,
   * `vv_cache_evictions_total{cache}`), with its size read at scrape time (`vv_cache_entries{cache}`). The labelled
   * children are made once here: the hot path only increments.
   */
  cacheCounters(cache: string, size: () => number): CacheCounters {
    const hits = this.cacheLookups.labels({ cache, result: 'hit' });
    const misses = this.cacheLookups.labels({ cache, result: 'miss' });
    const evictions = this.cacheEvictions.labels({ cache });
    this.cacheSizes.set(cache, size);
    return { hit: () => hits.inc(), miss: () => misses.inc(), evict: () => evictions.inc() };
  }

  constructor(options: { defaultMetrics?: boolean } = {}) {
    this.cacheLookups = new Counter({
      name: 'vv_cache_lookups_total',
      help: 'Lookups in the per-instance bounded caches (plugin sets, tokens, API keys, sessions) by result: hit or miss',
      labelNames: ['cache', 'result'],
      registers: [this.registry],
    });
    this.cacheEvictions = new Counter({
      name: 'vv_cache_evictions_total',
      help: 'Entries a bounded cache forgot because it was full (VV_CACHE_SIZE)',
      labelNames: ['cache'],
      registers: [this.registry],
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
