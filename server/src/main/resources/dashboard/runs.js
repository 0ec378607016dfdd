// Runs: every run, newest first, with its project's title, state, stage and cost.
import { get, runPath } from './api.js';
import { h, show, table, empty, failure } from './dom.js';
import { money, time, words } from './format.js';
import { follow, coalesce } from './live.js';

export function runs(main) {
  const draw = async () => {
    try {
      const [list, projects] = await Promise.all([
        get('/api/runs?limit=200'),
        get('/api/projects?limit=500'),
      ]);
      const titles = new Map(projects.items.map((p) => [p.id, p.title]));
      show(main,
        h('h1', {}, 'Runs'),
        list.items.length === 0
          ? empty('No runs yet: run ', 'bin/book-creator demo')
          : table(`${list.items.length} of ${list.total} runs, newest first`,
            ['run', 'project', 'state', 'stage', 'cost', 'updated'],
            list.items.map((r) => [
              h('a', { href: runPath(r.id) }, r.id),
              titles.get(r.project_id) ?? r.project_id,
              h('span', { class: 'state state-' + r.state }, words(r.state)),
              words(r.stage),
              h('span', { title: r.totals.cost_usd + ' USD' }, money(r.totals.cost_usd)),
              time(r.updated_at),
            ])));
    } catch (e) {
      show(main, h('h1', {}, 'Runs'), failure(e));
    }
  };
  draw();
  follow({ onRun: coalesce(draw, 1000), onResync: draw });
}
