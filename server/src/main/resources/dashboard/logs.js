// Logs: the store's indexed copy of the logs (GET /api/logs) with the filters of
// `bin/book-creator logs`: level (least severe shown), run, stage, role, since and text; newest
// first, a page at a time ("older" follows next_before). The filter lives in the address. On the
// newest page, with "follow" on, new lines that match arrive by themselves (the logs topic of
// /api/events, with the same filters).
import { get } from './api.js';
import { h, show, empty, failure } from './dom.js';
import { words } from './format.js';
import { STAGES, LEVELS } from './constants.js';
import { logTable } from './runparts.js';
import { follow, coalesce } from './live.js';

const KEYS = ['level', 'run', 'stage', 'role', 'since', 'q'];
const ROLES = ['planner', 'doc_parser', 'critic', 'researcher', 'fact_mapper', 'writer', 'editor',
  'fact_checker', 'assembler'];

export function logs(main) {
  const form = h('form', { id: 'logs-filter', class: 'filters', role: 'search' });
  const list = h('section', { id: 'logs-list', 'aria-live': 'polite' });
  const tail = h('input', { type: 'checkbox', id: 'logs-follow', checked: true });
  show(main, h('h1', {}, 'Logs'), form,
    h('label', { class: 'inline' }, tail, ' follow (live tail)'), list);
  const pages = []; // next_before of the pages shown so far, for "newer"

  const params = () => {
    const from = new URLSearchParams(location.search);
    const f = new URLSearchParams();
    for (const k of [...KEYS, 'before']) if (from.get(k)) f.set(k, from.get(k));
    return f;
  };
  const sel = (name, label, options, value) => h('label', {}, label + ' ',
    h('select', { name, id: `logs-${name}` },
      options.map(([v, t]) => h('option', { value: v, selected: v === (value ?? '') }, t))));
  const text = (name, label, value, placeholder) => h('label', {}, label + ' ',
    h('input', { name, id: `logs-${name}`, value: value ?? '', placeholder, maxlength: 200 }));

  const drawForm = () => {
    const f = params();
    show(form,
      sel('level', 'Level', [['', 'any'], ...LEVELS.map((l) => [l, l + ' and worse'])], f.get('level')),
      text('run', 'Run', f.get('run'), 'run id'),
      sel('stage', 'Stage', [['', 'any'], ...STAGES.map((s) => [s, words(s)])], f.get('stage')),
      sel('role', 'Role', [['', 'any'], ...ROLES.map((r) => [r, words(r)])], f.get('role')),
      text('since', 'Since', f.get('since'), '30m, 2h, 7d or a time'),
      text('q', 'Text', f.get('q'), 'words in the message'),
      h('button', { type: 'submit', id: 'logs-apply' }, 'Apply'));
  };
  let stop = null;
  const refresh = coalesce(() => { if (tail.checked && !params().get('before')) drawList(); }, 500);
  const live = () => {
    stop?.();
    const f = params();
    stop = follow({ topics: ['logs'], onLog: refresh, onResync: refresh,
      params: { level: f.get('level'), run: f.get('run'), stage: f.get('stage'), role: f.get('role'),
        q: f.get('q') } });
  };
  const go = (f) => {
    history.pushState(null, '', '/logs' + (f.toString() ? '?' + f : ''));
    drawList();
    live();
  };
  tail.addEventListener('change', refresh);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    pages.length = 0;
    const f = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (String(v).trim()) f.set(k, String(v).trim());
    go(f);
  });
  window.addEventListener('popstate', () => { drawForm(); drawList(); live(); });

  const drawList = async () => {
    const f = params();
    const q = new URLSearchParams(f);
    q.set('limit', '100');
    try {
      const page = await get('/api/logs?' + q);
      const older = new URLSearchParams(f);
      if (page.next_before) older.set('before', page.next_before);
      const newest = new URLSearchParams(f);
      newest.delete('before');
      show(list,
        page.items.length === 0
          ? empty('No log line matches. From a shell: ', 'bin/book-creator logs')
          : logTable(page.items, `${page.items.length} line(s), newest first`),
        h('nav', { class: 'pagers', 'aria-label': 'Pages of logs' },
          f.get('before') ? h('a', { href: '/logs?' + newest, onclick: (e) => { e.preventDefault(); go(newest); } }, 'Newest') : null,
          page.next_before ? h('a', { href: '/logs?' + older, id: 'logs-older', onclick: (e) => { e.preventDefault(); go(older); } }, 'Older') : null));
    } catch (e) {
      show(list, failure(e));
    }
  };
  drawForm();
  drawList();
  live();
}
