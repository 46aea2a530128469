import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CounterVec, GaugeVec, HistogramVec, MetricsRegistry, ValueFunc } from './metrics.js';

test('counters write one line per label set, labels and series sorted by name', () => {
  const c = new CounterVec('requests_total', 'Requests.', ['verb', 'code']);
  c.inc(['POST', '201']);
  c.inc(['GET', '200'], 2);
  c.inc(['POST', '201']);
  assert.equal(c.expose(), [
    '# HELP requests_total Requests.',
    '# TYPE requests_total counter',
    'requests_total{code="200",verb="GET"} 2',
    'requests_total{code="201",verb="POST"} 2',
    '',
  ].join('\n'));
});

test('histograms write cumulative buckets, +Inf, sum and count', () => {
  const h = new HistogramVec('latency_seconds', 'Latency.', ['verb'], [0.01, 0.05]);
  for (const v of [0.001, 0.01, 0.02, 0.5]) h.observe(['GET'], v);
  assert.equal(h.expose(), [
    '# HELP latency_seconds Latency.',
    '# TYPE latency_seconds histogram',
    'latency_seconds_bucket{verb="GET",le="0.01"} 2',
    'latency_seconds_bucket{verb="GET",le="0.05"} 3',
    'latency_seconds_bucket{verb="GET",le="+Inf"} 4',
    'latency_seconds_sum{verb="GET"} 0.531',
    'latency_seconds_count{verb="GET"} 4',
    '',
  ].join('\n'));
});

test('label values and help text are escaped', () => {
  const c = new CounterVec('x_total', 'a \\ b\nc', ['v']);
  c.inc(['say "hi"\\\n']);
  assert.equal(c.expose(), '# HELP x_total a \\\\ b\\nc\n# TYPE x_total counter\nx_total{v="say \\"hi\\"\\\\\\n"} 1\n');
});

test('a registry writes families by name; value functions are read at scrape time', () => {
  const r = new MetricsRegistry();
  let n = 1;
  r.register(new ValueFunc('z_gauge', 'Z.', 'gauge', () => n));
  r.register(new CounterVec('a_total', 'A.', []));
  n = 7;
  assert.equal(r.expose(), '# HELP a_total A.\n# TYPE a_total counter\n# HELP z_gauge Z.\n# TYPE z_gauge gauge\nz_gauge 7\n');
});

test('a series handle (with) counts into the same series as inc and observe', () => {
  const c = new CounterVec('hits_total', 'Hits.', ['kind']);
  const h = c.with(['a']);
  h.inc();
  h.inc(2);
  c.inc(['a']);
  assert.match(c.expose(), /^hits_total\{kind="a"\} 4$/m);
  const l = new HistogramVec('t_seconds', 'T.', ['k'], [1]);
  l.with(['x']).observe(0.5);
  l.observe(['x'], 2);
  assert.match(l.expose(), /^t_seconds_count\{k="x"\} 2$/m);
  assert.match(l.expose(), /^t_seconds_bucket\{k="x",le="1"\} 1$/m);
});

test('gauges go up and down and can be set', () => {
  const g = new GaugeVec('watchers', 'Open watches.', ['resource']);
  g.add(['pods'], 1);
  g.add(['pods'], 1);
  g.add(['pods'], -1);
  g.set(['nodes'], 5);
  assert.equal(g.expose(), '# HELP watchers Open watches.\n# TYPE watchers gauge\nwatchers{resource="nodes"} 5\nwatchers{resource="pods"} 1\n');
});
