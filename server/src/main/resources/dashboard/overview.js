// Overview: what the library is doing now and what it has cost (docs/dashboard.md says how each
// figure is computed).
import { get, runPath } from './api.js';
import { h, show, table, figure, empty, failure } from './dom.js';
import { money, percent, seconds, words } from './format.js';
import { follow, coalesce } from './live.js';

const STAGES = ['intake', 'document_parsing', 'outline', 'structure_critique', 'research',
  'chapter_writing', 'editing', 'fact_check', 'assembly'];
const DAYS = 14;

export function overview(main) {
  const draw = async () => {
    try {
      const [all, daily, alerts, stalls] = await Promise.all([
        get('/api/costs'),
        get(`/api/costs?by=day&since=${firstDay()}`),
        get('/api/alerts'),
        get('/api/stalls'),
      ]);
      render(main, all, daily, alerts.items, stalls.items);
    } catch (e) {
      show(main, h('h1', {}, 'Overview'), failure(e));
    }
  };
  draw();
  const soon = coalesce(draw, 1000);
  follow({ topics: ['runs', 'alerts'], onRun: soon, onAlert: soon, onResync: draw });
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

function render(main, all, daily, alerts, stalls) {
  const sum = (key) => all.categories.reduce((n, c) => n + Number(c[key] ?? 0), 0);
  const completed = sum('completed_runs');
  const failed = sum('failed_runs');
  const active = sum('active_runs');
  const today = new Date().toISOString().slice(0, 10);
  const todayLine = daily.lines.find((l) => l.group?.day === today);
  const firing = alerts.filter((a) => a.state === 'firing');

  const figures = h('section', { class: 'figures', 'aria-label': 'Key figures' },
    figure('active runs', active, 'queued, running or paused now', 'fig-active'),
    figure('completed', completed, 'runs that finished with a manuscript', 'fig-completed'),
    figure('failed', failed, 'runs that ended in failure', 'fig-failed'),
    figure('completion rate', percent(completed + failed ? completed / (completed + failed) : null),
      'completed / (completed + failed)', 'fig-rate'),
    figure('spend, all time', money(all.total.cost_usd), all.total.cost_usd + ' USD', 'fig-spend'),
    figure('spend today (UTC)', money(todayLine?.cost_usd), (todayLine?.cost_usd ?? '0') + ' USD',
      'fig-today'),
    figure('alerts firing', firing.length, 'alerts in state firing now', 'fig-alerts'),
    figure('stalled runs', stalls.length, 'active runs the stall detector flags', 'fig-stalls'));

  const byStage = new Map();
  for (const s of all.books_per_stage) byStage.set(s.stage, (byStage.get(s.stage) ?? 0) + s.books);
  const stageRows = STAGES.filter((s) => byStage.get(s) > 0).map((s) => [words(s), byStage.get(s)]);

  const chart = h('div', { id: 'spend-chart', class: 'chart', role: 'img',
    'aria-label': `Spend per day over the last ${DAYS} days, in US dollars` });

  show(main,
    h('h1', {}, 'Overview'),
    completed + failed + active === 0
      ? empty('No runs yet: run ', 'bin/book-creator demo')
      : null,
    figures,
    h('section', {}, h('h2', {}, 'Active runs by stage'),
      stageRows.length ? table('Runs queued, running or paused, by their stage now',
        ['stage', 'runs'], stageRows) : empty('No active runs. Start one with ', 'bin/book-creator run BRIEF')),
    h('section', {}, h('h2', {}, `Spend per day, last ${DAYS} days (UTC)`), chart),
    h('section', {}, h('h2', {}, 'Stalled runs'),
      stalls.length ? table('Runs without progress', ['run', 'stage', 'why', 'for'],
        stalls.map((s) => [h('a', { href: runPath(s.run_id) }, s.run_id), words(s.stage), s.reason,
          seconds(s.stalled_seconds)])) : empty('No stalled runs.')),
    h('section', {}, h('h2', {}, 'Alerts firing'),
      firing.length ? table('Alerts firing now', ['alert', 'severity', 'summary'],
        firing.map((a) => [a.name, a.severity, a.summary])) : empty('No alerts firing.')));

  spendChart(chart, daily.lines);
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
