import { metricValue, parseMetrics } from '../testing/metrics';
import { withLogContext } from '../common/log-context';
import { ConduitMetrics, type MetricsSources } from './conduit-metrics';

const sources = (overrides: Partial<MetricsSources> = {}): MetricsSources => ({
  exportsByStatus: async () => ({ QUEUED: 2, RUNNING: 1, PROCESSING: 0 }),
  queues: async () => [{ queue: 'conduit-jobs', jobs: { waiting: 3, active: 1 }, oldestWaitingSeconds: 42 }],
  ...overrides,
});

describe('ConduitMetrics', () => {
  it('exposes every Conduit metric in Prometheus text format, with the process metrics prefixed', async () => {
    const metrics = new ConduitMetrics();
    const text = await metrics.text();
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const name of [
      'conduit_exports_total',
      'conduit_exports',
      'conduit_export_identifiers_sent_total',
      'conduit_provider_requests_total',
      'conduit_provider_request_duration_seconds',
      'conduit_provider_rate_limit_waits_total',
      'conduit_provider_rate_limit_wait_seconds_total',
      'conduit_queue_jobs',
      'conduit_queue_oldest_job_age_seconds',
      'conduit_export_lease_losses_total',
      'conduit_export_lease_recoveries_total',
      'conduit_segment_materializations_total',
      'conduit_segment_materialization_duration_seconds',
      'conduit_segment_materialized_rows_total',
      'conduit_http_requests_total',
      'conduit_http_request_duration_seconds',
      'conduit_process_resident_memory_bytes',
      'conduit_nodejs_eventloop_lag_seconds',
    ])
      expect(text).toContain(`# TYPE ${name} `);
    expect(() => parseMetrics(text)).not.toThrow();
  });

  it('counts what it is told, by label', async () => {
    const metrics = new ConduitMetrics({ defaultMetrics: false });
    metrics.exportReached('QUEUED');
    metrics.exportReached('RUNNING');
    metrics.exportReached('PROCESSING');
    metrics.exportReached('COMPLETED');
    metrics.exportSent('tiktok', 120);
    metrics.exportSent('tiktok', 80);
    metrics.requestFinished({ provider: 'tiktok', endpoint: 'POST a/', code: '200', durationSeconds: 0.2 });
    metrics.requestFinished({ provider: 'tiktok', endpoint: 'POST a/', code: '429', durationSeconds: 0.1 });
    metrics.requestFinished({ provider: 'tiktok', endpoint: 'GET b/', code: '40100', durationSeconds: 3 });
    metrics.rateLimitWaited({ provider: 'tiktok', waitedSeconds: 0.5 });
    metrics.rateLimitWaited({ provider: 'tiktok', waitedSeconds: 0.25 });
    metrics.leaseLost();
    metrics.leaseRecovered();
    metrics.leaseRecovered();
    metrics.segmentMaterialized('ready', 1.5, 1000);
    metrics.segmentMaterialized('failed', 0.2, 0);
    metrics.httpRequest({ method: 'GET', route: '/exports/:id', status: 200, seconds: 0.01 });
    metrics.httpRequest({ method: 'GET', route: '/exports/:id', status: 404, seconds: 0.01 });

    const samples = parseMetrics(await metrics.text());
    const value = (name: string, labels: Record<string, string> = {}) => metricValue(samples, name, labels);
    expect(value('conduit_exports_total', { status: 'COMPLETED' })).toBe(1);
    expect(value('conduit_exports_total')).toBe(4);
    expect(value('conduit_export_identifiers_sent_total', { provider: 'tiktok' })).toBe(200);
    expect(value('conduit_provider_requests_total', { endpoint: 'POST a/', code: '200' })).toBe(1);
    expect(value('conduit_provider_requests_total', { endpoint: 'POST a/' })).toBe(2);
    expect(value('conduit_provider_requests_total', { code: '40100' })).toBe(1);
    expect(value('conduit_provider_request_duration_seconds_count', { endpoint: 'POST a/' })).toBe(2);
    expect(value('conduit_provider_request_duration_seconds_bucket', { endpoint: 'GET b/', le: '2.5' })).toBe(
      0,
    );
    expect(value('conduit_provider_request_duration_seconds_bucket', { endpoint: 'GET b/', le: '5' })).toBe(
      1,
    );
    expect(value('conduit_provider_rate_limit_waits_total', { provider: 'tiktok' })).toBe(2);
    expect(value('conduit_provider_rate_limit_wait_seconds_total', { provider: 'tiktok' })).toBe(0.75);
    expect(value('conduit_export_lease_losses_total')).toBe(1);
    expect(value('conduit_export_lease_recoveries_total')).toBe(2);
    expect(value('conduit_segment_materializations_total', { outcome: 'ready' })).toBe(1);
    expect(value('conduit_segment_materializations_total', { outcome: 'failed' })).toBe(1);
    expect(value('conduit_segment_materialized_rows_total')).toBe(1000);
    expect(value('conduit_http_requests_total', { route: '/exports/:id', status: '404' })).toBe(1);
    expect(value('conduit_http_request_duration_seconds_count', { route: '/exports/:id' })).toBe(2);
  });

  it('reads the gauges from its sources at scrape time, the queue once per scrape', async () => {
    const metrics = new ConduitMetrics({ defaultMetrics: false });
    const queues = jest.fn(sources().queues);
    metrics.useSources(sources({ queues }));

    const samples = parseMetrics(await metrics.text());
    expect(metricValue(samples, 'conduit_exports', { status: 'QUEUED' })).toBe(2);
    expect(metricValue(samples, 'conduit_exports', { status: 'RUNNING' })).toBe(1);
    expect(metricValue(samples, 'conduit_queue_jobs', { queue: 'conduit-jobs', state: 'waiting' })).toBe(3);
    expect(metricValue(samples, 'conduit_queue_oldest_job_age_seconds', { queue: 'conduit-jobs' })).toBe(42);
    expect(queues).toHaveBeenCalledTimes(1);
  });

  it('answers a scrape without the series of a source that fails, and counts the failure', async () => {
    const failures: string[] = [];
    const slow = new ConduitMetrics({
      defaultMetrics: false,
      sourceTimeoutMs: 1,
      onSourceError: (source) => failures.push(source),
    });
    slow.useSources(
      sources({
        exportsByStatus: () => Promise.reject(new Error('database down')),
        queues: () => new Promise(() => undefined),
      }),
    );
    const samples = parseMetrics(await slow.text());
    expect(samples.some((sample) => sample.name === 'conduit_exports')).toBe(false);
    expect(samples.some((sample) => sample.name === 'conduit_queue_jobs')).toBe(false);
    expect(metricValue(samples, 'conduit_metrics_source_errors_total', { source: 'database' })).toBe(1);
    expect(metricValue(samples, 'conduit_metrics_source_errors_total', { source: 'queue' })).toBe(1);
    expect(failures).toEqual(['database', 'queue']);
  });

  it('tells the provider-request hook which export the request served', () => {
    const seen: (string | undefined)[] = [];
    const metrics = new ConduitMetrics({
      defaultMetrics: false,
      onProviderRequest: (_observation, exportId) => seen.push(exportId),
    });
    const call = { provider: 'tiktok', endpoint: 'GET b/', code: '200', durationSeconds: 0.1 };
    metrics.requestFinished(call);
    withLogContext({ exportId: 'exp_1' }, () => metrics.requestFinished(call));
    expect(seen).toEqual([undefined, 'exp_1']);
  });
});

describe('parseMetrics', () => {
  it('reads names, escaped label values and special values, and refuses a malformed line', () => {
    const samples = parseMetrics(
      [
        '# HELP a_total help',
        '# TYPE a_total counter',
        'a_total{path="/x",note="say \\"hi\\"\\nbye"} 3',
        'b_bucket{le="+Inf"} +Inf',
        'c 1.5e3',
      ].join('\n'),
    );
    expect(samples).toEqual([
      { name: 'a_total', labels: { path: '/x', note: 'say "hi"\nbye' }, value: 3 },
      { name: 'b_bucket', labels: { le: '+Inf' }, value: Infinity },
      { name: 'c', labels: {}, value: 1500 },
    ]);
    expect(() => parseMetrics('not a sample at all')).toThrow(/Not a Prometheus sample/);
  });
});
