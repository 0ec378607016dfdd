// Numbers and times as the command line shows them; the viewer's time zone.

/** Money from the API's exact decimal string: to the cent, full precision on hover. */
export function money(exact) {
  const n = Number(exact ?? 0);
  return '$' + n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export function percent(ratio) {
  return ratio == null ? 'n/a' : (ratio * 100).toFixed(1) + '%';
}

export function time(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function seconds(s) {
  if (s == null) return '';
  if (s < 60) return Math.round(s) + ' s';
  if (s < 3600) return Math.round(s / 60) + ' min';
  return (s / 3600).toFixed(1) + ' h';
}

/** A state or stage id as words: chapter_writing -> chapter writing. */
export function words(id) {
  return id == null ? '' : String(id).replaceAll('_', ' ');
}
