// The places layer: every place the caller may see, as small dots, so any
// place's profile is a click away without the association map. Sensitive
// places come generalised to their 1 km square for roles that may not see
// them exactly (the API does that). adaptPlace() is the only code that
// knows the JSON.

import L from './leaflet.js';
import { words } from './dom.js';

export const PLACES_PATH = '/api/v1/places';
const PAGE = 1000;
const MAX_PAGES = 20;

export function adaptPlace(p) {
  const g = p.geometry || {};
  let c = null;
  if (g.type === 'Point') c = g.coordinates;
  else if (g.type === 'Polygon') c = centroid(g.coordinates[0]);
  else if (g.type === 'MultiPolygon') c = centroid(g.coordinates[0][0]);
  return c && { id: p.id, name: p.name || words(p.kind), kind: p.kind, latlng: [c[1], c[0]], generalised: Boolean(p.generalised) };
}

function centroid(ring) {
  let x = 0;
  let y = 0;
  for (const [a, b] of ring) {
    x += a;
    y += b;
  }
  return [x / ring.length, y / ring.length];
}

export class PlacesLayer {
  constructor(map, api, { onPlace }) {
    this.map = map;
    this.api = api;
    this.onPlace = onPlace;
    this.group = L.layerGroup();
    this.loaded = null;
  }

  // show loads the places once (page by page) and draws them.
  async show(district) {
    this.group.addTo(this.map);
    const key = district || '';
    if (this.loaded === key) return;
    const places = [];
    let after = null;
    for (let i = 0; i < MAX_PAGES; i++) {
      const page = await this.api.get(PLACES_PATH, { limit: PAGE, after, district }, { key: 'places', label: 'places' });
      for (const p of page.items || []) {
        const a = adaptPlace(p);
        if (a) places.push(a);
      }
      if (!page.next_after) break;
      after = page.next_after;
    }
    this.group.clearLayers();
    for (const p of places) {
      const m = L.circleMarker(p.latlng, {
        pane: 'edges', radius: 3.5, color: '#263238', weight: 1, fillColor: '#eceff1', fillOpacity: 0.9,
        className: `any-place${p.generalised ? ' place-generalised' : ''}`,
      });
      m.bindTooltip(`${p.name} (${words(p.kind).toLowerCase()})${p.generalised ? ' · position generalised to its 1 km square' : ''}`);
      m.on('click', () => this.onPlace(p.id, p.name));
      m.on('add', () => {
        const el = m.getElement();
        if (el) el.dataset.placeId = String(p.id);
      });
      m.addTo(this.group);
    }
    this.loaded = key;
  }

  hide() {
    this.group.remove();
  }
}
