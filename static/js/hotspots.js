// The hotspot layer: grid cells (hexagons or squares) coloured by count,
// kernel density class or Getis-Ord Gi* bin, with a legend and the method
// statement (docs/HOTSPOTS.md). adapt() and statement() are the only code
// that knows the API's JSON.

import L from './leaflet.js';
import { $, h, clear, fmt, words } from './dom.js';
import { VIRIDIS, RDBU, GI_LABELS, SUPPRESSED_FILL, breaks, classOf, spread } from './palette.js';
import { params } from './filters.js';

export const HOTSPOTS_PATH = '/api/v1/maps/hotspots';

// adapt -> {cells: [{geometry, events, people, value, bin, kdeClass, suppressed, controlled}], meta}
export function adapt(json, st) {
  const cells = ((json && json.features) || []).map((f) => {
    const p = f.properties || {};
    const c = {
      geometry: f.geometry,
      id: f.id,
      suppressed: Boolean(p.suppressed),
      controlled: Boolean(p.controlled),
      events: p.events ?? null,
      people: p.people ?? null,
      bin: p.gi_bin ?? 0,
      z: p.z ?? null,
      density: p.density ?? null,
      kdeClass: p.class ?? null,
    };
    c.value = st.measure === 'people' ? c.people : c.events;
    return c;
  });
  return { cells, meta: json || {} };
}

// statement says how the map was made, in words, from the answer's own
// members: what is counted, over which period and cells, by which method.
export function statement(meta, st) {
  const cell = meta.cell_size_m >= 1000 ? `${fmt(meta.cell_size_m / 1000)} km` : `${fmt(meta.cell_size_m)} m`;
  const shape = meta.grid === 'square' ? 'squares' : 'hexagons';
  const sel = meta.selection || {};
  const period = sel.from && sel.to ? `${sel.from.slice(0, 10)} to ${sel.to.slice(0, 10)}` : '';
  const what = (sel.kinds || []).includes('crime') ? 'crimes (police.uk)' : (meta.measure === 'people' ? 'distinct young people in events' : 'events involving young people');
  const parts = [];
  const t = meta.totals || {};
  const total = t.suppressed ? 'total suppressed' : `${fmt(t.events ?? 0)} events${t.people !== undefined ? `, ${fmt(t.people)} young people` : ''}${t.rounded_to ? ` (rounded to ${t.rounded_to})` : ''}`;
  if (meta.method === 'gistar') {
    const g = meta.gistar || {};
    parts.push(`Getis-Ord Gi* of ${what} per ${cell} ${shape}, ${period}.`);
    parts.push(`Neighbours: ${g.neighbours || 'adjacent cells'}; ${g.fdr ? `false discovery rate: ${g.fdr}` : ''}; bins ${g.bins || '±3/±2/±1 for 99/95/90% confidence'}.`);
  } else if (meta.method === 'kde') {
    const k = meta.kde || {};
    parts.push(`Kernel density of ${what}, ${period}: ${k.kernel || 'quartic kernel'}; bandwidth ${k.bandwidth_m ? `${fmt(k.bandwidth_m)} m` : 'default'}${k.bandwidth_rule ? ` (${k.bandwidth_rule})` : ''}; evaluated at the centres of ${cell} ${shape}; ${k.units || 'events per km²'}; colours: ${k.classes || 'quintiles'}.`);
  } else {
    parts.push(`Count of ${what} per ${cell} ${shape}, ${period}${sel.window_rule ? ` (${sel.window_rule})` : ''}.`);
  }
  parts.push(`${total}.`);
  const d = meta.disclosure || {};
  if (d.applied) parts.push(`Disclosure control: ${d.suppressed_cells ?? 0} cells with fewer than ${d.threshold} young people are hatched and show no figures.`);
  if (meta.note) parts.push(meta.note);
  return parts.join(' ');
}

export class HotspotLayer {
  constructor(map, api, legend) {
    this.map = map;
    this.api = api;
    this.legend = legend;
    this.group = L.layerGroup().addTo(map);
    this.on = true;
  }

  settings() {
    const of = $('h-of').value;
    return { method: $('h-method').value, grid: $('h-shape').value, cell: Number($('h-cell').value), of, measure: of === 'people' ? 'people' : 'events' };
  }

  query(f, st) {
    const q = { ...params(f), method: st.method, grid: st.grid, cell: st.cell };
    if (st.of === 'crime') {
      q.kinds = 'crime';
      q.categories = null; // crimes have no exploitation category
    }
    if (st.measure === 'people') q.measure = 'people';
    return q;
  }

  async update(f) {
    if (!this.on) {
      this.group.clearLayers();
      this.legend.set('hotspots', null);
      $('h-statement').textContent = '';
      return;
    }
    const st = this.settings();
    if ((f.noKinds && st.of !== 'crime') || f.noCategories) {
      this.draw({ cells: [], meta: {} }, st, 'No event kinds or categories are ticked: nothing to count.');
      return;
    }
    const json = await this.api.get(HOTSPOTS_PATH, this.query(f, st), { key: 'hotspots', label: 'hotspots' });
    this.draw(adapt(json, st), st);
  }

