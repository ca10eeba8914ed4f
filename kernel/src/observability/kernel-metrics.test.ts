import { KernelMetrics } from './kernel-metrics';

describe('KernelMetrics', () => {
  it('has no per-tenant series unless a tenant label is configured', async () => {
    const metrics = new KernelMetrics();
    metrics.observeRequest('calculation', '/calculate/npv', 'POST', '200', 0.002, 'acme');
    const text = await metrics.registry.metrics();
    expect(text).toContain('vv_http_request_duration_seconds_count{plugin="calculation",route="/calculate/npv",method="POST",status="200"} 1');
    expect(text).not.toContain('vv_tenant_requests_total');
  });

  it('labels the first n tenants and counts every other one as "other": the series stay bounded', async () => {
    const metrics = new KernelMetrics({ tenantLabel: { mode: 'first', max: 2 } });
    for (const tenant of ['a', 'b', 'c', 'd', 'a']) metrics.observeRequest('calculation', '/calculate/npv', 'POST', '200', 0.002, tenant);
    metrics.observeRequest('calculation', '/calculate/npv', 'POST', '503', 0.002, 'b');
    const text = await metrics.registry.metrics();
    expect(text).toContain('vv_tenant_requests_total{plugin="calculation",tenant="a",class="2xx"} 2');
    expect(text).toContain('vv_tenant_requests_total{plugin="calculation",tenant="b",class="2xx"} 1');
    expect(text).toContain('vv_tenant_requests_total{plugin="calculation",tenant="b",class="5xx"} 1');
    expect(text).toContain('vv_tenant_requests_total{plugin="calculation",tenant="other",class="2xx"} 2');
    expect(text).not.toMatch(/tenant="[cd]"/);
    expect(text).toContain('vv_tenant_request_duration_seconds_count{plugin="calculation",tenant="a"} 2');
  });

  it('labels only the listed tenants with a list', async () => {
    const metrics = new KernelMetrics({ tenantLabel: { mode: 'list', tenants: ['big'] } });
    metrics.observeRequest('billing', '/billing/usage', 'POST', '429', 0.001, 'big');
    metrics.observeRequest('billing', '/billing/usage', 'POST', '200', 0.001, 'small');
    const text = await metrics.registry.metrics();
    expect(text).toContain('vv_tenant_requests_total{plugin="billing",tenant="big",class="4xx"} 1');
    expect(text).toContain('vv_tenant_requests_total{plugin="billing",tenant="other",class="2xx"} 1');
  });

  it("reports the job queue's stats at scrape time, by queue", async () => {
    const metrics = new KernelMetrics();
    let waiting = 3;
    metrics.watchJobs(async () => [{ queue: 'billing.invoice', waiting, active: 1, dead: 2, oldestWaitingSeconds: 42.5, retries: 7 }]);
    let text = await metrics.registry.metrics();
    expect(text).toContain('vv_jobs_waiting{queue="billing.invoice"} 3');
    expect(text).toContain('vv_jobs_active{queue="billing.invoice"} 1');
    expect(text).toContain('vv_jobs_dead{queue="billing.invoice"} 2');
    expect(text).toContain('vv_jobs_oldest_waiting_seconds{queue="billing.invoice"} 42.5');
    expect(text).toContain('vv_jobs_retries{queue="billing.invoice"} 7');
    waiting = 0;
    text = await metrics.registry.metrics();
    expect(text).toContain('vv_jobs_waiting{queue="billing.invoice"} 0');
  });

  it('counts problems by plugin and code', async () => {
    const metrics = new KernelMetrics();
    metrics.httpErrors.inc({ plugin: 'calculation', code: 'VV_COMPUTE_BUDGET_EXCEEDED' });
    metrics.httpErrors.inc({ plugin: 'calculation', code: 'VV_RATE_LIMITED' });
    metrics.httpErrors.inc({ plugin: 'calculation', code: 'VV_RATE_LIMITED' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('vv_http_errors_total{plugin="calculation",code="VV_RATE_LIMITED"} 2');
    expect(text).toContain('vv_http_errors_total{plugin="calculation",code="VV_COMPUTE_BUDGET_EXCEEDED"} 1');
  });
});

describe('coreServices.metrics (KernelMetrics.forPlugin)', () => {
  it("exports a plugin's business counter as vv_<plugin>_<name>_total with its declared labels", async () => {
    const metrics = new KernelMetrics();
    const signed = metrics.forPlugin('value-committer').counter('commitment_events', { help: 'Commitment events', labels: ['event'] });
    signed.inc({ event: 'commitment.signed' });
    signed.inc({ event: 'commitment.signed' }, 2);
    // The same counter again (a plugin set up a second time): no duplicate registration.
    metrics
      .forPlugin('value-committer')
      .counter('commitment_events', { help: 'Commitment events', labels: ['event'] })
      .inc({ event: 'commitment.created' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('vv_value_committer_commitment_events_total{event="commitment.signed"} 3');
    expect(text).toContain('vv_value_committer_commitment_events_total{event="commitment.created"} 1');
  });

  it('refuses a bad name, a reserved label and a non-positive increment', () => {
    const plugin = new KernelMetrics().forPlugin('calculation');
    expect(() => plugin.counter('Models', { help: 'x' })).toThrow(expect.objectContaining({ code: 'VV_VALIDATION' }));
    expect(() => plugin.counter('models_total', { help: 'x' })).toThrow(expect.objectContaining({ code: 'VV_VALIDATION' }));
    expect(() => plugin.counter('models', { help: 'x', labels: ['plugin'] })).toThrow(expect.objectContaining({ code: 'VV_VALIDATION' }));
    const counter = plugin.counter('models', { help: 'x' });
    expect(() => counter.inc({}, 0)).toThrow(expect.objectContaining({ code: 'VV_VALIDATION' }));
    expect(() => counter.inc({}, -1)).toThrow(expect.objectContaining({ code: 'VV_VALIDATION' }));
  });
});
