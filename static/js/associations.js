// The association layer: places sized by their centrality on the map (the
// number of other places they share young people or groups with), peer
// groups and online spaces at the centre of the places they reach, edges
// weighted by what is shared and drawn solid (every link behind them
// confirmed) or dashed (any unconfirmed or E-graded), each cluster of linked
// places in its own colour. Networks (Louvain communities, computed by the
// service) are listed beside the map; choosing one highlights its places.
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

// clusters labels each node with its connected cluster on the map (union
// find over the edges drawn), largest cluster first.
export function clusters(nodes, edges) {
  const parent = new Map([...nodes.keys()].map((k) => [k, k]));
  const find = (x) => {
    while (parent.get(x) !== x) {
      parent.set(x, parent.get(parent.get(x)));
      x = parent.get(x);
    }
    return x;
  };
  for (const e of edges) {
    if (!parent.has(e.source) || !parent.has(e.target)) continue;
    const a = find(e.source);
    const b = find(e.target);
    if (a !== b) parent.set(a, b);
  }
  const members = new Map();
  for (const k of nodes.keys()) {
    const r = find(k);
    if (!members.has(r)) members.set(r, []);
    members.get(r).push(k);
  }
  const order = [...members.values()].filter((m) => m.length > 1).sort((a, b) => b.length - a.length);
  const label = new Map();
  order.forEach((m, i) => m.forEach((k) => label.set(k, i)));
  return label; // nodes alone on the map have no cluster
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
    this.selected = null; // {id, places: Set}
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
      this.api.get(ASSOC_PATH, linkParams(f), { key: 'associations', label: 'associations' }),
      this.api.get(NETWORKS_PATH, { district: f.district, from: f.from, to: f.to, limit: 100 }, { key: 'networks', label: 'networks' }),
    ]);
    this.networks = adaptNetworks(nets);
    this.data = adaptAssociations(assoc);
    this.cluster = clusters(this.data.nodes, this.data.edges);
    this.draw();
    this.list();
  }

  colour(id) {
    const c = this.cluster.get(id);
    return c === undefined ? '#8a8a8a' : OKABE_ITO[c % OKABE_ITO.length];
  }

  draw() {
    this.group.clearLayers();
    const { nodes, edges } = this.data;
    const sel = this.selected;
    const inSel = (id) => !sel || sel.nodes.has(id);
    const maxW = Math.max(1, ...edges.map((e) => e.weight));
    const maxD = Math.max(1, ...[...nodes.values()].map((n) => n.degree));
    for (const e of edges) {
      const dim = sel && !(inSel(e.source) && inSel(e.target));
      const placeEdge = e.type === 'place-place';
      L.polyline(e.coords, {
        pane: 'edges',
        color: this.colour(e.source),
        weight: (placeEdge ? 1.2 : 0.8) + 5 * Math.sqrt(e.weight / maxW),
        opacity: dim ? 0.12 : (placeEdge ? 0.85 : 0.55),
        dashArray: e.dashed ? '6 5' : null,
        className: `edge ${e.dashed ? 'edge-unconfirmed' : 'edge-confirmed'} edge-${e.type}`,
        interactive: false,
      }).addTo(this.group);
    }
    for (const n of nodes.values()) {
      const dim = sel && !inSel(n.id);
      const isPlace = n.type === 'place';
      const m = L.circleMarker(n.latlng, {
        pane: 'places',
        radius: isPlace ? 4 + 11 * Math.sqrt(n.degree / maxD) : 5,
        color: sel && !dim ? '#000' : '#1b1b1b',
        weight: sel && !dim ? 2.5 : 1.2,
        dashArray: n.derived ? '2 2' : null,
        fillColor: isPlace ? this.colour(n.id) : '#ffffff',
        fillOpacity: dim ? 0.15 : 0.9,
        opacity: dim ? 0.25 : 1,
        className: `${n.type}${n.generalised ? ' place-generalised' : ''}${n.suppressed ? ' place-suppressed' : ''}`,
      });
      m.bindTooltip(() => describeNode(n));
      if (isPlace) {
        m.on('click', () => this.onPlace(n.id, n.name));
        m.on('add', () => keyboardReachable(m, n, () => this.onPlace(n.id, n.name)));
      }
      m.addTo(this.group);
    }
    const items = [
      h('li', {}, h('span', { class: 'swatch line' }), 'Confirmed (every link behind it)'),
      h('li', {}, h('span', { class: 'swatch line dashed' }), 'Unconfirmed or E-graded link behind it'),
      h('li', {}, 'Circle size: places it shares young people or groups with'),
      h('li', {}, 'Line width: young people and groups shared'),
      h('li', {}, 'Colour: cluster of linked places; white: peer group or online space'),
    ];
    if (this.data.withheld) {
      items.push(h('li', { class: 'legend-suppressed' }, h('span', { class: 'swatch hatch' }),
        `${fmt(this.data.withheld)} links sharing fewer than ${this.data.threshold} young people withheld (disclosure control)`));
    }
    this.legend.set('associations', h('div', {}, h('h3', {}, 'Associations'), h('ul', {}, items)));
  }

  list() {
    const box = $('a-networks');
    if (!this.networks.length) {
      clear(box, h('p', { class: 'note' }, 'No networks in this selection.'));
      return;
    }
    clear(box, this.networks.map((n) => h('button', {
      type: 'button',
      'aria-pressed': String(Boolean(this.selected && this.selected.id === n.id)),
      'data-network': n.id,
    }, networkLabel(n, this.districtName))));
  }

  // select fetches a network's members, highlights its places (and groups
  // and spaces) on the map and lists it.
  async select(id) {
    const json = await this.api.get(networkPath(id), {}, { key: 'network', label: 'the network' });
    const n = adaptNetwork(json);
    const ids = new Set([...n.places, ...n.groups, ...n.spaces].map((x) => x.id).filter((x) => x !== undefined));
    this.selected = { id, nodes: ids };
    this.draw();
    this.list();
    const shown = [...ids].map((x) => this.data.nodes.get(x)).filter(Boolean);
    if (shown.length) this.map.fitBounds(L.latLngBounds(shown.map((x) => x.latlng)).pad(0.25), { maxZoom: 14 });
    this.onNetwork(n, shown.length);
  }

  clearSelection() {
    this.selected = null;
    if (this.data) {
      this.draw();
      this.list();
    }
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

export function networkLabel(n, districtName = (c) => c) {
  const c = n.counts || {};
  const parts = [];
  if (c.young_people !== undefined) parts.push(c.young_people === null ? 'young people: c' : `${c.young_people} young people`);
  if (c.adults_of_concern) parts.push(`${c.adults_of_concern} adults`);
  if (c.places) parts.push(`${c.places} places`);
  if (c.groups) parts.push(`${c.groups} groups`);
  if (c.spaces) parts.push(`${c.spaces} spaces`);
  const where = (n.districts || []).map(districtName).join(', ');
  return `${parts.join(', ')}${where ? ` · ${where}` : ''}`;
}
