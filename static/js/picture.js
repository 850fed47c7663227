// The "When" and "Picture" panes: the hour × weekday profile of the
// selection, the Current Picture table and the trend. adaptX() functions
// are the only code that knows the reports' JSON.

import { h, fmt, words } from './dom.js';
import { heatmap, lineChart, table, anyValue } from './charts.js';
import { pane } from './ui.js';
import { params } from './filters.js';
import { hourMatrix } from './place.js';

export const PROFILE_PATH = '/api/v1/maps/hotspots/profile';
export const PICTURE_PATH = '/api/v1/reports/current-picture';
export const TREND_PATH = '/api/v1/reports/trend';

export async function showTime(api, f, describe) {
  const json = await api.get(PROFILE_PATH, params(f), { key: 'profile', label: 'the hour and weekday profile' });
  const m = hourMatrix(json);
  pane('pane-time',
    h('h2', {}, 'When: hour of day × day of week'),
    h('p', { class: 'note' }, describe),
    m ? heatmap(m, { title: 'Events by hour and weekday (aoristic: an event with a time window is spread over it)' }) : h('div', {}, anyValue(json)),
    json.statement || (json.method && json.method.statement) ? h('p', { class: 'statement' }, json.statement || json.method.statement) : null);
}

// adaptPicture -> {date, columns: [{code, label}], sections: [{title, rows: [{label, values, total}]}]}
export function adaptPicture(json) {
  return json;
}

export async function showPicture(api, f, districtName) {
  const date = f.to || new Date().toISOString().slice(0, 10);
  const [pic, trend] = await Promise.all([
    api.get(PICTURE_PATH, { date, district: f.district }, { key: 'picture', label: 'the Current Picture' }),
    api.get(TREND_PATH, params(f), { key: 'trend', label: 'the trend' }),
  ]);
  pane('pane-picture',
    h('h2', {}, `Current Picture on ${date}`),
    pictureTable(pic, districtName),
    h('h3', {}, 'Trend'),
    trendChart(trend));
}

function pictureTable(pic, districtName) {
  if (!pic || !Array.isArray(pic.rows) || !Array.isArray(pic.columns)) return h('div', {}, anyValue(pic));
  const cols = [{ label: '', value: (r) => r.label || words(r.code || r.key) }].concat(pic.columns.map((c, i) => ({
    label: typeof c === 'string' ? (districtName(c) || c) : (c.label || c.name || districtName(c.code) || c.code),
    value: (r) => cellValue(r.values ? r.values[i] : r[c.code ?? c]),
    digits: 1,
  })));
  return table(cols, pic.rows, { totalRow: (r) => /total/i.test(r.label || r.code || '') });
}

function cellValue(v) {
  if (v && typeof v === 'object') {
    if (v.suppressed) return { suppressed: true, text: v.display || 'c' };
    return v.value ?? v.count ?? null;
  }
  if (v === 'c') return { suppressed: true, text: 'c' };
  return v;
}

function trendChart(t) {
  if (!t) return h('p', { class: 'note' }, 'No trend.');
  const rows = t.series || t.months || t.items || t;
  if (Array.isArray(rows) && rows.length && rows[0].month !== undefined) {
    const xs = rows.map((r) => r.month);
    const keys = Object.keys(rows[0]).filter((k) => k !== 'month' && typeof rows[0][k] === 'number');
    return lineChart(xs, keys.map((k) => ({ name: words(k), values: rows.map((r) => r[k]) })), { title: 'Monthly trend' });
  }
  return h('div', {}, anyValue(t));
}

export { fmt };
