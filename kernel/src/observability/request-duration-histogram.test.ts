import { Histogram, Registry } from 'prom-client';
import { RequestDurationHistogram } from './request-duration-histogram';

const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAME = 'vv_http_request_duration_seconds';
const HELP = 'HTTP request duration by owning plugin, route template, method and status';

// Durations on, between and beyond the bucket bounds, over several series (and a label value that needs escaping).
const observations: [string, string, string, string, number][] = [
  ['calculation', '/calculate/npv', 'POST', '200', 0.0004],
  ['calculation', '/calculate/npv', 'POST', '200', 0.001],
  ['calculation', '/calculate/npv', 'POST', '200', 0.0031],
  ['calculation', '/calculate/npv', 'POST', '400', 0.02],
  ['kernel', 'unmatched', 'GET', '404', 11],
  ['kernel', '/me "quoted"\\', 'GET', '200', 0.7],
  ['value-architect', '/value-models', 'GET', '200', 10],
];

function both(): { ours: Registry; theirs: Registry; histogram: RequestDurationHistogram } {
  const ours = new Registry();
  const theirs = new Registry();
  const histogram = new RequestDurationHistogram(NAME, HELP, BUCKETS, ours);
  const reference = new Histogram({ name: NAME, help: HELP, labelNames: ['plugin', 'route', 'method', 'status'], buckets: BUCKETS, registers: [theirs] });
  for (const [plugin, route, method, status, seconds] of observations) {
    histogram.observe(plugin, route, method, status, seconds);
    reference.observe({ plugin, route, method, status }, seconds);
  }
  return { ours, theirs, histogram };
}

describe('RequestDurationHistogram', () => {
  it('prints the same /metrics text as prom-client’s Histogram for the same observations', async () => {
    const { ours, theirs } = both();
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain(`${NAME}_count{plugin="calculation",route="/calculate/npv",method="POST",status="200"} 3`);
    expect(text).toContain(`${NAME}_bucket{le="0.001",plugin="calculation",route="/calculate/npv",method="POST",status="200"} 2`);
  });

  it('answers getMetricsAsJSON as prom-client’s Histogram does', async () => {
    const { ours, theirs } = both();
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it('refuses a duration that is not a finite number, and reset() empties it', async () => {
    const { ours, histogram } = both();
    expect(() => histogram.observe('kernel', 'x', 'GET', '200', Number.NaN)).toThrow(TypeError);
    histogram.reset();
    expect(await ours.metrics()).not.toContain(`${NAME}_count`);
  });
});
