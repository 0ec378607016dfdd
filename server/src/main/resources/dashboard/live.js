// Live updates from GET /api/events. A page chooses its topics (runs, alerts, logs) and, for logs,
// the filters of the Logs page. Each event's id holds the stream's place in each topic: on a
// dropped stream EventSource reconnects by itself with Last-Event-ID and the server sends what was
// missed (or a 'reset' naming the topic it no longer keeps that far back). The page still reads
// its data again after any reconnect (onResync), and after an error answer, where EventSource
// gives up, we open a new one after a pause.

const status = () => document.getElementById('live');

/**
 * Follows the topics; handlers: onRun, onAlert, onSilence, onLog (each with the event's data) and
 * onResync (read everything again). Answers a function that closes the stream.
 */
export function follow({ topics = ['runs'], params = {}, onRun, onAlert, onSilence, onLog, onResync }) {
  let delay = 1000;
  let opened = false;
  let source = null;
  let stopped = false;
  const query = new URLSearchParams({ topics: topics.join(',') });
  for (const [k, v] of Object.entries(params)) if (v) query.set(k, v);
  const handlers = { run: onRun, alert: onAlert, silence: onSilence, log: onLog };
  const connect = () => {
    if (stopped) return;
    source = new EventSource('/api/events?' + query);
    source.onopen = () => {
      if (opened) onResync?.();
      opened = true;
      delay = 1000;
      status().textContent = 'live';
      status().className = 'live on';
    };
    for (const [name, handler] of Object.entries(handlers)) {
      if (!handler) continue;
      source.addEventListener(name, (event) => {
        try {
          handler(JSON.parse(event.data));
        } catch (e) {
          console.warn('an event could not be read', e);
        }
      });
    }
    source.addEventListener('reset', () => onResync?.());
    source.onerror = () => {
      status().textContent = 'reconnecting';
      status().className = 'live off';
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      }
    };
  };
  connect();
  return () => { stopped = true; source?.close(); };
}

/** Calls fn at most once per wait, however many events arrive meanwhile. */
export function coalesce(fn, wait = 500) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => { timer = null; fn(); }, wait);
  };
}