  draw(d, st, note) {
    this.group.clearLayers();
    const present = d.cells.filter((c) => !c.suppressed && c.value !== null);
    const bounds = st.method === 'count' ? breaks(present.map((c) => c.value)) : null;
    const style = (c) => {
      const base = { weight: 0.5, color: '#444', opacity: 0.6, fillOpacity: 0.75, className: 'cell' };
      if (c.suppressed) return { ...base, fillColor: SUPPRESSED_FILL, fillOpacity: 0.95, opacity: 0.9, dashArray: '3 2', className: 'cell cell-suppressed' };
      if (st.method === 'gistar') {
        const b = Math.max(-3, Math.min(3, Math.round(c.bin || 0)));
        return { ...base, fillColor: RDBU[b], fillOpacity: 0.85, opacity: 0.7, className: `cell cell-gi${b}` };
      }
      if (st.method === 'kde') {
        const k = Math.max(1, Math.min(5, c.kdeClass || 1));
        const i = spread(k - 1, 5);
        return { ...base, fillColor: VIRIDIS[i], className: `cell cell-kde${k}` };
      }
      const i = spread(classOf(c.value, bounds), bounds.length);
      return { ...base, fillColor: VIRIDIS[i], className: `cell cell-v${i}` };
    };
    // Not significant Gi* cells are not shaded: the map would be a sheet of
    // grey, and thousands of shapes slow a browser down.
    const drawn = d.cells.filter((c) => st.method !== 'gistar' || c.suppressed || Math.round(c.bin || 0) !== 0);
    const fc = { type: 'FeatureCollection', features: drawn.map((c) => ({ type: 'Feature', geometry: c.geometry, properties: c })) };
    L.geoJSON(fc, {
      pane: 'cells',
      style: (f) => style(f.properties),
      onEachFeature: (f, layer) => layer.bindTooltip(() => describeCell(f.properties, st, d.meta), { sticky: true }),
    }).addTo(this.group);
    $('h-statement').textContent = note || statement(d.meta, st);
    this.legend.set('hotspots', legendFor(d, st, bounds));
  }

  setOn(on, f) {
    this.on = on;
    return this.update(f);
  }
}

function describeCell(c, st, meta) {
  const thr = (meta.disclosure && meta.disclosure.threshold) || 5;
  if (c.suppressed) return `Suppressed: fewer than ${thr} young people (disclosure control)`;
  const counts = c.events !== null ? `${fmt(c.events)} ${c.events === 1 ? 'event' : 'events'}${c.people !== null ? `, ${fmt(c.people)} young people` : ''}` : 'figures withheld (disclosure control)';
  if (st.method === 'gistar') {
    const b = Math.max(-3, Math.min(3, Math.round(c.bin || 0)));
    return `${GI_LABELS[b]}${c.z !== null ? ` · z = ${fmt(c.z, 2)}` : ''} · ${counts}`;
  }
  if (st.method === 'kde') return `Density class ${c.kdeClass} of 5${c.density !== null ? ` · ${fmt(c.density, 2)} per km²` : ''} · ${counts}`;
  return counts;
}

function legendFor(d, st, bounds) {
  const items = [];
  const unit = st.measure === 'people' ? 'young people' : 'events';
  if (st.method === 'gistar') {
    for (const b of [3, 2, 1]) items.push(h('li', {}, h('span', { class: `swatch g${b}` }), GI_LABELS[b]));
    items.push(h('li', {}, h('span', { class: 'swatch none' }), 'Not significant (not shaded)'));
    for (const b of [-1, -2, -3]) items.push(h('li', {}, h('span', { class: `swatch g${b}` }), GI_LABELS[b]));
  } else if (st.method === 'kde') {
    for (let k = 5; k >= 1; k--) {
      const ds = d.cells.filter((c) => c.kdeClass === k && c.density !== null).map((c) => c.density);
      const range = ds.length ? ` (${fmt(Math.min(...ds), 2)}–${fmt(Math.max(...ds), 2)} per km²)` : '';
      items.push(h('li', {}, h('span', { class: `swatch v${spread(k - 1, 5)}` }), `${k === 5 ? 'Densest fifth' : k === 1 ? 'Least dense fifth' : `Class ${k}`}${range}`));
    }
  } else if (bounds && bounds.length) {
    const least = Math.min(...d.cells.filter((c) => !c.suppressed && c.value !== null).map((c) => c.value));
    for (let i = bounds.length - 1; i >= 0; i--) {
      const lo = i === 0 ? least : Math.floor(bounds[i - 1]) + 1;
      const hi = bounds[i];
      items.push(h('li', {}, h('span', { class: `swatch v${spread(i, bounds.length)}` }), lo >= hi ? `${fmt(hi)}` : `${fmt(lo)}–${fmt(hi)}`));
    }
  } else {
    items.push(h('li', {}, `No ${unit} in this selection`));
  }
  if (d.cells.some((c) => c.suppressed)) {
    const thr = (d.meta.disclosure && d.meta.disclosure.threshold) || 5;
    items.push(h('li', { class: 'legend-suppressed' }, h('span', { class: 'swatch hatch' }), `Suppressed: fewer than ${thr} young people`));
  }
  const title = { count: `${words(unit)} per cell`, kde: 'Kernel density', gistar: 'Getis-Ord Gi*' }[st.method];
  return h('div', {}, h('h3', {}, title), h('ul', {}, items));
}

// Legend holds one block per layer.
export class Legend {
  constructor(el) {
    this.el = el;
    this.parts = new Map();
  }

  set(key, node) {
    if (node) this.parts.set(key, node);
    else this.parts.delete(key);
    clear(this.el, [...this.parts.values()]);
  }
}
