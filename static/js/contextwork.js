// Context work on the map (docs/CONTEXTWORK.md): context cases as markers
// styled by status, place-based disruption actions by kind, and the Context
// pane that shows a case (weighting, actions) or an action's before/after
// activity. adaptCase(), adaptDisruption(), adaptCaseDetail() and
// adaptImpact() are the only code that knows the API's JSON.

import L from './leaflet.js';
import { $, h, fmt, words } from './dom.js';
import { pane } from './ui.js';

export const CASES_PATH = '/api/v1/maps/context-cases';
export const DISRUPTIONS_PATH = '/api/v1/maps/disruptions';
export const casePath = (id) => `/api/v1/context-cases/${encodeURIComponent(id)}`;
export const impactPath = (id) => `/api/v1/disruptions/${encodeURIComponent(id)}/impact`;

export const CASE_STATUSES = ['referred', 'assessing', 'planning', 'reviewing', 'closed'];
const STATUS_WORDS = { referred: 'Referred', assessing: 'Assessing', planning: 'Planning', reviewing: 'Reviewing', closed: 'Closed' };

// Disruption kinds: a short label on the marker and the words for people.
export const DISRUPTION_KINDS = {
  cawn: { short: 'CAWN', name: 'Child Abduction Warning Notice' },
  sexual_risk_order: { short: 'SRO', name: 'Sexual Risk Order' },
  closure_order: { short: 'CO', name: 'Closure order' },
  hotel_information_request: { short: 'HIR', name: 'Hotel information request' },
  licensing_review: { short: 'LR', name: 'Licensing review' },
  other: { short: '?', name: 'Other action' },
};
export const kindName = (k) => (DISRUPTION_KINDS[k] || { name: words(k) }).name;

// Roles that read context cases and the disruption map: the person-level
// ones (analyst, police, district).
export const NOT_FOR_ROLE = 'Not available to your role: context cases and disruption actions are shown to analysts, police and district teams.';

function latlngOf(g) {
  if (!g || g.type !== 'Point') return null;
  return [g.coordinates[1], g.coordinates[0]];
}

export function adaptCase(f) {
  const p = f.properties || {};
  return {
    id: p.case_id ?? f.id,
    latlng: latlngOf(f.geometry),
    title: p.title || 'Context case',
    status: p.status,
    leadAgency: p.lead_agency || '',
    openedOn: p.opened_on,
    openActions: p.open_actions ?? 0,
    overdueActions: p.overdue_actions ?? 0,
    context: { id: p.context_id, type: p.context_type, name: p.context_name, kind: p.context_kind, district: p.district },
    generalised: Boolean(p.generalised),
  };
}

export function adaptDisruption(f) {
  const p = f.properties || {};
  return {
    id: p.disruption_id ?? f.id,
    latlng: latlngOf(f.geometry),
    kind: p.kind,
    appliedOn: p.applied_on,
    expiresOn: p.expires_on || null,
    outcome: p.outcome,
    active: Boolean(p.active),
    placeId: p.place_id,
    caseId: p.context_case_id ?? null,
    generalised: Boolean(p.generalised),
  };
}

export function adaptCaseDetail(j) {
  const ch = j.children || {};
  return {
    weighting: (j.weighting || []).map((w) => ({ rank: w.rank, reason: w.reason, context: contextName(w.context) })),
    actions: (j.actions || []).map((a) => ({ description: a.description, owner: a.owner, dueOn: a.due_on, doneOn: a.done_on, done: Boolean(a.done), overdue: Boolean(a.overdue) })),
    outcomes: (j.outcomes || []).map((o) => ({ on: o.recorded_on, rating: o.rating, description: o.description })),
    children: ch.suppressed ? null : ch.count ?? null,
    childrenSuppressed: Boolean(ch.suppressed),
    closedOn: j.closed_on || null,
    plan: j.plan || '',
  };
}

export function adaptImpact(j) {
  const span = (s) => ({
    from: s.from, to: s.to, days: s.days, observed: s.observed_days,
    events: s.events ?? null, perMonth: s.per_month ?? null,
    people: s.young_people && !s.young_people.suppressed ? s.young_people.count : null,
    suppressed: Boolean(s.young_people && s.young_people.suppressed),
  });
  return {
    place: contextName(j.place ? { ...j.place, type: 'place' } : null),
    actionOn: j.action_on,
    radius: j.radius_m,
    months: j.months,
    complete: Boolean(j.complete),
    before: span(j.before || {}),
    after: span(j.after || {}),
    change: j.change_pct ?? null,
    method: j.method || '',
  };
}

