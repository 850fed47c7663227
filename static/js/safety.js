// The felt-safety layer: young people's red/amber/green safety-map marks,
// binned by the service on the hotspot layer's grid (the same cells, so
// the two can be compared cell for cell), with disclosure control: a
// suppressed cell is drawn hatched, never left out. adaptSafety() is the
// only code that knows the JSON (docs/CONTEXTWORK.md, "The felt-safety
// layer").

import L from './leaflet.js';
import { $, h, fmt } from './dom.js';
import { SUPPRESSED_FILL } from './palette.js';

export const SAFETY_PATH = '/api/v1/maps/felt-safety';

// Five classes of felt safety = (green − red) ÷ marks, from −1 (all red) to
// 1 (all green), in ColorBrewer's RdYlBu: the safe end is blue, not green,
// so the scale stays readable with red–green colour blindness; the legend
// says so.
export const SAFETY_CLASSES = [
  { max: -0.6, colour: '#d73027', label: 'Felt unsafe: mostly red marks' },
  { max: -0.2, colour: '#fc8d59', label: 'More red than green marks' },
  { max: 0.2, colour: '#fee090', label: 'Mixed, or mostly amber' },
  { max: 0.6, colour: '#91bfdb', label: 'More green than red marks' },
  { max: 1, colour: '#4575b4', label: 'Felt safe: mostly green marks' },
];

export function safetyClass(v) {
  for (let i = 0; i < SAFETY_CLASSES.length; i++) if (v <= SAFETY_CLASSES[i].max + 1e-9) return i;
  return SAFETY_CLASSES.length - 1;
}

export function adaptSafety(json) {
  const cells = ((json && json.features) || []).map((f) => {
    const p = f.properties || {};
    return {
      id: p.cell ?? f.id,
      geometry: f.geometry,
      suppressed: Boolean(p.suppressed),
      people: p.young_people ?? null,
      red: p.red ?? null,
      amber: p.amber ?? null,
      green: p.green ?? null,
      felt: p.felt_safety ?? null,
      events: p.events_suppressed ? null : p.events ?? null,
      eventsSuppressed: Boolean(p.events_suppressed),
    };
  });
  const m = json || {};
  return { cells, meta: { grid: m.grid, cell: m.cell_m, from: m.from, to: m.to, threshold: m.threshold ?? 5, suppression: Boolean(m.suppression_applied), kinds: m.event_kinds || [] } };
}

export class SafetyLayer {
  // hot is the hotspot layer, whose cells this layer shares.
  constructor(map, api, legend, hot) {
    this.map = map;
    this.hot = hot;
    this.api = api;
    this.legend = legend;
    this.group = L.layerGroup();
    this.on = false;
    this.geo = null;
  }

  opacity() {
    return Number($('s-opacity').value) / 100;
  }

  // Same cells as the hotspot layer: its Cells and Cell size controls.
  query(f) {
    const { grid, cell } = this.hot.settings();
    return { from: f.from, to: f.to, district: f.district, kinds: f.kinds, grid, cell };
  }

  setOn(on, f) {
    this.on = on;
    return this.update(f);
  }

  async update(f) {
    if (!this.on) {
      this.group.remove();
      this.legend.set('safety', null);
      $('s-note').textContent = '';
      return;
    }
    const json = await this.api.get(SAFETY_PATH, this.query(f), { key: 'felt-safety', label: 'the felt-safety layer' });
    this.draw(adaptSafety(json));
  }

  style(c) {
    const a = this.opacity();
    const base = { weight: 2.5, color: '#111', opacity: Math.min(1, a + 0.3), fillOpacity: a };
    if (c.suppressed) return { ...base, dashArray: '4 3', fillColor: SUPPRESSED_FILL, className: 'safety-cell safety-suppressed' };
    const k = safetyClass(c.felt ?? 0);
    return { ...base, fillColor: SAFETY_CLASSES[k].colour, className: `safety-cell safety-s${k}` };
  }

  draw(d) {
    this.group.clearLayers();
    const fc = { type: 'FeatureCollection', features: d.cells.map((c) => ({ type: 'Feature', geometry: c.geometry, properties: c })) };
    this.geo = L.geoJSON(fc, {
      pane: 'safety',
      style: (f) => this.style(f.properties),
      onEachFeature: (f, layer) => layer.bindTooltip(() => describeSafety(f.properties, d.meta), { sticky: true }),
    }).addTo(this.group);
    this.group.addTo(this.map);
    const supp = d.cells.filter((c) => c.suppressed).length;
    const cell = d.meta.cell >= 1000 ? `${fmt(d.meta.cell / 1000)} km` : `${fmt(d.meta.cell)} m`;
    $('s-note').textContent = d.cells.length
      ? `${fmt(d.cells.length)} ${d.meta.grid === 'square' ? 'squares' : 'hexagons'} of ${cell} with marks recorded ${d.meta.from} to ${d.meta.to}${supp ? `; ${fmt(supp)} hatched: fewer than ${d.meta.threshold} young people (disclosure control)` : ''}.`
      : `No safety marks recorded ${d.meta.from} to ${d.meta.to} in this selection.`;
    this.legend.set('safety', legendFor(d));
  }

  // restyle applies the opacity control without asking the service again.
  restyle() {
    if (this.geo) this.geo.setStyle((f) => this.style(f.properties));
  }
}

function describeSafety(c, meta) {
  if (c.suppressed) return `Felt safety suppressed: fewer than ${meta.threshold} young people marked this cell (disclosure control)`;
  const marks = `${fmt(c.red)} red, ${fmt(c.amber)} amber, ${fmt(c.green)} green marks from ${fmt(c.people)} young ${c.people === 1 ? 'person' : 'people'}`;
  const ev = c.eventsSuppressed ? 'events withheld (disclosure control)' : `${fmt(c.events ?? 0)} events in the period`;
  return `${SAFETY_CLASSES[safetyClass(c.felt ?? 0)].label} (${fmt(c.felt, 2)}) · ${marks} · ${ev}`;
}

function legendFor(d) {
  const items = SAFETY_CLASSES.slice().reverse().map((c, i) => h('li', {}, h('span', { class: `swatch safety-s${SAFETY_CLASSES.length - 1 - i}` }), c.label));
  if (d.cells.some((c) => c.suppressed)) {
    items.push(h('li', { class: 'legend-suppressed' }, h('span', { class: 'swatch hatch' }), `Suppressed: fewer than ${d.meta.threshold} young people`));
  }
  return h('div', { id: 'safety-legend' }, h('h3', {}, 'Felt safety (young people\'s marks)'), h('ul', {}, items),
    h('p', { class: 'note' }, 'Blue stands for green marks, so the scale reads with colour blindness.'));
}
