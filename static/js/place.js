// The place panel: a place's context profile (docs/NETWORKS.md, "Place
// profile"). adaptProfile() is the one place that knows its JSON; fields it
// does not know are still shown, in a generic form.

import { h, fmt, words } from './dom.js';
import { heatmap, lineChart, anyValue, table } from './charts.js';
import { pane } from './ui.js';
import { kindName } from './contextwork.js';

export const profilePath = (id) => `/api/v1/places/${encodeURIComponent(id)}/profile`;

const KNOWN = ['place', 'as_of', 'from', 'to', 'exact_counts', 'young_people', 'people', 'adults_of_concern', 'groups',
  'spaces', 'events', 'week_hours', 'grading', 'review_due', 'networks', 'disruptions'];

export function adaptProfile(json) {
  const p = json.place || {};
  return {
    id: p.id,
    name: p.name || words(p.kind) || 'Place',
    kind: p.kind,
    district: p.district,
    generalised: Boolean(p.generalised),
    sensitive: Boolean(p.sensitive),
    asOf: json.as_of,
    from: json.from,
    to: json.to,
    exact: json.exact_counts !== false,
    young: json.young_people || {},
    people: json.people || [],
    adults: json.adults_of_concern || {},
    groups: json.groups || {},
    spaces: json.spaces || {},
    events: json.events || {},
    hours: json.week_hours || null,
    grading: json.grading || {},
    review: json.review_due || {},
    networks: (json.networks && json.networks.items) || [],
    disruptions: json.disruptions || { total: 0, by_kind: {} },
    rest: Object.fromEntries(Object.entries(json).filter(([k]) => !KNOWN.includes(k))),
  };
}

// count shows a count, or "c" for one disclosure control hid.
const count = (v) => (v === null ? { suppressed: true, text: 'c' } : v ?? 0);

function breakdown(title, obj) {
  const rows = Object.entries(obj || {});
  if (!rows.length) return null;
  return [h('h3', {}, title), table([{ label: '', value: (r) => (r[0] === 'none' ? 'None recorded' : words(r[0])) }, { label: 'Young people', value: (r) => count(r[1]) }], rows)];
}

