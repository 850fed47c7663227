// The association layer: places sized by centrality, edges weighted and
// drawn solid (confirmed) or dashed (unconfirmed), each network in its own
// colour. adaptAssociations() and adaptNetworks() are the only code that
// knows the API's JSON.

import L from './leaflet.js';
import { $, h, clear, fmt, words } from './dom.js';
import { OKABE_ITO } from './palette.js';
import { params } from './filters.js';

export const ASSOC_PATH = '/api/v1/maps/associations';
export const NETWORKS_PATH = '/api/v1/networks';

// adaptAssociations -> {places: [{id, name, kind, latlng, centrality, network, generalised}],
// edges: [{coords, weight, confirmed, network}]}
export function adaptAssociations(json) {
  const places = [];
  const edges = [];
  for (const f of (json && json.features) || []) {
    const p = f.properties || {};
    const g = f.geometry || {};
    if (g.type === 'Point') {
      places.push({
        id: p.place_id ?? p.id ?? f.id,
        name: p.name || words(p.kind) || 'Place',
        kind: p.kind,
        latlng: [g.coordinates[1], g.coordinates[0]],
        centrality: Number(p.centrality ?? p.betweenness ?? p.degree ?? 0),
        degree: p.degree ?? null,
        network: p.network ?? p.network_id ?? null,
        generalised: Boolean(p.generalised),
        people: p.people ?? p.young_people ?? null,
      });
    } else if (g.type === 'LineString') {
      edges.push({
        coords: g.coordinates.map((c) => [c[1], c[0]]),
        weight: Number(p.weight ?? p.links ?? 1),
        confirmed: Boolean(p.confirmed),
        network: p.network ?? p.network_id ?? null,
      });
    }
  }
  return { places, edges };
}

// adaptNetworks -> [{id, label, size, districts, counts}]
export function adaptNetworks(json) {
  const items = (json && (json.items || json.networks)) || [];
  return items.map((n) => ({
    id: n.id,
    size: n.size ?? (n.members ? n.members.length : null) ?? n.nodes ?? 0,
    counts: n.count || n.counts || {},
    districts: n.districts || [],
    kind: n.kind,
    raw: n,
  }));
}

export class AssociationLayer {
  constructor(map, api, legend, { onPlace, onNetwork, districtName }) {
    this.map = map;
    this.api = api;
    this.legend = legend;
    this.onPlace = onPlace;
    this.onNetwork = onNetwork;
    this.districtName = districtName;
    this.group = L.layerGroup();
    this.on = false;
    this.colours = new Map(); // network id -> palette index
    this.networks = [];
    this.selected = null;
    this.data = null;
  }

  colourOf(net) {
    if (net === null || net === undefined) return '#555555';
    if (!this.colours.has(net)) this.colours.set(net, this.colours.size % OKABE_ITO.length);
    return OKABE_ITO[this.colours.get(net)];
  }

  colourIndex(net) {
    this.colourOf(net);
    return this.colours.get(net);
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
      this.api.get(ASSOC_PATH, params(f), { key: 'associations', label: 'associations' }),
      this.api.get(NETWORKS_PATH, { district: f.district, limit: 200 }, { key: 'networks', label: 'networks' }),
    ]);
    this.networks = adaptNetworks(nets).sort((a, b) => b.size - a.size);
    this.colours.clear();
    for (const n of this.networks) this.colourOf(n.id);
    this.data = adaptAssociations(assoc);
    this.draw();
    this.list();
  }

  draw() {
    this.group.clearLayers();
    const { places, edges } = this.data;
    const maxW = Math.max(1, ...edges.map((e) => e.weight));
    const maxC = Math.max(1e-9, ...places.map((p) => p.centrality));
    for (const e of edges) {
      const dim = this.selected && e.network !== this.selected;
      L.polyline(e.coords, {
        pane: 'edges',
        color: this.colourOf(e.network),
        weight: 1 + 5 * Math.sqrt(e.weight / maxW),
        opacity: dim ? 0.15 : 0.85,
        dashArray: e.confirmed ? null : '6 5',
        className: e.confirmed ? 'edge edge-confirmed' : 'edge edge-unconfirmed',
        interactive: false,
      }).addTo(this.group);
    }
    for (const p of places) {
      const dim = this.selected && p.network !== this.selected;
      const m = L.circleMarker(p.latlng, {
        pane: 'places',
        radius: 4 + 12 * Math.sqrt(p.centrality / maxC),
        color: '#1b1b1b',
        weight: 1.2,
        fillColor: this.colourOf(p.network),
        fillOpacity: dim ? 0.2 : 0.9,
        opacity: dim ? 0.3 : 1,
        className: `place${p.generalised ? ' place-generalised' : ''}`,
      });
      m.bindTooltip(`${p.name}${p.generalised ? ' (position generalised to 1 km)' : ''} · centrality ${fmt(p.centrality, 3)}`);
      m.on('click', () => this.onPlace(p.id, p.name));
      m.on('add', () => {
        // Reachable by keyboard: Tab to a place, Enter to open its profile.
        const el = m.getElement();
        if (!el) return;
        el.setAttribute('tabindex', '0');
        el.setAttribute('role', 'button');
        el.setAttribute('aria-label', `Place: ${p.name}`);
        el.dataset.placeId = String(p.id);
        el.addEventListener('keydown', (ev) => {
          if (ev.key === 'Enter' || ev.key === ' ') {
            ev.preventDefault();
            this.onPlace(p.id, p.name);
          }
        });
      });
      m.addTo(this.group);
    }
    this.legend.set('associations', h('div', {},
      h('h3', {}, 'Associations'),
      h('ul', {},
        h('li', {}, h('span', { class: 'swatch line' }), 'Confirmed link'),
        h('li', {}, h('span', { class: 'swatch line dashed' }), 'Unconfirmed link'),
        h('li', {}, 'Circle size: centrality; line width: links'),
        h('li', {}, 'Colour: network'))));
  }

  list() {
    const box = $('a-networks');
    if (!this.networks.length) {
      clear(box, h('p', { class: 'note' }, 'No networks in this selection.'));
      return;
    }
    clear(box, this.networks.map((n) => h('button', {
      type: 'button',
      'aria-pressed': String(n.id === this.selected),
      'data-network': n.id,
      onclick: () => this.select(n.id),
    }, h('span', { class: `swatch n${this.colourIndex(n.id)}` }), networkLabel(n, this.districtName))));
  }

  select(id) {
    this.selected = id;
    this.draw();
    this.list();
    const n = this.networks.find((x) => x.id === id);
    const places = this.data.places.filter((p) => p.network === id);
    if (places.length) this.map.fitBounds(L.latLngBounds(places.map((p) => p.latlng)).pad(0.3), { maxZoom: 14 });
    this.onNetwork(n, places, this.colourOf(id));
  }

  setOn(on, f) {
    this.on = on;
    return this.update(f);
  }
}

export function networkLabel(n, districtName = (c) => c) {
  const c = n.counts || {};
  const parts = [];
  if (c.person) parts.push(`${c.person} people`);
  if (c.place) parts.push(`${c.place} places`);
  if (c.group) parts.push(`${c.group} groups`);
  if (c.space) parts.push(`${c.space} spaces`);
  const where = (n.districts || []).map(districtName).join(', ');
  return `${parts.length ? parts.join(', ') : `${n.size} members`}${where ? ` · ${where}` : ''}`;
}
