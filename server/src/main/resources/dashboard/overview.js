// Overview: what the library is doing now and what it has cost (docs/dashboard.md says how each
// figure is computed).
import { get, runPath } from './api.js';
import { h, show, table, figure, empty, failure } from './dom.js';
import { money, percent, seconds, time, words } from './format.js';
import { follow, coalesce } from './live.js';
import { currentRange, rangePicker, since, moneyCell, count } from './analytics.js';

const STAGES = ['intake', 'document_parsing', 'outline', 'structure_critique', 'research',
  'chapter_writing', 'editing', 'fact_check', 'assembly'];
const DAYS = 14;

export function overview(main) {
  const range = currentRange('7d');
  const draw = async () => {
    try {
      const [all, daily, month, alerts, stalls, throughput, perBook, providers, active] =
        await Promise.all([
          get('/api/costs'),
          get(`/api/costs?by=day&since=${firstDay()}`),
          get(`/api/costs?since=${new Date().toISOString().slice(0, 8)}01`),
          get('/api/alerts'),
          get('/api/stalls'),
          get(throughputPath(range, range.hours === 24 ? 'hour' : 'day')),
          get(throughputPath(range, range.hours == null ? 'week' : 'day')),
          get('/api/providers' + (since(range) ? '?since=' + encodeURIComponent(since(range)) : '')),
          get('/api/runs/active'),
        ]);
      render(main, range, { all, daily, month, alerts: alerts.items, stalls: stalls.items,
        throughput, perBook, providers: providers.items, active: active.items,
        activeTotal: active.total });
    } catch (e) {
      show(main, h('h1', {}, 'Overview'), rangePicker(range), failure(e));
    }
  };
  draw();
  const soon = coalesce(draw, 1000);
  follow({ topics: ['runs', 'alerts'], onRun: soon, onAlert: soon, onResync: draw });
}

/** The viewer's time zone, which the API buckets days and weeks in. */
export function zone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** GET /api/throughput for the range (since on a whole hour; none for all time). */
function throughputPath(range, bucket) {
  const s = since(range);
  return `/api/throughput?bucket=${bucket}&zone=${encodeURIComponent(zone())}`
    + (s ? '&since=' + encodeURIComponent(s) : '');
}

/**
 * The first UTC day the spend chart draws, as a date: whole days, so the API answers from its
 * daily rollup (a span back such as 14d ends mid-day and makes it sum the ledger's rows).
 */
function firstDay() {
  const d = new Date();
  const today = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return new Date(today - (DAYS - 1) * 86400000).toISOString().slice(0, 10);
}

