// The "When" and "Picture" panes: the hour × weekday profile of the
// selection, the Current Picture table and the trend. adaptX() functions
// are the only code that knows the reports' JSON.

import { h, words } from './dom.js';
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
    m ? heatmap(m, { title: 'Events by hour and weekday' })
      : h('p', { class: 'note' }, json.disclosure && json.disclosure.applied ? 'Too few young people in this selection to show when (disclosure control).' : 'No events in this selection.'),
    typeof json.method === 'string' ? h('p', { class: 'statement' }, `${json.method[0].toUpperCase()}${json.method.slice(1)}. Hours in ${json.zone || 'Europe/London'}.`) : null);
}

// adaptPicture -> {asOf, columns: [{code, label, exact}], rows: [{code, label, block, values}], note}
// A value is a number, {suppressed: true} (shown "c") or null (shown "–").
export function adaptPicture(json) {
  return {
    asOf: json.as_of,
    area: json.area,
    columns: json.columns || [],
    rows: json.rows || [],
    disclosure: json.disclosure || {},
    definitions: json.definitions || [],
  };
}

// adaptTrend -> {months: ['2020-01', ...], series: Map(code -> {label, values})}
export function adaptTrend(json) {
  const months = (json.months || []).map((m) => m.slice(0, 7));
  const series = new Map();
  for (const r of json.series || []) {
    series.set(r.code, { label: r.label, values: (r.values || []).map((v) => (typeof v === 'number' ? v : null)) });
  }
  return { months, series, column: json.column || {}, disclosure: json.disclosure || {} };
}

const TREND_CHARTS = [
  { title: 'Children by exploitation category', codes: ['cse1', 'cse2', 'cse3', 'other', 'category_total'] },
  { title: 'Missing episodes', codes: ['episodes', 'children', 'repeat_missing_children'] },
  { title: 'Risk assessments and interviews (%)', codes: ['risk_assessment_up_to_date_percent', 'rhi_within_72h_percent'] },
];

export async function showPicture(api, f, districtName) {
  const asOf = f.to || new Date().toISOString().slice(0, 10);
  // The trend covers the selection, at most its last 60 months.
  const to = asOf.slice(0, 7);
  let from = (f.from || asOf).slice(0, 7);
  const [ty, tm] = to.split('-').map(Number);
  const earliest = new Date(Date.UTC(ty, tm - 60, 1)).toISOString().slice(0, 7);
  if (from < earliest) from = earliest;
  const [pic, trend] = await Promise.all([
    api.get(PICTURE_PATH, { as_of: asOf }, { key: 'picture', label: 'the Current Picture' }),
    api.get(TREND_PATH, { from, to, district: f.district }, { key: 'trend', label: 'the trend' }),
  ]);
  const p = adaptPicture(pic);
  const t = adaptTrend(trend);
  pane('pane-picture',
    h('h2', {}, `Current Picture on ${p.asOf}`),
    p.disclosure.applied ? h('p', { class: 'note' }, p.disclosure.note || `Disclosure control applied: "c" marks a number hidden because it is fewer than ${p.disclosure.threshold}, or could reveal one that is.`) : null,
    pictureTable(p),
    h('h3', {}, `Trend, ${t.months[0] || from} to ${t.months[t.months.length - 1] || to}: ${t.column.label || (f.district ? districtName(f.district) : 'the area')}`),
    t.months.length > 1
      ? TREND_CHARTS.map((c) => {
        const series = c.codes.filter((k) => t.series.has(k)).map((k) => ({ name: shortLabel(k, t.series.get(k).label), values: t.series.get(k).values }));
        return series.length ? [h('h3', {}, c.title), lineChart(t.months, series, { title: c.title })] : null;
      })
      : h('p', { class: 'note' }, 'Choose a range of at least two months for the trend.'),
    h('details', {}, h('summary', {}, 'Definitions'), h('ul', {}, p.definitions.map((d) => h('li', {}, d)))));
}

// Short row labels for a narrow panel; the report's own label is the
// row's title (shown on hover and read by screen readers).
const SHORT = {
  cse1: 'CSE1', cse2: 'CSE2', cse3: 'CSE3', other: 'Other exploitation', category_total: 'Total',
  status_not_recorded: 'Status not recorded', status_total: 'Total',
  risk_assessment_up_to_date: 'Assessment up to date', risk_assessment_overdue: 'Assessment overdue',
  risk_assessment_up_to_date_percent: '% up to date',
  episodes: 'Missing episodes', children: 'Children missing', repeat_missing_children: 'Repeat missing',
  episodes_found: 'Episodes found', rhi_within_72h: 'Interview within 72 h', rhi_within_72h_percent: '% interview within 72 h',
  links_due_for_review: 'Links due for review',
};

function shortLabel(code, label) {
  return SHORT[code] || (['early_help', 'open_case', 'cin_plan', 'cp', 'cla', 'not_open'].includes(code) ? words(code) : label);
}

function pictureTable(p) {
  if (!p.columns.length) return h('div', {}, anyValue(p));
  const cols = [{ label: '', value: (r) => h('abbr', { title: r.label }, shortLabel(r.code, r.label)) }].concat(p.columns.map((c, i) => ({
    label: c.label || c.name || c.code,
    value: (r) => cellValue(r.values[i]),
    digits: 1,
  })));
  return h('div', { class: 'table-scroll' }, table(cols, p.rows, { totalRow: (r) => /total$/.test(r.code) }));
}

function cellValue(v) {
  if (v && typeof v === 'object') return v.suppressed ? { suppressed: true, text: 'c' } : null;
  return v;
}

