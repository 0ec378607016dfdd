// The run page's larger parts: the trace waterfall, cost by stage and agent, the logs with a live
// tail, and restart from a chosen stage with a dry-run preview of the plan before it is confirmed.
import { get, post } from './api.js';
import { h, show, table, empty, failure } from './dom.js';
import { money, time, words } from './format.js';
import { STAGES } from './constants.js';

const MAX_SPANS = 400;

/** The spans of a trace tree, depth first, each with its depth. */
function flatten(spans, depth = 0, out = []) {
  for (const s of spans ?? []) {
    if (out.length >= MAX_SPANS) break;
    out.push({ span: s, depth });
    flatten(s.children, depth + 1, out);
  }
  return out;
}

/** The stage timeline: every span of the run's trace as a bar on one time axis. */
export async function waterfall(el, id) {
  try {
    const trace = await get(`/api/runs/${encodeURIComponent(id)}/trace`);
    const rows = flatten(trace.spans);
    if (rows.length === 0) {
      show(el, empty('No spans recorded for this run (tracing may be sampled or off).'));
      return;
    }
    // Nanoseconds since the epoch exceed a double's exact range; microseconds are plenty here.
    const start = Math.min(...rows.map((r) => r.span.start_unix_nano / 1000));
    const end = Math.max(...rows.map((r) => r.span.end_unix_nano / 1000));
    const total = Math.max(end - start, 1);
    const list = h('ol', { class: 'waterfall', id: 'waterfall', 'data-spans': rows.length });
    for (const { span, depth } of rows) {
      const bar = h('span', { class: 'bar' + (span.status === 'error' ? ' bar-error' : ''),
        title: `${span.name}: ${span.duration_ms.toFixed(1)} ms${span.error_type ? ' (' + span.error_type + ')' : ''}` });
      bar.style.left = ((span.start_unix_nano / 1000 - start) / total * 100) + '%';
      bar.style.width = Math.max((span.end_unix_nano - span.start_unix_nano) / 1000 / total * 100, 0.3) + '%';
      const name = h('span', { class: 'span-name' }, span.name);
      name.style.paddingLeft = (depth * 12) + 'px';
      list.append(h('li', {}, name, h('span', { class: 'track' }, bar),
        h('span', { class: 'span-ms' }, span.duration_ms < 1000
          ? span.duration_ms.toFixed(0) + ' ms' : (span.duration_ms / 1000).toFixed(1) + ' s')));
    }
    show(el,
      h('p', { class: 'muted' }, `${trace.span_count} span(s) over ${(total / 1e6).toFixed(2)} s`,
        trace.span_count > rows.length ? `; the first ${rows.length} shown` : ''),
      list);
  } catch (e) {
    show(el, failure(e));
  }
}

/** What the run's model calls cost, by stage and agent role (GET /api/costs?run=...&by=stage,agent). */
export async function costs(el, id) {
  try {
    const report = await get(`/api/costs?run=${encodeURIComponent(id)}&by=stage,agent`);
    const lines = (report.lines ?? []).filter((l) => l.calls > 0);
    show(el, lines.length === 0
      ? empty('No model calls yet.')
      : table(`Cost by stage and agent; total ${money(report.total.cost_usd)}`,
        ['stage', 'agent', 'calls', 'failed', 'tokens in', 'tokens out', 'cost'],
        lines.map((l) => [words(l.group?.stage), words(l.group?.agent), l.calls, l.failed_calls,
          l.input_tokens, l.output_tokens,
          h('span', { title: l.cost_usd + ' USD' }, money(l.cost_usd))])));
  } catch (e) {
    show(el, failure(e));
  }
}

/**
 * The run's log lines, newest first, read again every two seconds while "follow" is on (the
 * store's indexed copy: GET /api/logs?run=...).
 */
