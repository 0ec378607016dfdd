// Costs: what model calls cost in the chosen range, by stage, agent, provider, model, category and
// day, with budgets and CSV downloads (docs/dashboard.md says how each figure is computed).
import { get } from './api.js';
import { h, show, table, figure, empty, failure } from './dom.js';
import { words } from './format.js';
import { currentRange, rangePicker, rangeQuery, moneyCell, cents, flagged, count, csvLink,
  barChart, since } from './analytics.js';

const GROUPS = [
  { by: 'stage', title: 'By stage', label: (k) => words(k) },
  { by: 'agent', title: 'By agent role', label: (k) => words(k) },
  { by: 'provider', title: 'By provider', label: (k) => k },
  { by: 'model', title: 'By model', label: (k) => k },
  { by: 'category', title: 'By category', label: (k) => k },
];

/** How many budgets the page shows: the most used. */
const BUDGETS_SHOWN = 50;

export async function costs(main) {
  const range = currentRange();
  const q = rangeQuery(range);
  const url = (by) => `/api/costs?by=${by}${q ? '&' + q : ''}`;
  try {
    const [days, budgets, ...groups] = await Promise.all([
      get(url('day')),
      get(`/api/budgets?limit=${BUDGETS_SHOWN}`),
      ...GROUPS.map((g) => get(url(g.by))),
    ]);
    render(main, range, q, days, budgets, groups);
  } catch (e) {
    show(main, h('h1', {}, 'Costs'), rangePicker(range), failure(e));
  }
}

/** A share of a budget as a percentage, flagged at 100% or more. */
function share(ratio) {
  return ratio == null ? 'n/a' : h('span', { class: Number(ratio) >= 1 ? 'flag' : null },
    (Number(ratio) * 100).toFixed(1) + '%');
}

function render(main, range, q, days, budgets, groups) {
  const total = days.total;
  const csv = (by) => `/api/costs.csv?by=${by}${q ? '&' + q : ''}`;
  const figures = h('section', { class: 'figures', 'aria-label': 'Key figures' },
    figure('spend', moneyCell(total.cost_usd), total.cost_usd + ' USD', 'fig-cost'),
    figure('model calls', count(total.calls), 'calls recorded in the range', 'fig-calls'),
    figure('failed calls', count(total.failed_calls), 'calls that ended in an error', 'fig-failed'),
    figure('unpriced calls', flagged(total.unpriced_calls, 'calls of a model without a price: not in the spend'),
      'calls of models without a price (cost 0 until repriced)', 'fig-unpriced'),
    figure('wasted', moneyCell(total.wasted_cost_usd),
      'answers paid for but not used (the worker had lost its task)', 'fig-wasted'),
    figure('interrupted calls', count(total.interrupted_calls),
      'sent, never answered; their input alone is estimated at $' + total.interrupted_estimated_cost_usd,
      'fig-interrupted'));

  const chart = h('div', { id: 'cost-chart', class: 'chart', role: 'img',
    'aria-label': `Spend per UTC day, ${range.label}, in US dollars` });

  const unpriced = Number(total.unpriced_calls) > 0
    ? h('p', { class: 'flag', id: 'unpriced-note' }, `${total.unpriced_calls} call(s) of models without a price are not in these sums. `,
      'See ', h('code', {}, 'bin/book-creator cost prices'), ' and price them with ',
      h('code', {}, 'bin/book-creator cost reprice'), '.')
    : null;

  show(main,
    h('h1', {}, 'Costs'),
    rangePicker(range),
    Number(total.calls) === 0 ? empty('No model calls in this range. Run a book with ', 'bin/book-creator demo') : null,
    figures,
    unpriced,
    h('section', {}, h('h2', {}, 'Spend per day (UTC days)'), chart,
      csvLink(csv('day'), 'spend per day')),
    h('div', { class: 'grid2' }, GROUPS.map((g, i) => h('section', {},
      h('h2', {}, g.title),
      lineTable(g, groups[i]),
      csvLink(csv(g.by), 'costs ' + g.title.toLowerCase())))),
    h('section', { id: 'budgets' }, h('h2', {}, 'Budgets'),
      budgets.items.length
        ? [table('Projects with a budget: what they have spent over all their runs (any range), and what they will have spent when their open run completes',
          ['project', 'category', 'budget', 'spent', 'share used', 'projected at completion',
            'projected share'],
          budgets.items.map((b) => [b.title, b.category, moneyCell(b.budget_usd),
            moneyCell(b.spent_usd), share(b.share_used),
            b.projected_usd == null ? 'no history' : moneyCell(b.projected_usd),
            b.projected_usd == null ? 'no history' : share(b.projected_share)])),
          budgets.total > budgets.items.length
            ? h('p', { class: 'muted', id: 'budgets-shown' },
              `The ${count(budgets.items.length)} most used of ${count(budgets.total)} budgets.`)
            : null]
        : empty('No project has a budget. Set one with ', 'budget_usd in the brief')));

  dayChart(chart, range, days.lines);
}

function lineTable(g, report) {
  const el = table(`${g.title}, with the total`,
    [g.by, 'calls', 'failed', 'unpriced', 'input tokens', 'output tokens', 'cost'],
    [...report.lines.map((l) => [g.label(l.group[g.by]), count(l.calls), count(l.failed_calls),
      flagged(l.unpriced_calls, 'calls without a price: their cost is not in the sum'),
      count(l.input_tokens), count(l.output_tokens), moneyCell(l.cost_usd)]),
    [h('strong', {}, 'total'), count(report.total.calls), count(report.total.failed_calls),
      flagged(report.total.unpriced_calls, 'calls without a price'), count(report.total.input_tokens),
      count(report.total.output_tokens), moneyCell(report.total.cost_usd)]]);
  el.id = 'costs-by-' + g.by;
  el.classList.add('analytics');
  return el;
}

/** Spend per UTC day over the range (the last 30 days for all time, or since the first call). */
function dayChart(target, range, lines) {
  const byDay = new Map(lines.map((l) => [l.group.day, Number(l.cost_usd)]));
  const dayMs = 86400000;
  const today = Math.floor(Date.now() / dayMs) * dayMs;
  const start = since(range);
  const known = lines.map((l) => Date.parse(l.group.day + 'T00:00:00Z'));
  let first = start ? Math.floor(Date.parse(start) / dayMs) * dayMs
    : Math.min(today - 29 * dayMs, ...known);
  const xs = [];
  const ys = [];
  for (let t = first; t <= today; t += dayMs) {
    xs.push(t / 1000);
    ys.push(byDay.get(new Date(t).toISOString().slice(0, 10)) ?? 0);
  }
  barChart(target, xs, ys, 'spend (USD)', (v) => cents(v.toFixed(4)));
}
