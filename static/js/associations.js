// The association layer: places sized by their centrality on the map (the
// number of other places they share young people or groups with), peer
// groups and online spaces at the centre of the places they reach, edges
// weighted by what is shared and drawn solid (every link behind them
// confirmed) or dashed (any unconfirmed or E-graded). Networks (Louvain
// communities, computed by the service) are listed beside the map; each one
// the user picks is drawn in its own colour and listed in the Network pane.
// Picking is the user's act: reading a network's members is a person-level
// read, recorded in the audit log, so the page never reads them unasked.
// adaptAssociations(), adaptNetworks() and adaptNetwork() are the only code
// that knows the API's JSON (docs/NETWORKS.md).

import L from './leaflet.js';
import { $, h, clear, fmt, words } from './dom.js';
import { OKABE_ITO } from './palette.js';

export const ASSOC_PATH = '/api/v1/maps/associations';
export const NETWORKS_PATH = '/api/v1/networks';
export const networkPath = (id) => `/api/v1/networks/${encodeURIComponent(id)}`;

// linkParams are the association map's link selection from the filters.
export function linkParams(f) {
  return { from: f.from, to: f.to, district: f.district, min_grade: f.minGrade };
}

const NEUTRAL = '#4d6a80';

// adaptAssociations -> {nodes: Map(id -> node), edges: [...], disclosure}
// node: {id, type: place|group|space, name, kind, latlng, degree,
//        youngPeople, suppressed, generalised, derived, dashed}
// edge: {source, target, type, weight, people, groups, dashed, confirmed, coords}
export function adaptAssociations(json) {
  const nodes = new Map();
  const edges = [];
  for (const f of (json && json.features) || []) {
    const p = f.properties || {};
    const g = f.geometry || {};
    const kind = p.feature || (g.type === 'LineString' ? 'edge' : 'place');
    if (kind === 'edge') {
      edges.push({
        source: p.source,
        target: p.target,
        type: p.edge_type || 'place-place',
        people: p.people || 0,
        groups: p.groups || 0,
        weight: p.weight || (p.people || 0) + (p.groups || 0) || 1,
        dashed: p.dashed ?? !p.confirmed,
        confirmed: Boolean(p.confirmed),
        strongest: p.strongest_grade,
        weakest: p.weakest_grade,
        coords: g.coordinates.map((c) => [c[1], c[0]]),
      });
    } else {
      nodes.set(p.id, {
        id: p.id,
        type: kind,
        name: p.name || words(p.kind) || words(kind),
        kind: p.kind || p.platform,
        latlng: [g.coordinates[1], g.coordinates[0]],
        degree: p.degree ?? 0,
        youngPeople: p.young_people ?? null,
        suppressed: Boolean(p.suppressed),
        generalised: Boolean(p.generalised),
        derived: Boolean(p.derived),
        dashed: Boolean(p.dashed),
        adults: p.adults_of_concern ?? null,
      });
    }
  }
  const d = (json && json.disclosure) || {};
  return { nodes, edges, withheld: d.edges_withheld || 0, threshold: d.threshold ?? null, disclosureApplies: d.applies_to };
}

// adaptNetworks -> [{id, size, counts, districts, crossBorder}]
export function adaptNetworks(json) {
  return ((json && json.items) || []).map(adaptNetwork);
}

export function adaptNetwork(n) {
  const s = n.size || {};
  return {
    id: n.id,
    kind: n.kind,
    total: s.total ?? null,
    counts: { young_people: s.young_people, adults_of_concern: s.adults_of_concern, places: s.places, groups: s.groups, spaces: s.spaces },
    suppressed: s.suppressed || [],
    districts: n.districts || [],
    crossBorder: Boolean(n.cross_border),
    firstSeen: n.first_seen,
    lastSeen: n.last_seen,
    betweenness: n.betweenness,
    places: n.places || [],
    groups: n.groups || [],
    spaces: n.spaces || [],
    keyNodes: n.key_nodes || [],
  };
}

