// The run page's view of the agents' conversation: the run's tasks; for the chosen task its model
// calls with prompt and answer (masked by the server) and, for a critique loop, the critic's score
// and issues per round charted across rounds with what each revision changed; and the run's events.
// Every prompt, answer, issue and diff goes in as text (dom.js), never as markup.
import { get } from './api.js';
import { h, show, table, empty, failure } from './dom.js';
import { money, time, words } from './format.js';

const MAX_TASKS = 500;

/** The tasks list; clicking a task shows its conversation in `conversationEl`. */
export function tasks(el, conversationEl, id) {
  let chosen = new URLSearchParams(location.search).get('task');
  // What the chosen task looked like when its conversation was drawn: redrawn only when it changes,
  // so that following a live run does not close what the reader opened.
  let drawnAs = null;
  const signature = (t) => (t ? `${t.id} ${t.state} ${t.calls} ${t.updated_at}` : null);
  let latest = [];
  const open = (task) => {
    chosen = task;
    drawnAs = signature(latest.find((t) => t.id === task));
    const url = new URL(location.href);
    url.searchParams.set('task', task);
    history.replaceState(null, '', url);
    for (const row of el.querySelectorAll('tr[data-task]')) {
      row.classList.toggle('chosen', row.dataset.task === task);
    }
    conversation(conversationEl, id, task);
  };
  const draw = async () => {
    try {
      const body = await get(`/api/runs/${encodeURIComponent(id)}/tasks`);
      const items = body.items ?? [];
      latest = items;
      if (chosen) {
        const now = signature(items.find((t) => t.id === chosen || t.key === chosen));
        if (now !== drawnAs) {
          drawnAs = now;
          conversation(conversationEl, id, chosen);
        }
      }
      if (items.length === 0) {
        show(el, empty('No tasks planned yet.'));
        return;
      }
      const shown = items.slice(0, MAX_TASKS);
      const t = table(`The run's tasks in the order they were planned; choose one to see its conversation`,
        ['task', 'stage', 'agent', 'state', 'attempts', 'calls', 'cost'],
        shown.map((task) => [
          h('button', { type: 'button', class: 'link', 'data-task-button': task.id,
            onclick: () => open(task.id) }, task.key),
          words(task.stage), words(task.role), words(task.state), task.attempts, task.calls,
          h('span', { title: task.cost_usd + ' USD' }, money(task.cost_usd))]));
      t.id = 'tasks-table';
      t.querySelectorAll('tbody tr').forEach((row, i) => {
        row.dataset.task = shown[i].id;
        if (shown[i].id === chosen) row.classList.add('chosen');
      });
      show(el, t, items.length > shown.length
        ? h('p', { class: 'muted' }, `The first ${shown.length} of ${items.length} tasks shown.`) : null);
    } catch (e) {
      show(el, failure(e));
    }
  };
  return { refresh: draw };
}

/** One task's conversation: its calls, and its critique loop's rounds when it is in one. */
export async function conversation(el, id, task) {
  try {
    const c = await get(`/api/runs/${encodeURIComponent(id)}/tasks/${encodeURIComponent(task)}/conversation`);
    const parts = [h('h3', { id: 'conversation-task' }, c.task.key),
      h('p', { class: 'muted' }, `${words(c.task.kind)} by the ${words(c.task.role)}, `
        + `${words(c.task.state)}, ${c.task.attempts} failed attempt(s), ${c.task.calls} call(s), `
        + `${money(c.task.cost_usd)}`, c.task.error ? `; ${c.task.error}` : '')];
    if (c.loop) parts.push(rounds(c.loop));
    parts.push(h('h4', {}, 'Model calls'));
    parts.push(c.calls.length === 0
      ? empty('No model calls for this task (it runs locally, or has not run yet).')
      : h('ol', { id: 'conversation-calls', class: 'calls' }, c.calls.map(call)));
    show(el, ...parts);
    const chart = el.querySelector('#rounds-chart');
    if (chart) scoreChart(chart, c.loop.rounds);
  } catch (e) {
    show(el, failure(e));
  }
}

