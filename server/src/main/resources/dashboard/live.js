// Live updates from GET /api/events. The stream carries no ids, so after a reconnect the page
// reads its data again (onResync); EventSource retries by itself on a dropped stream, but gives up
// on an error answer, so then we open a new one after a pause.

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