export class AssociationLayer {
  constructor(map, api, legend, { onPlace, onNetwork, districtName, personLevel }) {
    this.map = map;
    this.api = api;
    this.legend = legend;
    this.onPlace = onPlace;
    this.onNetwork = onNetwork;
    this.districtName = districtName;
    this.personLevel = personLevel;
    this.group = L.layerGroup();
    this.on = false;
    this.networks = [];
    this.picked = new Map(); // network id -> {colour index, nodes: Set of node ids, network}
    this.data = null;
  }

  async update(f) {
    if (!this.on) {
      this.group.remove();
      this.legend.set('associations', null);
      clear($('a-networks'));
      return;
    }
    this.group.addTo(this.map);
    const [assoc, nets] = await Promise.all([
      this.api.get(ASSOC_PATH, { ...linkParams(f), min_weight: $('a-weight').value }, { key: 'associations', label: 'associations' }),
      this.api.get(NETWORKS_PATH, { district: f.district, from: f.from, to: f.to, limit: 100 }, { key: 'networks', label: 'networks' }),
    ]);
    this.networks = adaptNetworks(nets);
    this.data = adaptAssociations(assoc);
    // Networks no longer listed under the new filters are unpicked.
    for (const id of [...this.picked.keys()]) if (!this.networks.some((n) => n.id === id)) this.picked.delete(id);
    this.draw();
    this.list();
  }

  // pickOf is the picked network holding a node (the first picked wins:
  // communities do not overlap).
  pickOf(id) {
    for (const p of this.picked.values()) if (p.nodes.has(id)) return p;
    return null;
  }

  colour(id) {
    const p = this.pickOf(id);
    return p ? OKABE_ITO[p.colour] : NEUTRAL;
  }

  draw() {
    this.group.clearLayers();
    const { nodes, edges } = this.data;
    const any = this.picked.size > 0;
    const maxW = Math.max(1, ...edges.map((e) => e.weight));
    const maxD = Math.max(1, ...[...nodes.values()].map((n) => n.degree));
    for (const e of edges) {
      const ps = this.pickOf(e.source);
      const inside = ps && ps === this.pickOf(e.target);
      const placeEdge = e.type === 'place-place';
      L.polyline(e.coords, {
        pane: 'edges',
        color: inside ? OKABE_ITO[ps.colour] : NEUTRAL,
        weight: (placeEdge ? 1 : 0.7) + 5 * Math.sqrt(e.weight / maxW),
        opacity: any && !inside ? 0.12 : (placeEdge ? 0.8 : 0.5),
        dashArray: e.dashed ? '6 5' : null,
        className: `edge ${e.dashed ? 'edge-unconfirmed' : 'edge-confirmed'} edge-${e.type}${inside ? ' edge-picked' : ''}`,
        interactive: false,
      }).addTo(this.group);
    }
    // Groups and spaces go under the places (they have no profile to open),
    // and big places under small ones, so every place can be clicked.
    const order = [...nodes.values()].sort((a, b) => (a.type === 'place') - (b.type === 'place') || b.degree - a.degree);
    for (const n of order) {
      const p = this.pickOf(n.id);
      const isPlace = n.type === 'place';
      const m = L.circleMarker(n.latlng, {
        pane: isPlace ? 'places' : 'edges',
        radius: isPlace ? 4 + 11 * Math.sqrt(n.degree / maxD) : 5,
        color: '#1b1b1b',
        weight: p ? 2 : 1,
        dashArray: n.derived ? '2 2' : null,
        fillColor: isPlace ? this.colour(n.id) : '#ffffff',
        fillOpacity: any && !p ? 0.25 : 0.9,
        opacity: any && !p ? 0.35 : 1,
        className: `${n.type}${p ? ' in-network' : ''}${n.generalised ? ' place-generalised' : ''}${n.suppressed ? ' place-suppressed' : ''}`,
      });
      m.bindTooltip(() => describeNode(n));
      if (isPlace) {
        m.on('click', () => this.onPlace(n.id, n.name));
        m.on('add', () => keyboardReachable(m, n, () => this.onPlace(n.id, n.name)));
      }
      m.addTo(this.group);
    }
    const items = [
      h('li', {}, h('span', { class: 'swatch line' }), 'Confirmed'),
      h('li', {}, h('span', { class: 'swatch line dashed' }), 'Unconfirmed or E-graded'),
      h('li', {}, 'Size: places linked to; width: people shared'),
      h('li', {}, 'White: peer group or online space'),
    ];
    for (const [id, p] of this.picked) items.push(h('li', {}, h('span', { class: `swatch n${p.colour}` }), `Network ${id}`));
    if (this.data.withheld) {
      items.push(h('li', { class: 'legend-suppressed' }, h('span', { class: 'swatch hatch' }),
        `${fmt(this.data.withheld)} links withheld (fewer than ${this.data.threshold} young people)`));
    }
    this.legend.set('associations', h('div', {}, h('h3', {}, 'Associations'), h('ul', {}, items)));
  }

