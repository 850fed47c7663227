// The map and its offline basemap: district boundaries from the API, main
// roads, rivers and lakes from static/basemap (OpenStreetMap, ODbL), and an
// optional online tile layer when the service is configured with one.

import L from './leaflet.js';

const ATTRIBUTION_OS = 'Boundaries: contains OS data © Crown copyright and database right; OGL v3';
const ATTRIBUTION_OSM = 'Roads, rivers, lakes: © OpenStreetMap contributors (ODbL)';

// Panes from bottom to top: basemap, hotspot cells, felt-safety cells,
// association edges, places, context cases and disruption markers. Each
// vector pane gets its own SVG renderer.
const PANES = { base: 250, cells: 400, safety: 410, edges: 420, places: 440, focus: 460, context: 480 };

export function createMap(el) {
  const map = L.map(el, {
    zoomSnap: 0.25,
    keyboard: true,
    preferCanvas: false,
    attributionControl: true,
    minZoom: 6,
    maxZoom: 17,
  });
  for (const [name, z] of Object.entries(PANES)) {
    const p = map.createPane(name);
    p.style.zIndex = String(z);
  }
  map.attributionControl.setPrefix('Leaflet');
  L.control.scale({ imperial: false }).addTo(map);
  map.setView([54.5, -3.0], 9); // replaced by the districts' extent once they load
  return map;
}

// fetchBasemap fetches the offline layers (no token needed, so it starts
// while the user signs in).
export function fetchBasemap() {
  return Promise.all(['lakes', 'rivers', 'roads'].map((n) => fetch(`basemap/${n}.geojson`).then((r) => {
    if (!r.ok) throw new Error(`The offline basemap (${n}) could not be loaded (error ${r.status}).`);
    return r.json();
  })));
}

// drawBasemap draws the districts and the offline layers; returns the
// layers by name.
export function drawBasemap(map, districts, [lakes, rivers, roads], config) {
  const layers = {};
  layers.water = L.layerGroup([], { attribution: ATTRIBUTION_OSM });
  layers.roads = L.layerGroup([], { attribution: ATTRIBUTION_OSM });
  layers.districts = L.geoJSON(null, {
    pane: 'base',
    interactive: false,
    attribution: ATTRIBUTION_OS,
    style: () => ({ color: '#5b6770', weight: 1.4, fill: true, fillColor: '#fbfaf6', fillOpacity: 1, className: 'district' }),
  });
  const fc = { type: 'FeatureCollection', features: [] };
  for (const d of districts) {
    if (d.geometry) fc.features.push({ type: 'Feature', geometry: d.geometry, properties: { code: d.code, name: d.name } });
  }
  layers.districts.addData(fc);
  layers.districts.addTo(map);
  performance.mark('cm-base-districts');
  if (fc.features.length) map.fitBounds(layers.districts.getBounds(), { padding: [8, 8] });

  L.geoJSON(lakes, {
    pane: 'base', interactive: false,
    style: () => ({ stroke: true, color: '#6d9fc4', weight: 0.6, fillColor: '#a9cde8', fillOpacity: 1 }),
  }).addTo(layers.water);
  L.geoJSON(rivers, {
    pane: 'base', interactive: false,
    style: () => ({ color: '#8db4d3', weight: 1, opacity: 0.9 }),
  }).addTo(layers.water);
  performance.mark('cm-base-water');
  // Quiet colours: the basemap is the background, the data the picture.
  const roadStyle = {
    motorway: { color: '#b7977a', weight: 2.4 },
    trunk: { color: '#c2a88f', weight: 1.8 },
    primary: { color: '#cdbba7', weight: 1.3 },
    secondary: { color: '#d8ccbe', weight: 0.9 },
  };
  L.geoJSON(roads, {
    pane: 'base', interactive: false,
    style: (f) => ({ ...(roadStyle[f.properties.class] || roadStyle.secondary), opacity: 0.9 }),
  }).addTo(layers.roads);
  layers.water.addTo(map);
  layers.roads.addTo(map);

  if (config.tiles && config.tiles.url) {
    layers.tiles = L.tileLayer(config.tiles.url, {
      attribution: config.tiles.attribution || '',
      maxZoom: 19,
      pane: 'tilePane',
    });
  }
  return layers;
}

// fitDistrict zooms to one district, or to them all.
export function fitDistrict(map, layer, code) {
  if (!layer) return;
  let b = null;
  layer.eachLayer((l) => {
    if (!code || l.feature.properties.code === code) b = b ? b.extend(l.getBounds()) : L.latLngBounds(l.getBounds().getSouthWest(), l.getBounds().getNorthEast());
  });
  if (b) map.fitBounds(b, { padding: [8, 8] });
}

// bindToggle shows or hides a layer with a checkbox.
export function bindToggle(map, checkbox, layer) {
  if (!layer) return;
  const apply = () => (checkbox.checked ? layer.addTo(map) : layer.remove());
  checkbox.addEventListener('change', apply);
  apply();
}