function call(c) {
  const tokens = `${c.input_tokens} in, ${c.output_tokens} out`;
  return h('li', { class: 'call', 'data-call': c.call_id },
    h('p', {}, h('strong', {}, words(c.outcome)), ` ${c.provider} ${c.model}, attempt ${c.attempt}, `
      + `${tokens} tokens, ${c.cost_usd == null ? 'unpriced' : money(c.cost_usd)}, `
      + `${c.latency_ms} ms, ${time(c.at)}`, c.error_type ? ` [${c.error_type}]` : ''),
    h('details', { class: 'prompt' },
      h('summary', {}, 'Prompt', c.prompt_truncated ? ` (cut: ${c.prompt_chars} characters sent)` : ''),
      c.prompt == null ? empty('Not kept (recorded before prompts were stored).')
        : h('pre', { class: 'convo-text' }, c.prompt)),
    h('details', { class: 'answer', open: true },
      h('summary', {}, 'Answer'),
      c.answer == null ? empty('No answer (yet).') : h('pre', { class: 'convo-text' }, c.answer)));
}

/** A critique loop: the scores across rounds, then each round's issues and revision diff. */
function rounds(loop) {
  return h('section', { id: 'critique-rounds', 'aria-label': 'Critique rounds' },
    h('h4', {}, `Critique loop: ${words(loop.name)} (${loop.rounds.length} round(s))`),
    h('div', { id: 'rounds-chart', class: 'chart' }),
    h('ol', { class: 'rounds' }, loop.rounds.map((r) => h('li', { 'data-round': r.round },
      h('p', {}, h('strong', {}, `Round ${r.round}: `),
        r.score == null ? 'not scored yet' : `score ${r.score}`, r.verdict ? ` (${r.verdict})` : ''),
      r.issues.length ? h('ul', { class: 'issues' }, r.issues.map((i) => h('li', {}, i))) : null,
      r.diff != null
        ? h('details', { class: 'diff' },
          h('summary', {}, `What the revision changed: +${r.lines_added} -${r.lines_removed} line(s)`),
          h('pre', { class: 'convo-text diff-text' }, r.diff))
        : r.revision_task ? h('p', { class: 'muted' }, `Revision ${words(r.revision_state)}.`) : null))));
}

/** The critic's score per round, as a uPlot line (0 to 10). */
function scoreChart(target, rounds) {
  const scored = rounds.filter((r) => r.score != null);
  if (scored.length === 0) {
    show(target, empty('No round scored yet.'));
    return;
  }
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  const axis = { stroke: v('--ink'), grid: { stroke: v('--grid') }, ticks: { stroke: v('--grid') } };
  const xs = scored.map((r) => r.round);
  // eslint-disable-next-line no-undef
  new uPlot({
    width: Math.max(320, target.clientWidth || 640),
    height: 200,
    legend: { show: false },
    scales: { x: { time: false, range: () => [0.5, Math.max(...xs) + 0.5] }, y: { range: () => [0, 10] } },
    axes: [{ ...axis, values: (u, vals) => vals.map((x) => (Number.isInteger(x) ? 'round ' + x : '')) },
      { ...axis, size: 40 }],
    series: [{}, { label: 'score', stroke: v('--series-1'), width: 2, points: { show: true, size: 8 } }],
  }, [xs, scored.map((r) => r.score)], target);
  target.dataset.points = String(xs.length);
}

/** The run's events: retries, schema violations, document errors, caps, stalls, budgets. */
export async function events(el, id) {
  try {
    const body = await get(`/api/runs/${encodeURIComponent(id)}/events`);
    const items = body.items ?? [];
    show(el, items.length === 0
      ? empty('No retries, violations or document errors recorded.')
      : table('Retries, schema violations, document errors and other events, oldest first',
        ['when', 'what', 'task', 'detail'],
        items.map((e) => [time(e.at), words(e.kind), e.task_key ?? '', e.detail])));
  } catch (e) {
    show(el, failure(e));
  }
}
