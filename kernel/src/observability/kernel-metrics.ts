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
  readonly cacheLookups: Counter<'cache' | 'result'>;
  readonly cacheEvictions: Counter<'cache'>;
  private readonly cacheSizes = new Map<string, () => number>();
  /** What each cache counted since the last scrape. */
  private readonly cacheCounts: { readonly cache: string; hit: number; miss: number; evict: number }[] = [];

  /** Records one request; `seconds` from performance.now() differences. */
  observeRequest(plugin: string, route: string, method: string, status: string, seconds: number): void {
    this.requestDuration.observe(plugin, route, method, status, seconds);
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

  constructor(options: { defaultMetrics?: boolean } = {}) {
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
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'vv_' });
  }
}
