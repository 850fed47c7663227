// Charts drawn as SVG by hand (no library): the hour × weekday heatmap, a
// line chart for trends, and tables. Every chart carries a text summary for
// screen readers.

import { h, s, fmt, words } from './dom.js';
import { VIRIDIS, OKABE_ITO } from './palette.js';

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

// heatmap draws a 7 × 24 matrix (rows Monday..Sunday, columns hours 0..23).
export function heatmap(matrix, { title = 'Events by hour and weekday', unit = 'events' } = {}) {
  const cw = 13;
  const ch = 16;
  const left = 30;
  const top = 4;
  const max = Math.max(0, ...matrix.flat().filter((v) => v !== null));
  let peak = null;
  const cells = [];
  matrix.forEach((row, d) => row.forEach((v, hr) => {
    if (v !== null && (!peak || v > peak.v)) peak = { v, d, hr };
    const i = v === null ? -1 : max > 0 ? Math.min(VIRIDIS.length - 1, Math.floor((v / max) * (VIRIDIS.length - 1) + 0.5)) : 0;
    cells.push(s('rect', {
      x: left + hr * cw, y: top + d * ch, width: cw - 1, height: ch - 1,
      fill: i < 0 ? 'url(#cm-hatch)' : (v === 0 ? '#f0f0f0' : VIRIDIS[i]),
      class: 'hm-cell',
    }, s('title', {}, `${WEEKDAYS[d]} ${String(hr).padStart(2, '0')}:00–${String(hr + 1).padStart(2, '0')}:00: ${v === null ? 'suppressed' : `${fmt(v)} ${unit}`}`)));
  }));
  const labels = WEEKDAYS.map((d, i) => s('text', { x: left - 4, y: top + i * ch + 11, 'text-anchor': 'end' }, d.slice(0, 3)));
  const hours = [0, 3, 6, 9, 12, 15, 18, 21].map((hr) => s('text', { x: left + hr * cw, y: top + 7 * ch + 11 }, String(hr).padStart(2, '0')));
  const summary = peak && peak.v > 0
    ? `${title}. Busiest: ${WEEKDAYS[peak.d]} ${String(peak.hr).padStart(2, '0')}:00 (${fmt(peak.v)} ${unit}).`
    : `${title}: nothing in this selection.`;
  return h('figure', { class: 'fig' },
    s('svg', { viewBox: `0 0 ${left + 24 * cw + 2} ${top + 7 * ch + 16}`, class: 'chart heatmap', role: 'img', 'aria-label': summary },
      cells, labels, hours),
    h('figcaption', { class: 'note' }, summary));
}

// lineChart draws series over shared x labels: series = [{name, values}].
export function lineChart(xs, series, { title = '', yLabel = '' } = {}) {
  const W = 340;
  const H = 170;
  const L = 34;
  const B = 24;
  const T = 8;
  const R = 8;
  const all = series.flatMap((x) => x.values).filter((v) => v !== null && Number.isFinite(v));
  const max = Math.max(1, ...all);
  const nice = niceMax(max);
  const xAt = (i) => L + (xs.length <= 1 ? 0 : (i * (W - L - R)) / (xs.length - 1));
  const yAt = (v) => T + (H - T - B) * (1 - v / nice);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => [
    s('line', { x1: L, x2: W - R, y1: yAt(nice * f), y2: yAt(nice * f), class: 'gridline' }),
    s('text', { x: L - 4, y: yAt(nice * f) + 3, 'text-anchor': 'end' }, fmt(nice * f)),
  ]);
  const step = Math.max(1, Math.ceil(xs.length / 6));
  const xl = xs.map((x, i) => (i % step === 0 ? s('text', { x: xAt(i), y: H - 8, 'text-anchor': 'middle' }, x) : null));
  const lines = series.map((se, k) => {
    let d = '';
    se.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      d += `${d ? 'L' : 'M'}${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}`;
    });
    return s('path', { d, class: 'series', stroke: OKABE_ITO[k % OKABE_ITO.length], 'stroke-dasharray': k % 2 ? '5 3' : null });
  });
  const legend = h('ul', { class: 'chart-legend' }, series.map((se, k) => h('li', {},
    h('span', { class: `swatch n${k % OKABE_ITO.length}` }), se.name)));
  const last = series.map((se) => `${se.name} ${fmt(se.values[se.values.length - 1])}`).join(', ');
  const summary = `${title}${yLabel ? ` (${yLabel})` : ''} from ${xs[0]} to ${xs[xs.length - 1]}; latest: ${last}.`;
  return h('figure', { class: 'fig' },
    s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart line', role: 'img', 'aria-label': summary },
      s('line', { x1: L, x2: L, y1: T, y2: H - B, class: 'axis' }),
      s('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }),
      grid, xl, lines),
    series.length > 1 ? legend : null,
    h('figcaption', { class: 'note' }, summary));
}

function niceMax(x) {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

// table renders rows of objects (or arrays) with headings.
export function table(columns, rows, { caption, totalRow } = {}) {
  return h('table', {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
    h('tbody', {}, rows.map((r, i) => h('tr', { class: totalRow && totalRow(r, i) ? 'total' : '' },
      columns.map((c, j) => {
        const v = c.value(r);
        const supp = v && typeof v === 'object' && v.suppressed;
        const text = supp ? v.text || 'c' : (typeof v === 'number' ? fmt(v, c.digits) : v ?? '–');
        return j === 0 ? h('th', { scope: 'row' }, text) : h('td', { class: supp ? 'suppressed' : '', title: supp ? 'Suppressed (disclosure control)' : null }, text);
      })))));
}

// anyValue renders an unfamiliar JSON value readably: the place profile
// and reports fall back on it for fields this page does not know yet.
export function anyValue(v, depth = 0) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return fmt(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    if (!v.length) return 'none';
    if (v.every((x) => x === null || typeof x !== 'object')) return v.map((x) => anyValue(x)).join(', ');
    const keys = [...new Set(v.flatMap((x) => (x && typeof x === 'object' ? Object.keys(x) : [])))].filter((k) => !isGeometry(x0(v, k)));
    return table(keys.map((k) => ({ label: words(k), value: (r) => plain(r[k]) })), v.slice(0, 50));
  }
  if (depth > 2) return JSON.stringify(v);
  return h('dl', { class: 'kv' }, Object.entries(v).filter(([, x]) => !isGeometry(x)).map(([k, x]) => [h('dt', {}, words(k)), h('dd', {}, anyValue(x, depth + 1))]));
}

function x0(arr, k) {
  const f = arr.find((x) => x && x[k] !== undefined);
  return f ? f[k] : undefined;
}

function plain(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'object') return Array.isArray(v) ? v.map(plain).join(', ') : JSON.stringify(v);
  return v;
}

function isGeometry(x) {
  return x && typeof x === 'object' && typeof x.type === 'string' && 'coordinates' in x;
}
