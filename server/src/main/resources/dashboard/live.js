// Live updates from GET /api/events. Each change has an id: on a dropped stream EventSource
// reconnects by itself with Last-Event-ID and the server sends what was missed (or a 'reset' when
// it no longer keeps it). The page still reads its data again after any reconnect (onResync), and
// after an error answer, where EventSource gives up, we open a new one after a pause.

const status = () => document.getElementById('live');

export function follow({ onRun, onResync }) {
  let delay = 1000;
  let opened = false;
  const connect = () => {
    const source = new EventSource('/api/events');
    source.onopen = () => {
      if (opened) onResync?.();
      opened = true;
      delay = 1000;
      status().textContent = 'live';
      status().className = 'live on';
    };
    source.addEventListener('run', (event) => {
      try {
        onRun?.(JSON.parse(event.data));
      } catch (e) {
        console.warn('an event could not be read', e);
      }
    });
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
}

/** Calls fn at most once per wait, however many events arrive meanwhile. */
export function coalesce(fn, wait = 500) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => { timer = null; fn(); }, wait);
  };
}