  list() {
    const box = $('a-networks');
    if (!this.networks.length) {
      clear(box, h('p', { class: 'note' }, 'No networks in this selection.'));
      return;
    }
    clear(box, this.networks.map((n) => {
      const p = this.picked.get(n.id);
      return h('button', { type: 'button', 'aria-pressed': String(Boolean(p)), 'data-network': n.id, title: `Network ${n.id}` },
        h('span', { class: `swatch ${p ? `n${p.colour}` : 'none'}` }), networkLabel(n, this.districtName, true));
    }));
  }

  // toggle picks a network (reading its members, drawing them in a colour of
  // their own, listing them) or, when picked, unpicks it.
  async toggle(id) {
    if (this.picked.has(id)) {
      this.picked.delete(id);
      this.draw();
      this.list();
      return null;
    }
    const json = await this.api.get(networkPath(id), {}, { key: `network-${id}`, label: 'the network' });
    const n = adaptNetwork(json);
    const used = new Set([...this.picked.values()].map((p) => p.colour));
    let colour = 0;
    while (used.has(colour) && colour < OKABE_ITO.length - 1) colour++;
    const ids = new Set([...n.places, ...n.groups, ...n.spaces].map((x) => x.id).filter((x) => x !== undefined));
    this.picked.set(id, { colour, nodes: ids, network: n });
    this.draw();
    this.list();
    const shown = [...ids].map((x) => this.data.nodes.get(x)).filter(Boolean);
    if (shown.length) this.map.fitBounds(L.latLngBounds(shown.map((x) => x.latlng)).pad(0.25), { maxZoom: 14 });
    this.onNetwork(n, shown.length);
    return n;
  }

  setOn(on, f) {
    this.on = on;
    return this.update(f);
  }
}

function describeNode(n) {
  const parts = [n.name];
  if (n.type !== 'place') parts.push(`${words(n.type)} (placed at the centre of the places it reaches)`);
  if (n.youngPeople !== null) parts.push(`${fmt(n.youngPeople)} young people`);
  else if (n.suppressed) parts.push('fewer than 5 young people (suppressed)');
  if (n.type === 'place') parts.push(`linked to ${fmt(n.degree)} other places`);
  if (n.adults) parts.push(`${fmt(n.adults)} adults of concern`);
  if (n.generalised) parts.push('position generalised to its 1 km square');
  return parts.join(' · ');
}

// keyboardReachable lets a keyboard user Tab to a place and press Enter.
function keyboardReachable(marker, n, open) {
  const el = marker.getElement();
  if (!el || el.hasAttribute('tabindex')) return;
  el.setAttribute('tabindex', '0');
  el.setAttribute('role', 'button');
  el.setAttribute('aria-label', `Place: ${n.name}. Press Enter for its profile.`);
  el.dataset.placeId = String(n.id);
  el.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      open();
    }
  });
}

export function networkLabel(n, districtName = (c) => c, short = false) {
  const c = n.counts || {};
  const parts = [];
  if (c.young_people !== undefined) parts.push(c.young_people === null ? 'young people: c' : `${c.young_people} young people`);
  if (c.adults_of_concern && !short) parts.push(`${c.adults_of_concern} adults of concern`);
  if (c.places) parts.push(`${c.places} places`);
  if (c.groups && !short) parts.push(`${c.groups} groups`);
  if (c.spaces && !short) parts.push(`${c.spaces} spaces`);
  const ds = n.districts || [];
  const where = short && ds.length > 2 ? `${ds.length} districts` : ds.map(districtName).join(', ');
  return `${parts.join(', ')}${where ? ` · ${where}` : ''}`;
}
