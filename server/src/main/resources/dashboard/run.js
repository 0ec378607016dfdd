// A run: state, stage, cost, stages, history and the diagnosis with its runbook; restart and cancel,
// each with a reason, through the same endpoints as `bin/book-creator runs restart|cancel`; the
// timeline, costs, logs and the restart's preview are in runparts.js.
import { get, post } from './api.js';
import { h, show, table, figure, failure } from './dom.js';
import { money, time, seconds, words } from './format.js';
import { follow, coalesce } from './live.js';
import { waterfall, costs, logs, restartForm } from './runparts.js';
import { tasks as taskList, events as eventList } from './conversation.js';

const RESTARTABLE = new Set(['failed', 'paused', 'running']);
const CANCELLABLE = new Set(['queued', 'running', 'paused']);

export function run(main, id) {
  const summary = h('section', { id: 'run-summary', 'aria-live': 'polite' });
  const details = h('div', { id: 'run-details' });
  const restart = restartForm(id, () => draw());
  const cancel = action('cancel', 'Cancel', 'Cancel the run',
    (reason) => post(`/api/runs/${encodeURIComponent(id)}/cancel`, { reason }));
  const title = h('h1', {}, 'Run ', id);
  const timeline = h('div', { id: 'run-timeline' });
  const spend = h('div', { id: 'run-costs' });
  const tail = h('div', { id: 'run-tail' });
  const taskEl = h('div', { id: 'run-tasks' });
  const talk = h('div', { id: 'run-conversation', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'Choose a task to see its model calls.'));
  const happenings = h('div', { id: 'run-events' });
  const agents = taskList(taskEl, talk, id);
  show(main, h('p', {}, h('a', { href: '/runs' }, 'All runs')), title, summary,
    h('section', { 'aria-label': 'Actions', class: 'actions' }, restart.form, cancel.form), details,
    h('section', {}, h('h2', {}, 'Timeline (trace)'), timeline),
    h('section', {}, h('h2', {}, 'Cost by stage and agent'), spend),
    h('section', {}, h('h2', {}, 'Tasks'), taskEl),
    h('section', {}, h('h2', {}, 'Conversation'), talk),
    h('section', {}, h('h2', {}, 'Retries, violations and document errors'), happenings),
    h('section', {}, h('h2', {}, 'Logs'), tail));
  logs(tail, id);

  const draw = async () => {
    try {
      const r = await get(`/api/runs/${encodeURIComponent(id)}`);
      const [project, diagnosis] = await Promise.all([
        get(`/api/projects/${encodeURIComponent(r.project_id)}`),
        get(`/api/runs/${encodeURIComponent(id)}/diagnosis`),
      ]);
      show(title, project.title, ' ', h('span', { class: 'muted' }, `run ${r.number}`));
      show(summary, h('div', { class: 'figures' },
        figure('state', h('span', { id: 'run-state', class: 'state state-' + r.state }, words(r.state))),
        figure('stage', words(r.stage) || 'none'),
        figure('cost', h('span', { title: r.totals.cost_usd + ' USD' }, money(r.totals.cost_usd))),
        figure('model calls', `${r.totals.calls} (${r.totals.failed_calls} failed)`),
        figure('stages done', r.progress ? `${r.progress.stages_done} of ${r.progress.stages_total}` : ''),
        figure('updated', time(r.updated_at))),
        r.reason ? h('p', {}, 'Why: ', r.reason) : null);
      restart.enable(RESTARTABLE.has(r.state));
      cancel.enable(CANCELLABLE.has(r.state));
      show(details,
        h('section', {}, h('h2', {}, 'Diagnosis'),
          h('p', { id: 'cause' }, diagnosis.cause),
          h('p', {}, 'Runbook: ', runbookLink(diagnosis.runbook)),
          diagnosis.recent_warnings?.length
            ? h('ul', {}, diagnosis.recent_warnings.map((w) => h('li', {}, w))) : null),
        h('section', {}, h('h2', {}, 'Stages'),
          table('Each stage of the run', ['stage', 'state', 'started', 'finished', 'iterations'],
            (r.stages ?? []).map((s) => [words(s.stage), words(s.state), time(s.started_at),
              time(s.finished_at), s.iterations]))),
        h('section', {}, h('h2', {}, 'Events'),
          table('What happened to the run and its stages, oldest first', ['when', 'what', 'move', 'why'],
            (r.history ?? []).map((e) => [time(e.at), words(e.id === r.id ? 'run' : e.id),
              `${words(e.from) || 'new'} -> ${words(e.to)}`, e.reason]))),
        h('section', {}, h('h2', {}, 'Time by stage'),
          table('Where the time went', ['stage', 'time'],
            (diagnosis.stages ?? []).map((s) => [words(s.stage), seconds(s.seconds)]))));
    } catch (e) {
      show(summary, failure(e));
    }
  };
  const drawParts = () => {
    waterfall(timeline, id);
    costs(spend, id);
    agents.refresh();
    eventList(happenings, id);
  };
  const refresh = coalesce(() => { draw(); drawParts(); }, 300);
  draw();
  drawParts();
  follow({ onRun: (event) => { if (event.id === id) refresh(); }, onResync: draw });
  cancel.done = draw;
}

/**
 * The diagnosis's runbook (docs/runbooks/NAME.md#section) as a link to the copy the server keeps
 * in its jar (/runbooks/NAME.md, plain text): it works offline. The section stays in the text.
 */
function runbookLink(path) {
  const m = /^docs\/runbooks\/([a-z0-9-]+\.md)(#[a-z0-9-]+)?$/.exec(path ?? '');
  if (!m) return h('code', { id: 'runbook' }, path);
  return h('a', { id: 'runbook', href: `/runbooks/${m[1]}`, target: '_blank', rel: 'noopener' }, path);
}

/** A form with a required reason that performs one action and says how it went. */
function action(name, label, legend, perform) {
  const input = h('input', { id: `${name}-reason`, name: 'reason', required: true, maxlength: 500,
    autocomplete: 'off', placeholder: 'why (recorded in the run\'s history)' });
  const button = h('button', { id: `${name}-button`, type: 'submit' }, label);
  const result = h('p', { id: `${name}-result`, role: 'status' });
  const a = { done: null };
  a.form = h('form', {
    id: `${name}-form`,
    onsubmit: async (event) => {
      event.preventDefault();
      const reason = input.value.trim();
      if (!reason) {
        result.textContent = 'Say why: the reason is required.';
        input.focus();
        return;
      }
      button.disabled = true;
      try {
        const answer = await perform(reason);
        result.textContent = `${label}: done (now ${words(answer.state)}).`;
        input.value = '';
        a.done?.();
      } catch (e) {
        result.textContent = `${label} refused: ${e.message}`;
      } finally {
        button.disabled = false;
      }
    },
  }, h('fieldset', {}, h('legend', {}, legend),
    h('label', { for: `${name}-reason` }, 'Reason'), input, button), result);
  a.enable = (on) => { a.form.hidden = !on; };
  return a;
}

