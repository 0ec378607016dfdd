// Agents: per role, how its calls went in the chosen range: success rate, retries, schema
// violations, latency, tokens and cost (docs/dashboard.md says how each figure is computed).
import { get } from './api.js';
import { h, show, table, empty, failure } from './dom.js';
import { percent, words } from './format.js';
import { currentRange, rangePicker, rangeQuery, moneyCell, count, flagged, barChart } from './analytics.js';

export async function agents(main) {
  const range = currentRange();
  const q = rangeQuery(range);
  try {
    const [stats, costs] = await Promise.all([
      get('/api/agents' + (q ? '?' + q : '')),
      get('/api/costs?by=agent' + (q ? '&' + q : '')),
    ]);
    render(main, range, stats.items, costs.lines);
  } catch (e) {
    show(main, h('h1', {}, 'Agents'), rangePicker(range), failure(e));
  }
}

export function errorsText(errors) {
  const entries = Object.entries(errors ?? {});
  return entries.length ? entries.map(([type, n]) => `${type} ${n}`).join('; ') : 'none';
}

export function ms(v) {
  return Math.round(Number(v ?? 0)).toLocaleString('en-US') + ' ms';
}

function render(main, range, items, costLines) {
  const cost = new Map(costLines.map((l) => [l.group.agent, l]));
  const rows = items.map((a) => {
    const c = cost.get(a.role);
    return [words(a.role), count(a.calls), count(a.failed_calls),
      percent(a.success_rate ?? null), flagged(a.retries, 'tasks sent back to the queue'),
      flagged(a.schema_violations, 'answers that failed their schema (repaired or not)'),
      errorsText(a.errors_by_type), ms(a.latency_p50_ms), ms(a.latency_p95_ms),
      count(c ? Number(c.input_tokens) + Number(c.output_tokens) : 0), moneyCell(c?.cost_usd ?? '0')];
  });
  const t = table('Per agent role, calls answered in the range',
    ['role', 'calls', 'failed', 'success rate', 'retries', 'schema violations', 'errors by type',
      'latency p50', 'latency p95', 'tokens', 'cost'], rows);
  t.id = 'agents-table';
  t.classList.add('analytics');
  const chart = h('div', { id: 'agents-chart', class: 'chart', role: 'img',
    'aria-label': 'Latency p95 per agent role, in milliseconds (bars numbered as listed below)' });
  show(main,
    h('h1', {}, 'Agents'),
    rangePicker(range),
    items.length ? null : empty('No agent calls in this range. Run a book with ', 'bin/book-creator demo'),
    h('section', {}, h('h2', {}, 'Per role'), t),
    h('section', {}, h('h2', {}, 'Latency p95 per role'), chart,
      h('p', { class: 'muted' }, items.map((a, i) => `${i + 1}: ${words(a.role)}`).join(', '))));
  // One bar per role, at positions 1..n (the x axis counts roles, not time).
  barChartOf(chart, items.map((a) => Number(a.latency_p95_ms)));
}

function barChartOf(target, ys) {
  const xs = ys.map((y, i) => i + 1);
  return barChart(target, xs.length ? xs : [1], ys.length ? ys : [0], '', (v) => String(Math.round(v)), false);
}

export { barChartOf };
