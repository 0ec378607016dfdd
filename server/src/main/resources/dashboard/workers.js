// Workers and queue (GET /api/workers): each worker with its last heartbeat and the tasks it holds,
// the runnable tasks waiting per agent role, and the leases; read again every 5 seconds.
import { get, runPath } from './api.js';
import { h, show, table, figure, empty, failure } from './dom.js';
import { time, seconds, words } from './format.js';
import { follow, coalesce } from './live.js';

export function workers(main) {
  const body = h('div', { id: 'workers-body', 'aria-live': 'polite' });
  show(main, h('h1', {}, 'Workers and queue'), body);
  const draw = async () => {
    try {
      const w = await get('/api/workers');
      const expired = w.leases.filter((l) => l.expired).length;
      show(body,
        h('div', { class: 'figures' },
          figure('workers', String(w.workers.length), 'workers with a heartbeat that did not stop', 'fig-workers'),
          figure('tasks queued', String(w.queued), 'runnable tasks waiting for a worker', 'fig-queued'),
          figure('leases held', String(w.leases.length), 'tasks a worker holds now', 'fig-leases'),
          figure('leases expired', String(expired), 'held past their lease: the worker may be gone', 'fig-expired')),
        h('h2', {}, 'Workers'),
        w.workers.length === 0
          ? empty('No worker is running. Start one with ', 'bin/book-creator serve')
          : table('Workers, by id', ['worker', 'last heartbeat', 'age', 'current tasks'],
            w.workers.map((k) => [k.id, time(k.last_heartbeat), seconds(k.heartbeat_age_seconds),
              k.current_tasks.length ? k.current_tasks.join(', ') : 'idle'])),
        h('h2', {}, 'Queue by agent role'),
        table('Runnable tasks waiting, per role', ['role', 'queued'],
          w.queue.map((q) => [words(q.agent_role), q.queued])),
        h('h2', {}, 'Leases'),
        w.leases.length === 0
          ? empty('No task is held by a worker now.')
          : table(`Tasks held now, longest held first (at most ${w.max_leases})`,
            ['task', 'run', 'stage', 'kind', 'worker', 'attempt', 'held since', 'lease ends'],
            w.leases.map((l) => [l.task_id, h('a', { href: runPath(l.run_id) }, l.run_id), words(l.stage),
              words(l.kind), l.worker, l.attempt, time(l.held_since),
              h('span', { class: l.expired ? 'error' : '' }, time(l.expires_at), l.expired ? ' (expired)' : '')])));
    } catch (e) {
      show(body, failure(e));
    }
  };
  draw();
  setInterval(() => { if (!document.hidden) draw(); }, 5000);
  follow({ onRun: coalesce(draw, 1000), onResync: draw });
}