export function logs(el, id) {
  const follow = h('input', { type: 'checkbox', id: 'logs-follow', checked: true });
  const body = h('div', { id: 'run-logs' });
  show(el, h('label', { class: 'inline' }, follow, ' follow (live tail)'), body);
  let last = null;
  const read = async () => {
    try {
      const page = await get(`/api/logs?run=${encodeURIComponent(id)}&limit=100`);
      const top = page.items[0]?.id ?? null;
      if (top === last && last !== null) return;
      last = top;
      show(body, page.items.length === 0
        ? empty('No log lines for this run yet.')
        : logTable(page.items, 'The run\'s latest log lines, newest first'));
    } catch (e) {
      show(body, failure(e));
    }
  };
  read();
  const timer = setInterval(() => { if (follow.checked && !document.hidden) read(); }, 2000);
  return () => clearInterval(timer);
}

/** Log records as a table; every field as text. */
export function logTable(items, caption) {
  return table(caption, ['time', 'level', 'stage', 'role', 'message'],
    items.map((l) => [time(l.ts), h('span', { class: 'level level-' + String(l.level).toLowerCase() }, l.level),
      words(l.stage), words(l.agent_role),
      h('span', { class: 'log-message' }, l.message, l.error_type ? ` [${l.error_type}]` : '')]));
}

/**
 * Restart: a stage to re-run from (or the last completed task), a required reason, a preview of
 * the plan (the endpoint's dry run) and only then the restart itself.
 */
export function restartForm(id, done) {
  const stage = h('select', { id: 'restart-stage', name: 'from_stage' },
    h('option', { value: '' }, 'the last completed task'),
    STAGES.map((s) => h('option', { value: s }, words(s))));
  const input = h('input', { id: 'restart-reason', name: 'reason', required: true, maxlength: 500,
    autocomplete: 'off', placeholder: 'why (recorded in the run\'s history)' });
  const button = h('button', { id: 'restart-button', type: 'submit' }, 'Preview restart');
  const cancel = h('button', { id: 'restart-back', type: 'button', class: 'secondary', hidden: true }, 'Back');
  const plan = h('div', { id: 'restart-plan' });
  const result = h('p', { id: 'restart-result', role: 'status' });
  let previewed = null;
  const reset = () => {
    previewed = null;
    button.textContent = 'Preview restart';
    cancel.hidden = true;
    show(plan);
  };
  stage.addEventListener('change', reset);
  cancel.addEventListener('click', reset);
  const request = (dryRun) => {
    const body = { reason: input.value.trim(), dry_run: dryRun };
    if (stage.value) body.from_stage = stage.value;
    return post(`/api/runs/${encodeURIComponent(id)}/restart`, body);
  };
  const form = h('form', {
    id: 'restart-form',
    onsubmit: async (event) => {
      event.preventDefault();
      if (!input.value.trim()) {
        result.textContent = 'Say why: the reason is required.';
        input.focus();
        return;
      }
      button.disabled = true;
      try {
        if (previewed !== stage.value) {
          const p = await request(true);
          show(plan, h('p', {}, 'The restart would:'),
            h('ul', { id: 'restart-changes' }, (p.changes ?? []).map((c) => h('li', {}, c))),
            h('p', { class: 'muted' }, `${p.requeue} task(s) requeued, ${p.supersede} superseded, `
              + `${p.revoke} revoked, ${p.rewind} stage(s) rewound.`));
          previewed = stage.value;
          button.textContent = 'Confirm restart';
          cancel.hidden = false;
          result.textContent = 'Preview ready: nothing changed yet.';
        } else {
          const answer = await request(false);
          result.textContent = `Restart: done (now ${words(answer.state)}).`;
          input.value = '';
          reset();
          done?.();
        }
      } catch (e) {
        result.textContent = `Restart refused: ${e.message}`;
      } finally {
        button.disabled = false;
      }
    },
  }, h('fieldset', {}, h('legend', {}, 'Restart the run'),
    h('label', { for: 'restart-stage' }, 'From'), stage,
    h('label', { for: 'restart-reason' }, 'Reason'), input, button, cancel), plan, result);
  return { form, enable: (on) => { form.hidden = !on; } };
}
