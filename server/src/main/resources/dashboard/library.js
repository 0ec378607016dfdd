// Library: per category, the projects and their books: where they are now, what completed books
// took and cost, and how many runs each stage held over time (docs/dashboard.md says how).
import { get } from './api.js';
import { h, show, table, empty, failure } from './dom.js';
import { seconds, words } from './format.js';
import { currentRange, rangePicker, rangeQuery, moneyCell, count, stackedChart } from './analytics.js';

export const STAGES = ['intake', 'document_parsing', 'outline', 'structure_critique', 'research',
  'chapter_writing', 'editing', 'fact_check', 'assembly'];

export async function library(main) {
  const range = currentRange();
  const q = rangeQuery(range);
  try {
    const [report, lib] = await Promise.all([get('/api/costs'), get('/api/library' + (q ? '?' + q : ''))]);
    render(main, range, report, lib);
  } catch (e) {
    show(main, h('h1', {}, 'Library'), rangePicker(range), failure(e));
  }
}

/** The average iterations of a category's completed runs, as "structure critique 2.0; ...". */
function iterationsOf(category, iterations) {
  const mine = iterations.filter((i) => i.category === category);
  return mine.length
    ? mine.map((i) => `${words(i.stage)} ${i.average_iterations.toFixed(1)}`).join('; ')
    : 'n/a';
}

function render(main, range, report, lib) {
  const cats = report.categories;
  const categoryRows = cats.map((c) => [
    c.category, count(c.projects), count(c.active_runs), count(c.completed_runs), count(c.failed_runs),
    Number(c.completed_runs) ? seconds(c.average_completion_seconds) : 'n/a',
    Number(c.completed_runs) ? moneyCell(c.average_cost_usd) : 'n/a',
    Number(c.completed_words) ? moneyCell(c.cost_per_1000_words_usd) : 'n/a',
    iterationsOf(c.category, lib.iterations)]);
  const categoriesTable = table('Books by category: completed runs give the averages',
    ['category', 'projects', 'active', 'completed', 'failed', 'avg completion time', 'avg cost',
      'cost per 1,000 words', 'avg iterations'], categoryRows);
  categoriesTable.id = 'library-categories';
  categoriesTable.classList.add('analytics');

  const perStage = new Map();
  for (const s of report.books_per_stage) perStage.set(s.category + '\u0000' + s.stage, s.books);
  const stagesTable = table('Runs queued or running, by category and their stage now',
    ['category', ...STAGES.map(words)],
    cats.map((c) => [c.category, ...STAGES.map((s) => count(perStage.get(c.category + '\u0000' + s) ?? 0))]));
  stagesTable.id = 'library-stages';
  stagesTable.classList.add('analytics');

  const chart = h('div', { id: 'library-chart', class: 'chart', role: 'img',
    'aria-label': `Runs queued or running per stage, ${range.label}` });
  const categories = [...new Set(lib.history.series.map((s) => s.category))].sort();
  const pick = h('select', { id: 'library-category', 'aria-label': 'Category of the chart' },
    h('option', { value: '' }, 'all categories'),
    categories.map((c) => h('option', { value: c }, c)));

  show(main,
    h('h1', {}, 'Library'),
    cats.length === 0 ? empty('No projects yet: run ', 'bin/book-creator demo') : null,
    h('section', {}, h('h2', {}, 'Books by category'), categoriesTable),
    h('section', {}, h('h2', {}, 'Books per stage now'), stagesTable),
    h('section', {}, h('h2', {}, 'Runs per stage over time'),
      rangePicker(range),
      h('p', { class: 'range' }, h('label', { for: 'library-category' }, 'Category '), pick,
        h('span', { class: 'muted' }, ` one point per ${lib.history.bucket}, at its end`)),
      chart));

  const draw = () => {
    chart.replaceChildren();
    const category = pick.value;
    const layers = STAGES.map((stage) => {
      const values = lib.history.times.map(() => 0);
      for (const s of lib.history.series) {
        if (s.stage !== stage || (category && s.category !== category)) continue;
        s.runs.forEach((v, i) => { values[i] += v; });
      }
      return { label: words(stage), values };
    });
    const xs = lib.history.times.map((t) => Date.parse(t) / 1000);
    stackedChart(chart, xs, layers);
  };
  pick.addEventListener('change', draw);
  draw();
}
