// The hotspot layer: grid cells (hexagons or squares) coloured by count,
// kernel density or Getis-Ord Gi* class, with a legend and the method
// statement. adapt() is the one place that knows the API's JSON.

import L from './leaflet.js';
import { $, h, clear, fmt } from './dom.js';
import { VIRIDIS, RDBU, GI_LABELS, SUPPRESSED_FILL, breaks, classOf, spread } from './palette.js';
import { params } from './filters.js';

export const HOTSPOTS_PATH = '/api/v1/maps/hotspots';

// adapt turns the API's answer into {cells, statement, threshold, method}.
// cells: [{geometry, value, count, bin, suppressed, id}]
export function adapt(json, method) {
  const feats = (json && json.features) || [];
  const cells = feats.map((f) => {
    const p = f.properties || {};
    const suppressed = Boolean(p.suppressed);
    let value = p.count ?? null;
    if (method === 'kde') value = p.density ?? p.kde ?? p.value ?? null;
    if (method === 'gistar') value = p.z ?? p.gi ?? p.gi_z ?? p.value ?? null;
    return {
      geometry: f.geometry,
      id: p.cell ?? p.id ?? f.id,
      count: suppressed ? null : (p.count ?? null),
      value: suppressed ? null : value,
      bin: p.bin ?? p.gi_bin ?? 0,
      p: p.p ?? p.p_value ?? null,
      suppressed,
    };
  });
  const m = json.method || json.meta || json.metadata || {};
  const statement = typeof m === 'string' ? m : (m.statement || json.statement || '');
  const threshold = json.threshold ?? m.threshold ?? (json.disclosure && json.disclosure.threshold) ?? null;
  const units = m.units || json.units || (method === 'kde' ? 'events per km²' : 'events');
  return { cells, statement, threshold, units, raw: json };
}

export class HotspotLayer {
  constructor(map, api, legend) {
    this.map = map;
    this.api = api;
    this.legend = legend;
    this.group = L.layerGroup().addTo(map);
    this.on = true;
    this.last = null;
  }

  settings() {
    return { method: $('h-method').value, shape: $('h-shape').value, cell: Number($('h-cell').value) };
  }

  async update(f) {
    if (!this.on) {
      this.group.clearLayers();
      this.legend.set('hotspots', null);
      return;
    }
    const st = this.settings();
    if (f.noKinds || f.noCategories) {
      this.draw({ cells: [], statement: 'No event kinds or categories are ticked: nothing to count.' }, st);
      return;
    }
    const json = await this.api.get(HOTSPOTS_PATH, { ...params(f), method: st.method, shape: st.shape, cell: st.cell },
      { key: 'hotspots', label: 'hotspots' });
    this.draw(adapt(json, st.method), st);
  }

  draw(d, st) {
    this.last = d;
    this.group.clearLayers();
    const present = d.cells.filter((c) => !c.suppressed && c.value !== null);
    const bounds = st.method === 'gistar' ? null : breaks(present.map((c) => c.value));
    const style = (c) => {
      const base = { weight: 0.6, color: '#555', opacity: 0.7, fillOpacity: 0.72, className: 'cell' };
      if (c.suppressed) return { ...base, fillColor: SUPPRESSED_FILL, fillOpacity: 0.9, dashArray: '3 3', className: 'cell cell-suppressed' };
      if (st.method === 'gistar') {
        const b = Math.max(-3, Math.min(3, Math.round(c.bin || 0)));
        return { ...base, fillColor: RDBU[b], fillOpacity: b === 0 ? 0.25 : 0.8, opacity: b === 0 ? 0.3 : 0.8, className: `cell cell-gi${b}` };
      }
      const i = spread(classOf(c.value, bounds), bounds.length);
      return { ...base, fillColor: VIRIDIS[i], className: `cell cell-v${i}` };
    };
    for (const c of d.cells) {
      const layer = L.geoJSON({ type: 'Feature', geometry: c.geometry, properties: {} }, { pane: 'cells', style: () => style(c) });
      layer.bindTooltip(() => describeCell(c, st, d), { sticky: true });
      layer.addTo(this.group);
    }
    $('h-statement').textContent = d.statement || '';
    this.legend.set('hotspots', legendFor(d, st, bounds));
  }

  setOn(on, f) {
    this.on = on;
    return this.update(f);
  }
}

function describeCell(c, st, d) {
  if (c.suppressed) return `Suppressed: fewer than ${d.threshold || 'the threshold'} events (disclosure control)`;
  if (st.method === 'gistar') {
    const b = Math.max(-3, Math.min(3, Math.round(c.bin || 0)));
    return `${GI_LABELS[b]}${c.value !== null ? ` · z = ${fmt(c.value, 2)}` : ''}${c.count !== null ? ` · ${fmt(c.count)} events` : ''}`;
  }
  if (st.method === 'kde') return `${fmt(c.value)} ${d.units}`;
  return `${fmt(c.value)} ${c.value === 1 ? 'event' : 'events'}`;
}

function legendFor(d, st, bounds) {
  const items = [];
  if (st.method === 'gistar') {
    for (const b of [3, 2, 1, 0, -1, -2, -3]) items.push(h('li', {}, h('span', { class: `swatch g${b}` }), GI_LABELS[b]));
  } else if (bounds && bounds.length) {
    let lo = 0;
    bounds.forEach((hi, i) => {
      const label = st.method === 'kde' ? `${fmt(lo)} – ${fmt(hi)}` : (i === 0 ? `up to ${fmt(hi)}` : `${fmt(lo)} – ${fmt(hi)}`);
      items.push(h('li', {}, h('span', { class: `swatch v${spread(i, bounds.length)}` }), label));
      lo = hi;
    });
  } else {
    items.push(h('li', {}, 'No events in this selection'));
  }
  if (d.cells.some((c) => c.suppressed)) {
    items.push(h('li', { class: 'legend-suppressed' }, h('span', { class: 'swatch hatch' }),
      `Suppressed: fewer than ${d.threshold || 'the threshold'} (disclosure control)`));
  }
  const title = { count: 'Events per cell', kde: `Density (${d.units || 'events per km²'})`, gistar: 'Getis-Ord Gi*' }[st.method];
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
