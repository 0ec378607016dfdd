// Providers and models: per provider and model in the chosen range: calls, errors by type, rate
// limits, latency, tokens and cost (docs/dashboard.md says how each figure is computed).
import { get } from './api.js';
import { h, show, table, empty, failure } from './dom.js';
import { currentRange, rangePicker, rangeQuery, moneyCell, count, flagged } from './analytics.js';
import { errorsText, ms, barChartOf } from './agents.js';

export async function providers(main) {
  const range = currentRange();
  const q = rangeQuery(range);
  try {
    const [stats, costs] = await Promise.all([
      get('/api/providers' + (q ? '?' + q : '')),
      get('/api/costs?by=provider,model' + (q ? '&' + q : '')),
    ]);
    render(main, range, stats.items, costs.lines);
  } catch (e) {
    show(main, h('h1', {}, 'Providers and models'), rangePicker(range), failure(e));
  }
}

function render(main, range, items, costLines) {
  const key = (provider, model) => provider + '\u0000' + model;
  const cost = new Map(costLines.map((l) => [key(l.group.provider, l.group.model), l]));
  const rows = items.map((p) => {
    const c = cost.get(key(p.provider, p.model));
    return [p.provider, p.model, count(p.calls), count(p.failed_calls),
      flagged(p.rate_limited, 'answers of 429: rate limited'), errorsText(p.errors_by_type),
      ms(p.latency_p50_ms), ms(p.latency_p95_ms), count(c?.input_tokens), count(c?.output_tokens),
      count(c?.cache_read_tokens),
      flagged(c?.unpriced_calls ?? 0, 'calls without a price: their cost is not in the sum'),
      moneyCell(c?.cost_usd ?? '0'),
      p.cache_hit_ratio == null ? 'n/a' : (p.cache_hit_ratio * 100).toFixed(1) + '%'];
  });
  const t = table('Per provider and model, calls answered in the range',
    ['provider', 'model', 'calls', 'failed', 'rate limited', 'errors by type', 'latency p50',
      'latency p95', 'input tokens', 'output tokens', 'cache read tokens', 'unpriced', 'cost',
      'cache hit ratio'], rows);
  t.id = 'providers-table';
  t.classList.add('analytics');
  const chart = h('div', { id: 'providers-chart', class: 'chart', role: 'img',
    'aria-label': 'Calls per provider and model' });
  show(main,
    h('h1', {}, 'Providers and models'),
    rangePicker(range),
    items.length ? null : empty('No model calls in this range. Run a book with ', 'bin/book-creator demo'),
    h('section', {}, h('h2', {}, 'Per provider and model'), t),
    h('section', {}, h('h2', {}, 'Calls per provider and model'), chart,
      h('p', { class: 'muted' }, items.map((p, i) => `${i + 1}: ${p.provider} ${p.model}`).join(', '))));
  barChartOf(chart, items.map((p) => Number(p.calls)));
}