function render(main, range, d) {
  const { all, daily, month, alerts, stalls, throughput, perBook, providers, active, activeTotal } = d;
  const sum = (key) => all.categories.reduce((n, c) => n + Number(c[key] ?? 0), 0);
  const completed = sum('completed_runs');
  const failed = sum('failed_runs');
  const activeRuns = sum('active_runs');
  const today = new Date().toISOString().slice(0, 10);
  const todayLine = daily.lines.find((l) => l.group?.day === today);
  const firing = alerts.filter((a) => a.state === 'firing');
  const tt = throughput.total;

  const figures = h('section', { class: 'figures', 'aria-label': 'Key figures' },
    figure('active runs', activeRuns, 'queued, running or paused now', 'fig-active'),
    figure('completed', completed, 'runs that finished with a manuscript', 'fig-completed'),
    figure('failed', failed, 'runs that ended in failure', 'fig-failed'),
    figure('completion rate', percent(completed + failed ? completed / (completed + failed) : null),
      'completed / (completed + failed)', 'fig-rate'),
    figure('spend, all time', money(all.total.cost_usd), all.total.cost_usd + ' USD', 'fig-spend'),
    figure('spend today (UTC)', money(todayLine?.cost_usd), (todayLine?.cost_usd ?? '0') + ' USD',
      'fig-today'),
    figure('spend this month (UTC)', money(month.total.cost_usd), month.total.cost_usd + ' USD',
      'fig-month'),
    figure('alerts firing', firing.length, 'alerts in state firing now', 'fig-alerts'),
    figure('stalled runs', stalls.length, 'active runs the stall detector flags', 'fig-stalls'));

  const rangeFigures = h('section', { class: 'figures', 'aria-label': 'Figures of the range' },
    figure('completed in range', count(tt.completed), 'runs that completed in the range',
      'fig-range-completed'),
    figure('failed in range', count(tt.failed), 'runs that failed in the range', 'fig-range-failed'),
    figure('completion rate in range', percent(tt.completion_rate ?? null),
      'completed / (completed + failed) in the range', 'fig-range-rate'),
    figure('cost per book in range', tt.cost_per_book_usd ? money(tt.cost_per_book_usd) : 'n/a',
      (tt.cost_per_book_usd ?? 'no book completed') + (tt.cost_per_book_usd ? ' USD' : ''),
      'fig-cost-per-book'));

  const byStage = new Map();
  for (const s of all.books_per_stage) byStage.set(s.stage, (byStage.get(s.stage) ?? 0) + s.books);
  const stageRows = STAGES.filter((s) => byStage.get(s) > 0).map((s) => [words(s), byStage.get(s)]);

  const chart = h('div', { id: 'spend-chart', class: 'chart', role: 'img',
    'aria-label': `Spend per day over the last ${DAYS} days, in US dollars` });
  const tpChart = h('div', { id: 'throughput-chart', class: 'chart', role: 'img',
    'aria-label': `Books completed and failed per ${throughput.bucket}` });
  const cpbChart = h('div', { id: 'cost-per-book-chart', class: 'chart', role: 'img',
    'aria-label': `Average cost of the books completed per ${perBook.bucket}, in US dollars` });

  const activeTable = table('Open runs: progress and forecast from completed runs',
    ['run', 'project', 'category', 'state', 'stage', 'stages', 'tasks', 'spent', 'time left',
      'finishes', 'cost to complete', 'projected total', 'from'],
    active.map((a) => {
      const none = a.forecast_basis === 'none';
      return [h('a', { href: runPath(a.run_id) }, a.run_id), a.title, a.category, words(a.state),
        words(a.stage ?? 'intake'), `${a.stages_done}/${a.stages_total}`,
        `${a.tasks_done}/${a.tasks_total}`, moneyCell(a.spent_usd),
        none ? 'no history' : h('span', { 'data-seconds': String(a.remaining_seconds) },
          seconds(a.remaining_seconds)),
        none ? '' : time(a.finishes_at),
        none ? 'no history' : moneyCell(a.cost_to_complete_usd),
        none ? '' : moneyCell(a.projected_total_usd),
        none ? 'no history' : words(a.forecast_basis)];
    }));
  activeTable.id = 'active-runs';

  const providerTable = table('Per provider and model, calls answered in the range',
    ['provider', 'model', 'calls', 'error rate', 'latency p50', 'latency p95'],
    providers.map((p) => [p.provider, p.model, count(p.calls),
      percent(p.error_rate ?? null), p.latency_p50_ms + ' ms', p.latency_p95_ms + ' ms']));
  providerTable.id = 'overview-providers';

  show(main,
    h('h1', {}, 'Overview'),
    completed + failed + activeRuns === 0
      ? empty('No runs yet: run ', 'bin/book-creator demo')
      : null,
    figures,
    h('section', {}, h('h2', {}, 'Open runs'),
      active.length ? activeTable : empty('No open runs. Start one with ', 'bin/book-creator run BRIEF'),
      activeTotal > active.length
        ? h('p', { class: 'muted' }, `The oldest ${active.length} of ${activeTotal} open runs; all of them: `,
          h('code', {}, 'bin/book-creator runs --active'))
        : null),
    h('section', {}, h('h2', {}, 'Active runs by stage'),
      stageRows.length ? table('Runs queued, running or paused, by their stage now',
        ['stage', 'runs'], stageRows) : empty('No active runs. Start one with ', 'bin/book-creator run BRIEF')),
    h('section', {}, h('h2', {}, 'Throughput'), rangePicker(range), rangeFigures,
      h('h3', {}, `Books completed and failed per ${throughput.bucket} (your time zone)`), tpChart,
      h('h3', {}, `Cost per book, per ${perBook.bucket} (your time zone)`), cpbChart),
    h('section', {}, h('h2', {}, 'Providers: latency and errors in the range'),
      providers.length ? providerTable : empty('No model calls in this range.')),
    h('section', {}, h('h2', {}, `Spend per day, last ${DAYS} days (UTC)`), chart),
    h('section', {}, h('h2', {}, 'Stalled runs'),
      stalls.length ? table('Runs without progress', ['run', 'stage', 'why', 'for'],
        stalls.map((s) => [h('a', { href: runPath(s.run_id) }, s.run_id), words(s.stage), s.reason,
          seconds(s.stalled_seconds)])) : empty('No stalled runs.')),
    h('section', {}, h('h2', {}, 'Alerts firing'),
      firing.length ? table('Alerts firing now', ['alert', 'severity', 'summary'],
        firing.map((a) => [a.name, a.severity, a.summary])) : empty('No alerts firing.')));

  spendChart(chart, daily.lines);
  throughputChart(tpChart, throughput);
  costPerBookChart(cpbChart, perBook);
}

