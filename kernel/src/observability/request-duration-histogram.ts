import type { Registry } from 'prom-client';

type LabelName = 'plugin' | 'route' | 'method' | 'status';

interface Series {
  readonly labels: Readonly<Record<LabelName, string>>;
  /** Observations per bucket (not cumulative), one slot per upper bound. */
  readonly counts: number[];
  sum: number;
  count: number;
  /** Tracing on: the last traced observation of each bucket (OpenMetrics exemplar), by bucket index. */
  exemplars?: (Exemplar | undefined)[];
}

/** An OpenMetrics exemplar in prom-client's shape: the trace of one observation that fell into the bucket. */
interface Exemplar {
  readonly labelSet: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestamp: number;
}

/**
 * `vv_http_request_duration_seconds`: the request histogram, observed on every request. prom-client's Histogram
 * re-validates and re-hashes the label object on every observe (even through a `labels()` child: about 3 µs of an
 * NPV request's CPU); here a series is found by one string key and an observation is two additions and a bucket
 * increment. Registered in the kernel's registry as a prom-client metric (`get()` in the shape its Histogram
 * returns), so /metrics prints the same lines prom-client's Histogram would (a test compares the two).
 */
export class RequestDurationHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  observe(plugin: string, route: string, method: string, status: string, seconds: number): void {
    if (!Number.isFinite(seconds)) throw new TypeError(`${this.name}: not a duration: ${seconds}`);
    const key = `${plugin}\u0000${route}\u0000${method}\u0000${status}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = { labels: { plugin, route, method, status }, counts: this.upperBounds.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    series.sum += seconds;
    series.count += 1;
    const bounds = this.upperBounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= bounds[i]!) {
        series.counts[i]! += 1;
        return;
      }
    }
  }

  /**
   * `observe`, remembering the observation as its bucket's exemplar (`trace_id`, `span_id`) when it was traced:
   * what Grafana links from a latency panel to the trace in Jaeger. Only the kernel's traced path calls it.
   */
  observeTraced(plugin: string, route: string, method: string, status: string, seconds: number, traceId: string | undefined, spanId: string | undefined): void {
    this.observe(plugin, route, method, status, seconds);
    if (traceId === undefined || spanId === undefined) return;
    const series = this.series.get(`${plugin}\u0000${route}\u0000${method}\u0000${status}`)!;
    let index = this.upperBounds.findIndex((bound) => seconds <= bound);
    if (index < 0) index = this.upperBounds.length;
    series.exemplars ??= [];
    series.exemplars[index] = { labelSet: { trace_id: traceId, span_id: spanId }, value: seconds, timestamp: Date.now() / 1000 };
  }

  reset(): void {
    this.series.clear();
  }

  /** What the registry prints for /metrics: as prom-client's Histogram, the series' labels apart from `le`. */
  getForPromString(): Promise<MetricData> {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.upperBounds.length; i++) {
        cumulative += series.counts[i]!;
        values.push({ labels: { le: this.upperBounds[i]! }, value: cumulative, metricName: bucket, exemplar: series.exemplars?.[i] ?? null, sharedLabels: series.labels });
      }
      values.push(
        { labels: { le: '+Inf' }, value: series.count, metricName: bucket, exemplar: series.exemplars?.[this.upperBounds.length] ?? null, sharedLabels: series.labels },
        { labels: {}, value: series.sum, metricName: `${this.name}_sum`, sharedLabels: series.labels },
        { labels: {}, value: series.count, metricName: `${this.name}_count`, sharedLabels: series.labels },
      );
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** The metric as JSON (registry.getMetricsAsJSON, cluster aggregation): as prom-client's, labels merged. */
  async get(): Promise<MetricData> {
    const data = await this.getForPromString();
    return { ...data, values: data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })) };
  }
}

interface MetricData {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly aggregator: string;
  readonly values: MetricValue[];
}

interface MetricValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName: string;
  /** Null on buckets without a traced observation (always, with tracing off), as prom-client's Histogram. */
  readonly exemplar?: Exemplar | null;
  readonly sharedLabels?: Readonly<Record<string, string>>;
}