export async function showPlace(api, id, name, f, districtName) {
  pane('pane-place', h('p', { class: 'note' }, `Loading the profile of ${name || 'the place'}…`));
  const q = { from: f.from, to: f.to, as_of: f.to, min_grade: f.minGrade };
  const json = await api.get(profilePath(id), q, { key: 'place', label: 'the place profile' });
  const p = adaptProfile(json);
  const ev = p.events;
  const months = ev.by_month || [];
  pane('pane-place',
    h('h2', { id: 'place-title' }, p.name),
    h('dl', { class: 'kv' },
      h('dt', {}, 'Kind'), h('dd', {}, words(p.kind)),
      h('dt', {}, 'District'), h('dd', {}, districtName(p.district) || '–'),
      p.generalised ? [h('dt', {}, 'Position'), h('dd', {}, 'generalised to its 1 km square (sensitive place)')] : null,
      h('dt', {}, 'Period'), h('dd', {}, `${p.from || '?'} to ${p.to || '?'} (status and category on ${p.asOf || '?'})`),
      h('dt', {}, 'Young people'), h('dd', { id: 'place-young' }, p.young.total === null ? 'fewer than 5 (suppressed)' : fmt(p.young.total ?? 0)),
      h('dt', {}, 'Adults of concern'), h('dd', {}, p.adults.count === null ? 'suppressed' : fmt(p.adults.count ?? 0)),
      h('dt', {}, 'Events'), h('dd', {}, fmt(ev.total ?? 0)),
      h('dt', {}, 'Links'), h('dd', {}, `${fmt(p.grading.confirmed ?? 0)} confirmed, ${fmt(p.grading.unconfirmed ?? 0)} unconfirmed`),
      p.review.count ? [h('dt', {}, 'Due for review'), h('dd', {}, `${fmt(p.review.count)} links`)] : null),
    p.exact ? null : h('p', { class: 'note' }, 'Counts passed disclosure control: "c" marks a number hidden because it is small, or could reveal one that is.'),
    p.hours ? [h('h3', {}, 'When things happen here'), heatmap(p.hours, { title: `Events at ${p.name} by hour and weekday` })]
      : h('p', { class: 'note' }, 'No hour and weekday profile (too few events in the period, or none).'),
    months.length > 1 ? [h('h3', {}, 'Events by month'), lineChart(months.map((m) => m.month), [{ name: 'Events', values: months.map((m) => m.count) }], { title: 'Events by month' })] : null,
    ev.by_kind && Object.keys(ev.by_kind).length ? [h('h3', {}, 'Events by kind'),
      table([{ label: '', value: (r) => words(r[0]) }, { label: 'Events', value: (r) => count(r[1]) }], Object.entries(ev.by_kind))] : null,
    breakdown('Young people by category', p.young.by_category),
    breakdown('Young people by case status', p.young.by_status),
    breakdown('Young people by link', p.young.by_link_kind),
    p.people.length ? [h('h3', {}, 'People linked here'), table([
      { label: 'Pseudonym', value: (x) => x.pseudonym },
      { label: 'Category', value: (x) => words(x.category) || '–' },
      { label: 'Links', value: (x) => (x.links || []).map((l) => `${words(l.kind).toLowerCase()} ${String(l.grade).slice(0, 2)}${l.confirmed ? '' : ' (unconfirmed)'}`).join('; ') },
    ], p.people)] : null,
    (p.groups.items || []).length ? [h('h3', {}, `Peer groups (${p.groups.count})`), h('ul', {}, p.groups.items.map((g) => h('li', {}, `${g.name}${g.congregates ? ' (congregates here)' : ''} · ${g.people_here} here`)))]
      : (p.groups.count ? h('p', {}, `Peer groups: ${p.groups.count}`) : null),
    (p.spaces.items || []).length ? [h('h3', {}, `Online spaces (${p.spaces.count})`), h('ul', {}, p.spaces.items.map((g) => h('li', {}, `${g.name} (${words(g.platform)}) · ${g.people_here} here`)))]
      : (p.spaces.count ? h('p', {}, `Online spaces: ${p.spaces.count}`) : null),
    p.grading.by_grade && Object.keys(p.grading.by_grade).length ? [h('h3', {}, 'Grading of the links'),
      table([{ label: 'Grade', value: (r) => r[0] }, { label: 'Links', value: (r) => r[1] }], Object.entries(p.grading.by_grade).sort())] : null,
    disruptionList(p.disruptions),
    p.networks.length ? [h('h3', {}, 'Networks'), h('ul', {}, p.networks.map((n) => h('li', {}, `${n.id}: ${n.size && n.size.total !== null && n.size ? `${n.size.total} members` : 'size suppressed'}`)))] : null,
    Object.entries(p.rest).map(([k, v]) => [h('h3', {}, words(k)), h('div', {}, anyValue(v))]));
}

// disruptionList shows the disruption actions at the place: each action
// for person-level roles, their count by kind for others.
function disruptionList(d) {
  if (!d.total) return null;
  const title = h('h3', { id: 'place-disruptions' }, `Disruption actions (${d.total})`);
  if (d.items && d.items.length) {
    return [title, table([
      { label: 'Action', value: (x) => kindName(x.kind) },
      { label: 'Applied', value: (x) => x.applied_on },
      { label: 'Expires', value: (x) => x.expires_on || '–' },
      { label: 'Outcome', value: (x) => words(x.outcome) },
      { label: 'Lead agency', value: (x) => x.lead_agency },
    ], d.items)];
  }
  return [title, table([{ label: '', value: (r) => kindName(r[0]) }, { label: 'Actions', value: (r) => r[1] }], Object.entries(d.by_kind || {}))];
}

// hourMatrix accepts a 7×24 array, or a flat array of 168 values (Monday
// 00:00 first), or {matrix|values|week_hours: ...}.
export function hourMatrix(x) {
  if (!x) return null;
  const m = x.table || x.week_hours || x.matrix || x.values || x;
  if (Array.isArray(m) && m.length === 7 && m.every((r) => Array.isArray(r) && r.length === 24)) return m;
  if (Array.isArray(m) && m.length === 168) return Array.from({ length: 7 }, (_, d) => m.slice(d * 24, d * 24 + 24));
  return null;
}
