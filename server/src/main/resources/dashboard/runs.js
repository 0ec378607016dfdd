// Runs: every run, filtered (state, category, stage), searched (run id or title), sorted (started,
// updated, cost) and paged by the server (GET /api/runs), so a library of 100,000 runs pages as
// fast as ten. The filter lives in the address (/runs?state=failed&sort=cost), so a view can be
// bookmarked or shared, and the browser's back button steps through earlier filters.
import { get, runPath } from './api.js';
import { h, show, table, empty, failure } from './dom.js';
import { money, time, words } from './format.js';
import { follow, coalesce } from './live.js';
import { STAGES, RUN_STATES } from './constants.js';

const PAGE = 50;
const KEYS = ['state', 'category', 'stage', 'q', 'sort', 'order', 'offset'];

/** The filter the address holds, without empty values. */
function current() {
  const from = new URLSearchParams(location.search);
  const f = new URLSearchParams();
  for (const k of KEYS) if (from.get(k)) f.set(k, from.get(k));
  return f;
}

function select(name, label, options, value) {
  return h('label', {}, label + ' ',
    h('select', { name, id: `filter-${name}` },
      options.map(([v, text]) => h('option', { value: v, selected: v === (value ?? '') }, text))));
}

export function runs(main) {
  const form = h('form', { id: 'runs-filter', class: 'filters', role: 'search' });
  const list = h('section', { id: 'runs-list', 'aria-live': 'polite' });
  show(main, h('h1', {}, 'Runs'), form, list);
  let categories = [];

  const drawForm = () => {
    const f = current();
    show(form,
      select('state', 'State', [['', 'any'], ...RUN_STATES.map((s) => [s, words(s)])], f.get('state')),
      select('category', 'Category', [['', 'any'], ...categories.map((c) => [c, c])], f.get('category')),
      select('stage', 'Stage', [['', 'any'], ...STAGES.map((s) => [s, words(s)])], f.get('stage')),
      h('label', {}, 'Search ', h('input', { name: 'q', id: 'filter-q', type: 'search', value: f.get('q') ?? '',
        maxlength: 200, placeholder: 'run id or title' })),
      select('sort', 'Sort by', [['', 'started'], ['updated', 'updated'], ['cost', 'cost']], f.get('sort')),
      select('order', 'Order', [['', 'newest / highest first'], ['asc', 'oldest / lowest first']], f.get('order')),
      h('button', { type: 'submit', id: 'filter-apply' }, 'Apply'));
  };

  /** Moves to a new filter: the address first, then the list. */
  const go = (f, push = true) => {
    const query = f.toString();
    const url = '/runs' + (query ? '?' + query : '');
    if (push) history.pushState(null, '', url);
    drawList();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const f = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (String(v).trim()) f.set(k, String(v).trim());
    go(f);
  });
  form.addEventListener('change', (event) => {
    if (event.target.tagName === 'SELECT') form.requestSubmit();
  });
  window.addEventListener('popstate', () => { drawForm(); drawList(); });

  const drawList = async () => {
    const f = current();
    const offset = Number(f.get('offset') ?? 0);
    const q = new URLSearchParams(f);
    q.set('limit', PAGE);
    try {
      const page = await get('/api/runs?' + q);
      const titles = page.project_titles ?? {};
      const from = page.total === 0 ? 0 : offset + 1;
      const to = offset + page.items.length;
      const pager = (label, at, enabled) => {
        const next = new URLSearchParams(f);
        if (at > 0) next.set('offset', at); else next.delete('offset');
        return enabled
          ? h('a', { href: '/runs?' + next, class: 'pager', onclick: (e) => { e.preventDefault(); go(next); } }, label)
          : h('span', { class: 'pager muted' }, label);
      };
      const filtered = [...f.keys()].some((k) => k !== 'sort' && k !== 'order' && k !== 'offset');
      show(list,
        page.items.length === 0
          ? (filtered
            ? empty('No run matches this filter. ', null)
            : empty('No runs yet: run ', 'bin/book-creator demo'))
          : table(`Runs ${from} to ${to} of ${page.total}`,
            ['run', 'project', 'state', 'stage', 'cost', 'started', 'updated'],
            page.items.map((r) => [
              h('a', { href: runPath(r.id) }, r.id),
              titles[r.project_id] ?? r.project_id,
              h('span', { class: 'state state-' + r.state }, words(r.state)),
              words(r.stage),
              h('span', { title: r.totals.cost_usd + ' USD' }, money(r.totals.cost_usd)),
              time(r.created_at),
              time(r.updated_at),
            ])),
        h('nav', { class: 'pagers', 'aria-label': 'Pages of runs' },
          pager('Previous', Math.max(0, offset - PAGE), offset > 0),
          h('span', { id: 'runs-count' }, `${page.total} run${page.total === 1 ? '' : 's'}`),
          pager('Next', offset + PAGE, to < page.total)));
    } catch (e) {
      show(list, failure(e));
    }
  };

  drawForm();
  drawList();
  get('/api/costs').then((report) => {
    categories = (report.categories ?? []).map((c) => c.category).filter(Boolean).sort();
    drawForm();
  }).catch(() => {});
  follow({ onRun: coalesce(drawList, 1000), onResync: drawList });
}
