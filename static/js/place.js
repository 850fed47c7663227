// The place panel: a place's context profile. adaptProfile() is the one
// place that knows the API's JSON; fields it does not know are still shown,
// in a generic form, so a richer profile never needs this page to change
// first.

import { h, fmt, words } from './dom.js';
import { heatmap, anyValue, table } from './charts.js';
import { pane } from './ui.js';

export const profilePath = (id) => `/api/v1/places/${encodeURIComponent(id)}/profile`;

export function adaptProfile(json) {
  const p = json.place || json;
  return {
    id: p.id ?? json.id,
    name: p.name || words(p.kind) || 'Place',
    kind: p.kind,
    district: p.district,
    generalised: Boolean(p.generalised),
    sensitive: Boolean(p.sensitive),
    hours: json.hour_weekday || json.hours || json.profile || null,
    rest: Object.fromEntries(Object.entries(json).filter(([k]) => !['place', 'hour_weekday', 'hours', 'profile', 'id', 'name', 'kind', 'district', 'generalised', 'sensitive', 'geometry', 'created_at', 'updated_at'].includes(k))),
  };
}

export async function showPlace(api, id, name, f, districtName) {
  pane('pane-place', h('p', { class: 'note' }, `Loading the profile of ${name || 'the place'}…`));
  const json = await api.get(profilePath(id), { from: f.from, to: f.to }, { key: 'place', label: 'the place profile' });
  const p = adaptProfile(json);
  const matrix = hourMatrix(p.hours);
  pane('pane-place',
    h('h2', { id: 'place-title' }, p.name),
    h('dl', { class: 'kv' },
      h('dt', {}, 'Kind'), h('dd', {}, words(p.kind)),
      h('dt', {}, 'District'), h('dd', {}, districtName(p.district) || '–'),
      p.generalised ? [h('dt', {}, 'Position'), h('dd', {}, 'generalised to its 1 km square (sensitive place)')] : null),
    matrix ? [h('h3', {}, 'When things happen here'), heatmap(matrix, { title: `Events at ${p.name} by hour and weekday` })] : null,
    Object.entries(p.rest).map(([k, v]) => section(k, v)));
}

function section(k, v) {
  if (v === null || v === undefined || (Array.isArray(v) && !v.length)) return null;
  if (k === 'counts' && typeof v === 'object' && !Array.isArray(v)) {
    return [h('h3', {}, 'Counts'), table([{ label: 'What', value: (r) => words(r[0]) }, { label: 'Number', value: (r) => r[1] }], Object.entries(v))];
  }
  return [h('h3', {}, words(k)), h('div', {}, anyValue(v))];
}

// hourMatrix accepts a 7×24 array, or {cells: [{weekday, hour, value}]}, or
// a flat array of 168 values (Monday 00:00 first).
export function hourMatrix(x) {
  if (!x) return null;
  const m = x.matrix || x.values || x;
  if (Array.isArray(m) && m.length === 7 && m.every((r) => Array.isArray(r) && r.length === 24)) return m;
  if (Array.isArray(m) && m.length === 168 && m.every((v) => v === null || typeof v === 'number')) {
    return Array.from({ length: 7 }, (_, d) => m.slice(d * 24, d * 24 + 24));
  }
  const cells = x.cells || (Array.isArray(x) ? x : null);
  if (Array.isArray(cells) && cells.length && cells[0] && 'hour' in cells[0]) {
    const out = Array.from({ length: 7 }, () => Array(24).fill(0));
    for (const c of cells) {
      const d = c.weekday ?? c.dow ?? c.day;
      const dd = d === 0 && !('iso' in c) ? d : d; // Monday = 0 unless told otherwise
      out[dd][c.hour] = c.suppressed ? null : (c.value ?? c.count ?? 0);
    }
    return out;
  }
  return null;
}

export { fmt };