function contextName(c) {
  if (!c) return 'a context';
  if (c.name) return c.name;
  if (c.type === 'group') return 'a peer group (name withheld)';
  if (c.type === 'space') return 'an online space (name withheld)';
  return c.kind ? words(c.kind) : 'a place';
}

const plural = (n, one, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;

// A layer of markers (divIcons: focusable, Enter opens them, as Leaflet
// markers are by default) that a role may not be allowed to see.
class MarkerLayer {
  constructor(map, api, { key, label, path, checkbox, note, personLevel, onOpen }) {
    Object.assign(this, { map, api, key, label, path, checkbox, note, onOpen });
    this.group = L.layerGroup();
    this.on = false;
    this.allowed = personLevel;
    this.items = [];
    if (!personLevel) this.refuse();
  }

  // refuse explains, instead of an error, that the role cannot see it.
  refuse() {
    this.allowed = false;
    this.on = false;
    this.group.remove();
    this.checkbox.checked = false;
    this.checkbox.disabled = true;
    this.note.textContent = NOT_FOR_ROLE;
    this.note.classList.add('not-for-role');
  }

  setOn(on, f) {
    this.on = on && this.allowed;
    return this.update(f);
  }

  async update(f) {
    if (!this.on) {
      this.group.remove();
      return;
    }
    let json;
    try {
      json = await this.api.get(this.path, this.query(f), { key: this.key, label: this.label });
    } catch (e) {
      if (e.status === 403) {
        this.refuse();
        return;
      }
      throw e;
    }
    this.items = ((json && json.features) || []).map((x) => this.adapt(x));
    this.draw();
  }

  draw() {
    this.group.clearLayers();
    const shown = this.items.filter((x) => x.latlng);
    for (const x of shown) {
      const m = L.marker(x.latlng, { pane: 'context', icon: this.icon(x), keyboard: true, riseOnHover: true });
      m.bindTooltip(this.describe(x));
      m.on('click', () => this.onOpen(x));
      m.on('add', () => {
        const el = m.getElement();
        if (!el) return;
        el.setAttribute('role', 'button');
        el.setAttribute('aria-label', `${this.describe(x)}. Press Enter for details.`);
        el.dataset.id = String(x.id);
        // Leaflet's Enter on a marker only opens a popup: open the details.
        el.addEventListener('keydown', (ev) => {
          if (ev.key === 'Enter' || ev.key === ' ') {
            ev.preventDefault();
            this.onOpen(x);
          }
        });
      });
      m.addTo(this.group);
    }
    this.group.addTo(this.map);
    this.note.textContent = this.summary(shown.length, this.items.length - shown.length);
    this.note.classList.remove('not-for-role');
  }
}

export class CaseLayer extends MarkerLayer {
  constructor(map, api, opts) {
    super(map, api, { key: 'context-cases', label: 'context cases', path: CASES_PATH, checkbox: $('l-cases'), note: $('c-note'), ...opts });
  }

  query(f) {
    return { district: f.district, status: $('c-closed').checked ? '' : 'open' };
  }

  adapt(x) { return adaptCase(x); }

  icon(c) {
    return L.divIcon({ className: `cw-case st-${c.status}`, html: h('span', { 'aria-hidden': 'true' }, (STATUS_WORDS[c.status] || '?').charAt(0)), iconSize: [22, 22] });
  }

  describe(c) {
    const parts = [`Context case: ${c.title}`, STATUS_WORDS[c.status] || c.status, contextName(c.context)];
    if (c.overdueActions) parts.push(`${plural(c.overdueActions, 'overdue action')}`);
    if (c.generalised) parts.push('position generalised to its 1 km square');
    return parts.join(' · ');
  }

  summary(n, unplaced) {
    const what = $('c-closed').checked ? 'context cases' : 'open context cases';
    return `${plural(n, what.replace(/s$/, ''), what)} on the map${unplaced ? `; ${fmt(unplaced)} more without a place (online spaces, groups with no places)` : ''}.`;
  }
}

export class DisruptionLayer extends MarkerLayer {
  constructor(map, api, opts) {
    super(map, api, { key: 'disruptions', label: 'disruption actions', path: DISRUPTIONS_PATH, checkbox: $('l-disrupt'), note: $('d-note'), ...opts });
  }

  // Actions applied in the selected period, in the selected district.
  query(f) {
    return { from: f.from, to: f.to, district: f.district };
  }

  adapt(x) { return adaptDisruption(x); }

  // Hung just below its place, so a case marker on the same place stays
  // visible and clickable above it.
  icon(d) {
    const k = DISRUPTION_KINDS[d.kind] ? d.kind : 'other';
    return L.divIcon({ className: `cw-disrupt k-${k}${d.active ? ' active' : ''}`, html: h('span', { 'aria-hidden': 'true' }, DISRUPTION_KINDS[k].short), iconSize: [34, 18], iconAnchor: [17, -8] });
  }

  describe(d) {
    return `${kindName(d.kind)}, ${d.appliedOn} · ${words(d.outcome)}${d.active ? ' (in force)' : ''}${d.generalised ? ' · position generalised' : ''}`;
  }

  summary(n) {
    return `${plural(n, 'action')} at places in the selected period. Actions against an adult only have no place and are not drawn.`;
  }
}

// legendFor the two marker layers, when on.
export function contextLegend(cases, disruptions) {
  const items = [];
  if (cases.on) {
    const statuses = CASE_STATUSES.filter((s) => s !== 'closed' || $('c-closed').checked);
    for (const s of statuses) items.push(h('li', {}, h('span', { class: `swatch cw-case st-${s}` }), `Case: ${STATUS_WORDS[s]}`));
  }
  if (disruptions.on) {
    const kinds = [...new Set(disruptions.items.map((d) => (DISRUPTION_KINDS[d.kind] ? d.kind : 'other')))];
    for (const k of kinds) items.push(h('li', {}, h('span', { class: `swatch cw-disrupt k-${k} active` }), `${DISRUPTION_KINDS[k].short}: ${DISRUPTION_KINDS[k].name}`));
    if (kinds.length) items.push(h('li', {}, h('span', { class: 'swatch cw-disrupt' }), 'Outlined: not (or no longer) in force'));
  }
  if (!items.length) return null;
  return h('div', {}, h('h3', {}, 'Context work'), h('ul', {}, items));
}

// showCase fills the Context pane with a case: what the map knows at once,
// then the case's weighting, actions and outcomes.
export async function showCase(api, c, districtName) {
  const head = [
    h('h2', { id: 'context-title' }, c.title),
    h('dl', { class: 'kv', id: 'case-facts' },
      h('dt', {}, 'Status'), h('dd', { id: 'case-status' }, STATUS_WORDS[c.status] || c.status),
      h('dt', {}, 'Context'), h('dd', {}, `${contextName(c.context)}${c.context.type && c.context.type !== 'place' ? ` (${words(c.context.type).toLowerCase()})` : ''}`),
      h('dt', {}, 'District'), h('dd', {}, districtName(c.context.district) || '–'),
      h('dt', {}, 'Lead agency'), h('dd', { id: 'case-lead' }, c.leadAgency || '–'),
      h('dt', {}, 'Opened'), h('dd', {}, c.openedOn || '–'),
      h('dt', {}, 'Actions'), h('dd', { id: 'case-actions' }, `${plural(c.openActions, 'open action')}, ${fmt(c.overdueActions)} overdue`),
      c.generalised ? [h('dt', {}, 'Position'), h('dd', {}, 'generalised to its 1 km square (sensitive place)')] : null),
  ];
  pane('pane-context', head, h('p', { class: 'note' }, 'Loading the case…'));
  const d = adaptCaseDetail(await api.get(casePath(c.id), {}, { key: 'context-case', label: 'the context case' }));
  pane('pane-context', head,
    h('dl', { class: 'kv' },
      d.closedOn ? [h('dt', {}, 'Closed'), h('dd', {}, d.closedOn)] : null,
      h('dt', {}, 'Young people affected'), h('dd', { id: 'case-children' }, d.childrenSuppressed ? 'fewer than 5 (suppressed)' : fmt(d.children ?? 0))),
    h('h3', {}, 'Context weighting'),
    d.weighting.length
      ? h('ol', { id: 'case-weighting' }, d.weighting.sort((a, b) => a.rank - b.rank).map((w) => h('li', {}, h('strong', {}, w.context), `: ${w.reason}`)))
      : h('p', { class: 'note' }, 'No weighting recorded.'),
    h('h3', {}, 'Actions'),
    d.actions.length
      ? h('ul', { id: 'case-action-list', class: 'actions-list' }, d.actions.map((a) => h('li', { class: a.overdue ? 'overdue' : a.done ? 'done' : '' },
        `${a.description} — ${a.owner}, due ${a.dueOn}`, a.done ? ` (done ${a.doneOn || ''})`.replace(' )', ')') : a.overdue ? h('strong', {}, ' (overdue)') : '')))
      : h('p', { class: 'note' }, 'No actions recorded.'),
    d.outcomes.length ? [h('h3', {}, 'Outcomes'), h('ul', {}, d.outcomes.map((o) => h('li', {}, `${o.on}: ${words(o.rating)} — ${o.description}`)))] : null);
}

// showDisruption fills the Context pane with an action and the activity
// around its place before and after it, in words.
export async function showDisruption(api, d) {
  const radius = h('select', { id: 'impact-radius' }, [250, 500, 1000, 2000].map((r) => h('option', { value: String(r), selected: r === 500 }, `${fmt(r)} m`)));
  const months = h('select', { id: 'impact-months' }, [1, 3, 6, 12].map((m) => h('option', { value: String(m), selected: m === 3 }, plural(m, 'month'))));
  const out = h('div', { id: 'impact', 'aria-live': 'polite' });
  pane('pane-context',
    h('h2', { id: 'context-title' }, kindName(d.kind)),
    h('dl', { class: 'kv' },
      h('dt', {}, 'Applied'), h('dd', { id: 'disrupt-applied' }, d.appliedOn),
      h('dt', {}, 'Expires'), h('dd', {}, d.expiresOn || '–'),
      h('dt', {}, 'Outcome'), h('dd', { id: 'disrupt-outcome' }, `${words(d.outcome)}${d.active ? ' (in force)' : ''}`),
      d.caseId ? [h('dt', {}, 'Context case'), h('dd', {}, `#${d.caseId}`)] : null),
    d.placeId ? h('p', {}, h('button', {
      type: 'button', id: 'disrupt-place',
      onclick: () => document.dispatchEvent(new CustomEvent('openplace', { detail: { id: d.placeId, name: 'the place' } })),
    }, 'Open the place’s profile')) : null,
    h('h3', {}, 'Activity before and after'),
    h('div', { class: 'row2' }, h('label', {}, 'Within ', radius), h('label', {}, 'Over ', months)),
    out);
  const load = async () => {
    out.replaceChildren(h('p', { class: 'note' }, 'Loading the before/after activity…'));
    const j = await api.get(impactPath(d.id), { radius: radius.value, months: months.value }, { key: 'impact', label: 'the before/after activity' });
    out.replaceChildren(...impactWords(adaptImpact(j)));
  };
  const reload = () => load().catch((e) => {
    if (e.name !== 'AbortError') out.replaceChildren(h('p', { class: 'error', role: 'alert' }, e.message));
  });
  radius.addEventListener('change', reload);
  months.addEventListener('change', reload);
  return load();
}

// impactWords says what the comparison found.
export function impactWords(m) {
  const spanWords = (s, which) => {
    const period = `${which} (${s.from} to ${s.to}${s.observed < s.days ? `, ${fmt(s.observed)} of ${fmt(s.days)} days so far` : `, ${fmt(s.days)} days`})`;
    if (s.suppressed || s.events === null) return [period, 'figures withheld: fewer than 5 young people (disclosure control)'];
    const people = s.people !== null ? `, involving ${plural(s.people, 'young person', 'young people')}` : '';
    const rate = s.perMonth !== null ? ` — ${fmt(s.perMonth, 2)} a month` : '';
    return [period, `${plural(s.events, 'event')}${rate}${people}`];
  };
  const [bp, bw] = spanWords(m.before, `${plural(m.months, 'month')} before`);
  const [ap, aw] = spanWords(m.after, `${plural(m.months, 'month')} after`);
  let change;
  if (m.change === null) change = m.before.events === 0 ? 'No change can be given: there were no events before.' : 'No change can be given (figures withheld).';
  else if (m.change === 0) change = 'Activity a month stayed the same.';
  else change = `Activity a month ${m.change < 0 ? 'fell' : 'rose'} by ${fmt(Math.abs(m.change), 1)}%.`;
  return [
    h('p', {}, `Events within ${fmt(m.radius)} m of ${m.place}, counted by the day they started; the day of the action (${m.actionOn}) is in neither span.`),
    h('dl', { class: 'kv impact' },
      h('dt', {}, bp), h('dd', { id: 'impact-before' }, bw),
      h('dt', {}, ap), h('dd', { id: 'impact-after' }, aw)),
    h('p', { id: 'impact-change' }, h('strong', {}, change), m.complete ? '' : ' The span after the action is still running.'),
    h('details', {}, h('summary', {}, 'How this was worked out'), h('p', { class: 'statement' }, m.method)),
  ];
}