function axes() {
  const css = getComputedStyle(document.documentElement);
  const ink = css.getPropertyValue('--ink').trim();
  const grid = css.getPropertyValue('--grid').trim();
  return { css, axis: { stroke: ink, grid: { stroke: grid }, ticks: { stroke: grid } } };
}

/** Completed and failed runs per bucket, side by side; data-points counts buckets with any. */
function throughputChart(target, tp) {
  const { css, axis } = axes();
  const xs = tp.times.map((t) => Date.parse(t) / 1000);
  const done = tp.completed.map(Number);
  const failed = tp.failed.map(Number);
  const series = (label, colour, align) => ({
    label, fill: css.getPropertyValue(colour).trim(), stroke: css.getPropertyValue(colour).trim(),
    paths: uPlot.paths.bars({ size: [0.4, 24], align }), points: { show: false } });
  new uPlot({
    width: Math.max(320, target.clientWidth || 640),
    height: 220,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max * 1.1, 1)] } },
    axes: [axis, { ...axis, values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : '')) }],
    series: [{}, series('completed', '--series-1', -1), series('failed', '--series-2', 1)],
  }, [xs, done, failed], target);
  target.dataset.points = String(xs.filter((x, i) => done[i] + failed[i] > 0).length);
  target.dataset.completed = String(done.reduce((a, b) => a + b, 0));
  target.dataset.failed = String(failed.reduce((a, b) => a + b, 0));
}

/** The average cost of the books completed in each bucket; gaps where none completed. */
function costPerBookChart(target, tp) {
  const { css, axis } = axes();
  const xs = tp.times.map((t) => Date.parse(t) / 1000);
  const ys = tp.cost_per_book_usd.map((c) => (c == null ? null : Number(c)));
  const colour = css.getPropertyValue('--series-3').trim();
  new uPlot({
    width: Math.max(320, target.clientWidth || 640),
    height: 220,
    legend: { show: false },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max((max ?? 0) * 1.1, 0.01)] } },
    axes: [axis, { ...axis, size: 70, values: (u, vals) => vals.map((v) => '$' + v.toFixed(2)) }],
    series: [{}, { label: 'cost per book (USD)', stroke: colour, width: 2,
      points: { show: true, size: 7, fill: colour }, spanGaps: false }],
  }, [xs, ys], target);
  target.dataset.points = String(ys.filter((y) => y != null).length);
}

/** Bars of spend per UTC day, zero where nothing was spent. */
function spendChart(target, lines) {
  const byDay = new Map(lines.map((l) => [l.group.day, Number(l.cost_usd)]));
  const xs = [];
  const ys = [];
  const start = Date.UTC(...(() => { const d = new Date(); return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()]; })());
  for (let i = DAYS - 1; i >= 0; i--) {
    const t = start - i * 86400000;
    xs.push(t / 1000);
    ys.push(byDay.get(new Date(t).toISOString().slice(0, 10)) ?? 0);
  }
  const css = getComputedStyle(document.documentElement);
  const ink = css.getPropertyValue('--ink').trim();
  const grid = css.getPropertyValue('--grid').trim();
  const axis = { stroke: ink, grid: { stroke: grid }, ticks: { stroke: grid } };
  const plot = new uPlot({
    width: Math.max(320, target.clientWidth || 640),
    height: 220,
    legend: { show: false },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max * 1.1, 0.01)] } },
    axes: [axis, { ...axis, values: (u, vals) => vals.map((v) => '$' + v.toFixed(2)) }],
    series: [{}, {
      label: 'spend (USD)',
      fill: css.getPropertyValue('--series-1').trim(),
      stroke: css.getPropertyValue('--series-1').trim(),
      paths: uPlot.paths.bars({ size: [0.6, 48] }),
      points: { show: false },
    }],
  }, [xs, ys], target);
  target.dataset.points = String(ys.filter((y) => y > 0).length);
  return plot;
}
