// What the analytics pages (Costs, Library, Agents, Providers) share: the time range picker, money
// to the cent from the API's exact decimal strings, and uPlot charts in the page's palette.
import { h } from './dom.js';

/** The ranges a page offers; the first is the default. */
export const RANGES = [
  { id: '24h', label: 'last 24 hours', hours: 24 },
  { id: '7d', label: 'last 7 days', hours: 24 * 7 },
  { id: '30d', label: 'last 30 days', hours: 24 * 30 },
  { id: 'all', label: 'all time', hours: null },
];

/** The range the address names (?range=7d), else the default. */
export function currentRange(fallback = '7d') {
  const id = new URLSearchParams(location.search).get('range') ?? fallback;
  return RANGES.find((r) => r.id === id) ?? RANGES.find((r) => r.id === fallback);
}

/**
 * The range's start as a UTC instant, on a whole hour (so the server answers from its hourly
 * rollup); null for all time. {@code now} is injectable for tests.
 */
export function since(range, now = Date.now()) {
  if (range.hours == null) return null;
  const hour = 3600 * 1000;
  return new Date(Math.floor((now - range.hours * hour) / hour) * hour).toISOString();
}

/** The query string of a range: since=... (UTC) or nothing. */
export function rangeQuery(range) {
  const s = since(range);
  return s ? 'since=' + encodeURIComponent(s) : '';
}

/** A select of the ranges; changing it reloads the page at ?range=ID (so the address keeps it). */
export function rangePicker(range) {
  const select = h('select', { id: 'range', 'aria-label': 'Time range' },
    RANGES.map((r) => h('option', { value: r.id, selected: r.id === range.id }, r.label)));
  select.addEventListener('change', () => {
    const q = new URLSearchParams(location.search);
    q.set('range', select.value);
    location.search = q.toString();
  });
  const start = since(range);
  return h('p', { class: 'range' }, h('label', { for: 'range' }, 'Range '), select,
    h('span', { class: 'muted', id: 'range-text', 'data-since': start ?? '' },
      start ? ' from ' + new Date(start).toLocaleString(undefined,
        { dateStyle: 'medium', timeStyle: 'short' }) + ' to now (your time zone)' : ' every call recorded'));
}

/**
 * An exact decimal string rounded half up to the cent, with thousands separators: "1234.565" ->
 * "$1,234.57". Exact: digits, not floating point.
 */
export function cents(exact) {
  let s = String(exact ?? '0').trim();
  const negative = s.startsWith('-');
  if (negative) s = s.slice(1);
  const [whole, fraction = ''] = s.split('.');
  let c = BigInt((whole || '0') + (fraction + '00').slice(0, 2));
  if ((fraction[2] ?? '0') >= '5') c += 1n;
  const units = (c / 100n).toLocaleString('en-US');
  const rest = String(c % 100n).padStart(2, '0');
  return (negative && c > 0n ? '-$' : '$') + units + '.' + rest;
}

/** Money to the cent, the exact amount on hover. */
export function moneyCell(exact) {
  return h('span', { class: 'money', title: (exact ?? '0') + ' USD' }, cents(exact));
}

/** A count; with a flag when it is not zero (unpriced calls, errors). */
export function flagged(n, what) {
  return Number(n) > 0
    ? h('span', { class: 'flag', title: what }, String(n), ' \u26a0')
    : String(n ?? 0);
}

/** A whole number with thousands separators. */
export function count(n) {
  return Number(n ?? 0).toLocaleString('en-US');
}

/** A link to download a CSV. */
export function csvLink(href, what) {
  return h('a', { class: 'csv', href, download: '' }, 'Download CSV of ' + what);
}

function palette() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return { css: v, ink: v('--ink'), grid: v('--grid'),
    series: ['--series-1', '--series-2', '--series-3', '--series-4', '--series-5', '--series-6',
      '--series-7', '--series-8'].map(v) };
}

/**
 * Bars: over time (xs in seconds since the epoch) or, with time false, at positions 1..n labelled
 * by number; ys numbers; yFormat labels the y axis.
 */
export function barChart(target, xs, ys, label, yFormat, time = true) {
  const p = palette();
  const axis = { stroke: p.ink, grid: { stroke: p.grid }, ticks: { stroke: p.grid } };
  const plot = new uPlot({
    width: Math.max(320, target.clientWidth || 640),
    height: 220,
    legend: { show: false },
    scales: {
      x: time ? { time: true } : { time: false, range: () => [0, xs.length + 1] },
      y: { range: (u, min, max) => [0, Math.max(max * 1.1, 0.01)] },
    },
    axes: [time ? axis : { ...axis, values: (u, vals) => vals.map((v) => (Number.isInteger(v) && v > 0 && v <= xs.length ? String(v) : '')) },
      { ...axis, size: 70, values: (u, vals) => vals.map(yFormat) }],
    series: [{}, {
      label, fill: p.series[0], stroke: p.series[0],
      paths: uPlot.paths.bars({ size: [0.6, 48] }), points: { show: false },
    }],
  }, [xs, ys], target);
  target.dataset.points = String(ys.filter((y) => y > 0).length);
  return plot;
}

/**
 * Stacked areas over time: layers is [{ label, values }] (bottom first); each series is drawn as
 * the running sum, so the top line is the total. A legend names the layers.
 */
export function stackedChart(target, xs, layers) {
  const p = palette();
  const axis = { stroke: p.ink, grid: { stroke: p.grid }, ticks: { stroke: p.grid } };
  const sums = [];
  let below = xs.map(() => 0);
  for (const layer of layers) {
    below = below.map((b, i) => b + (layer.values[i] ?? 0));
    sums.push(below);
  }
  // Drawn top first, so each lower layer's fill covers the one above it below its own line.
  const order = layers.map((l, i) => i).reverse();
  const plot = new uPlot({
    width: Math.max(320, target.clientWidth || 640),
    height: 260,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max * 1.1, 1)] } },
    axes: [axis, axis],
    series: [{}, ...order.map((i) => ({
      label: layers[i].label,
      stroke: p.series[i % p.series.length],
      fill: p.series[i % p.series.length],
      points: { show: false },
      value: (u, v, s, idx) => (idx == null ? '' : String(layers[i].values[idx] ?? 0)),
    }))],
  }, [xs, ...order.map((i) => sums[i])], target);
  target.dataset.points = String(xs.length);
  return plot;
}
