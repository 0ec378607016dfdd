// Alerts: what fires and what is pending now (GET /api/alerts), the silences that apply (GET, POST
// and DELETE /api/silences) and the alerts' recent moves (GET /api/alerts/history). Redrawn as soon
// as an alert moves or a silence starts or ends (the alerts topic of /api/events), when runs change,
// and every 15 seconds otherwise.
import { get, post, del } from './api.js';
import { h, show, table, empty, failure } from './dom.js';
import { time, words } from './format.js';
import { follow, coalesce } from './live.js';

const labels = (l) => Object.entries(l ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');

export function alerts(main) {
  const now = h('section', { id: 'alerts-now', 'aria-live': 'polite' });
  const silences = h('section', { id: 'silences' });
  const history = h('section', { id: 'alert-history' });
  const form = silenceForm(() => draw());
  show(main, h('h1', {}, 'Alerts'),
    h('h2', {}, 'Firing and pending'), now,
    h('h2', {}, 'Silences'), silences, form,
    h('h2', {}, 'History (7 days)'), history);

  const draw = async () => {
    try {
      const [open, active, moves] = await Promise.all([
        get('/api/alerts'), get('/api/silences'), get('/api/alerts/history?limit=200')]);
      show(now, open.items.length === 0
        ? empty('Nothing firing or pending. Rules and thresholds: ', 'docs/alerts.md')
        : table(`${open.items.filter((a) => a.state === 'firing').length} firing, `
            + `${open.items.filter((a) => a.state === 'pending').length} pending`,
          ['alert', 'state', 'severity', 'labels', 'summary', 'since', 'runbook', 'silenced by'],
          open.items.map((a) => [a.name, h('span', { class: 'alert-' + a.state }, a.state), a.severity,
            labels(a.labels), a.summary, time(a.active_since), h('code', {}, a.runbook ?? ''),
            (a.silenced_by ?? []).join(', ')])));
      show(silences, active.items.length === 0
        ? empty('No silence applies now.')
        : table('Silences that apply now, ending soonest first',
          ['id', 'matchers', 'ends', 'reason', 'by', ''],
          active.items.map((s) => [s.id, s.matchers.join(', '), time(s.ends_at), s.reason, s.created_by,
            h('button', { type: 'button', class: 'secondary', 'data-silence': s.id,
              onclick: async (event) => {
                event.target.disabled = true;
                try { await del(`/api/silences/${encodeURIComponent(s.id)}`); } catch (e) { show(silences, failure(e)); return; }
                draw();
              } }, 'End now')])));
      show(history, moves.items.length === 0
        ? empty('No alert moved in the last 7 days.')
        : table('Moves of alerts, newest first', ['when', 'alert', 'move', 'labels', 'summary'],
          moves.items.map((a) => [time(a.change?.at), a.name,
            `${words(a.change?.from) || 'new'} -> ${words(a.change?.to)}`, labels(a.labels), a.summary])));
    } catch (e) {
      show(now, failure(e));
    }
  };
  draw();
  setInterval(() => { if (!document.hidden) draw(); }, 15000);
  const soon = coalesce(draw, 300);
  follow({ topics: ['runs', 'alerts'], onRun: coalesce(draw, 2000), onAlert: soon, onSilence: soon,
    onResync: draw });
}

/** Creates a silence: matchers (one per line or comma-separated), a duration and a reason. */
function silenceForm(done) {
  const matchers = h('input', { id: 'silence-matchers', required: true, autocomplete: 'off',
    placeholder: 'alertname=RunFailed, provider=~open.*' });
  const duration = h('input', { id: 'silence-duration', required: true, value: '2h', size: 6 });
  const reason = h('input', { id: 'silence-reason', required: true, maxlength: 500, autocomplete: 'off',
    placeholder: 'why' });
  const result = h('p', { id: 'silence-result', role: 'status' });
  return h('form', {
    id: 'silence-form',
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const s = await post('/api/silences', {
          matchers: matchers.value.split(/[,\n]/).map((m) => m.trim()).filter(Boolean),
          duration: duration.value.trim(),
          reason: reason.value.trim(),
        });
        result.textContent = `Silence ${s.id} created, until ${time(s.ends_at)}.`;
        matchers.value = '';
        reason.value = '';
        done();
      } catch (e) {
        result.textContent = `Refused: ${e.message}`;
      }
    },
  }, h('fieldset', {}, h('legend', {}, 'New silence'),
    h('label', { for: 'silence-matchers' }, 'Matchers'), matchers,
    h('label', { for: 'silence-duration' }, 'For'), duration,
    h('label', { for: 'silence-reason' }, 'Reason'), reason,
    h('button', { type: 'submit', id: 'silence-create' }, 'Silence')), result);
}
