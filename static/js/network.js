// The network panel: one network's members and key nodes, and its link
// chart (Cytoscape.js, vendored, loaded only when a chart is first opened).
// adaptGraph() is the only code that knows the chart's JSON.

import { h, clear, fmt, words } from './dom.js';
import { pane } from './ui.js';
import { networkLabel } from './associations.js';
import { table } from './charts.js';

export const graphPath = (id) => `/api/v1/networks/${encodeURIComponent(id)}/graph`;
const CYTOSCAPE = '../vendor/cytoscape-3.35.0/cytoscape.esm.min.mjs';

let cytoscapeModule = null;
let chart = null;

export function showNetwork(api, n, shown, { onPlace, districtName, personLevel, linkParams }) {
  if (chart) {
    chart.destroy();
    chart = null;
  }
  const places = [...n.places].sort((a, b) => b.betweenness - a.betweenness || b.degree - a.degree);
  const member = (x) => (x.hidden ? `hidden ${words(x.type).toLowerCase()}` : x.label || words(x.kind || x.type));
  pane('pane-network',
    h('h2', {}, `Network ${n.id}`),
    h('p', {}, networkLabel(n, districtName)),
    h('p', { class: 'note' }, `Links seen ${n.firstSeen || '?'} to ${n.lastSeen || '?'}${n.crossBorder ? '; spans districts' : ''}. `
      + `Centrality: betweenness inside the network (${n.betweenness || 'exact'}): the share of shortest paths between other members that pass through it.`),
    personLevel
      ? h('button', { type: 'button', class: 'primary', id: 'open-linkchart', onclick: () => openChart(api, n, linkParams) }, 'Open link chart')
      : h('p', { class: 'note' }, 'The link chart shows people: your role sees networks as counts only.'),
    n.keyNodes.length ? [h('h3', {}, 'Key nodes'), table([
      { label: 'Member', value: (x) => member(x) },
      { label: 'Type', value: (x) => words(x.type) },
      { label: 'Betweenness', value: (x) => fmt(x.betweenness, 3) },
      { label: 'Degree', value: (x) => x.degree },
    ], n.keyNodes)] : null,
    h('h3', {}, `Places (${places.length}; ${shown} on the map now)`),
    places.length
      ? h('ul', { class: 'places' }, places.map((p) => h('li', {},
        p.id !== undefined
          ? h('button', { type: 'button', class: 'link', onclick: () => onPlace(p.id, p.label) }, p.label || words(p.kind))
          : member(p),
        ` · ${words(p.kind)} · betweenness ${fmt(p.betweenness, 3)}${p.generalised ? ' · position generalised' : ''}`)))
      : h('p', { class: 'note' }, 'No places.'),
    n.groups.length ? [h('h3', {}, `Peer groups (${n.groups.length})`), h('ul', {}, n.groups.map((g) => h('li', {}, member(g))))] : null,
    n.spaces.length ? [h('h3', {}, `Online spaces (${n.spaces.length})`), h('ul', {}, n.spaces.map((g) => h('li', {}, `${member(g)}${g.kind ? ` (${words(g.kind)})` : ''}`)))] : null);
}

// adaptGraph returns the Cytoscape elements and what was hidden.
export function adaptGraph(json) {
  const el = json.elements || {};
  const elements = Array.isArray(el) ? el : [...(el.nodes || []), ...(el.edges || [])];
  return { elements, hidden: json.hidden || {} };
}

async function openChart(api, n, linkParams) {
  const dlg = document.getElementById('chart-dialog');
  const box = document.getElementById('linkchart-box');
  document.getElementById('chart-title').textContent = `Link chart: network ${n.id}`;
  box.replaceChildren(h('p', { class: 'note' }, 'Drawing the link chart…'));
  document.getElementById('chart-close').onclick = () => dlg.close();
  document.getElementById('chart-fit').onclick = () => chart && chart.fit(undefined, 20);
  dlg.addEventListener('close', () => {
    if (chart) {
      chart.destroy();
      chart = null;
    }
    const opener = document.getElementById('open-linkchart');
    if (opener) opener.focus();
  }, { once: true });
  dlg.showModal();
  const [json, mod] = await Promise.all([
    api.get(graphPath(n.id), linkParams ? linkParams() : {}, { key: 'graph', label: 'the link chart' }),
    cytoscapeModule || (cytoscapeModule = import(CYTOSCAPE)),
  ]);
  const cytoscape = mod.default;
  const { elements, hidden } = adaptGraph(json);
  const nodes = elements.filter((e) => !e.data.source);
  const links = elements.filter((e) => e.data.source);
  const hiddenText = Object.entries(hidden).filter(([, v]) => v > 0).map(([k, v]) => `${v} ${words(k).toLowerCase()}${v === 1 ? '' : 's'}`).join(', ');
  const container = h('div', { class: 'linkchart', id: 'linkchart', role: 'img',
    'aria-label': `Link chart of network ${n.id}: ${nodes.length} members, ${links.length} links. The key nodes are listed in the Network pane.` });
  clear(box, container,
    h('p', { class: 'note linkchart-legend' }, `${nodes.length} members, ${links.length} links. Blue circle: young person · orange diamond: adult of concern · `
      + 'green square: place (click for its profile) · yellow hexagon: peer group · pink tag: online space · thick border: key node · '
      + 'dashed: unconfirmed or E-graded. Drag to move, scroll to zoom.'),
    hiddenText ? h('p', { class: 'note' }, `Not shown (outside what your role may see): ${hiddenText}.`) : null);
  if (chart) chart.destroy();
  chart = cytoscape({
    container,
    elements,
    layout: { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 40000, idealEdgeLength: () => 60, gravity: 0.3, numIter: 1000, padding: 20 },
    style: STYLE,
  });
  chart.on('tap', 'node[type = "place"]', (ev) => {
    const d = ev.target.data();
    dlg.close();
    document.dispatchEvent(new CustomEvent('openplace', { detail: { id: d.node_id, name: d.label } }));
  });
  window.__linkchart = chart; // for the browser tests
  return chart;
}

const STYLE = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 9, 'text-valign': 'bottom', 'text-margin-y': 2, width: 18, height: 18, 'background-color': '#999', 'border-width': 1, 'border-color': '#222' } },
  { selector: 'node[type = "young_person"]', style: { shape: 'ellipse', 'background-color': '#56b4e9' } },
  { selector: 'node[type = "adult_of_concern"]', style: { shape: 'diamond', 'background-color': '#d55e00', width: 20, height: 20 } },
  { selector: 'node[type = "place"]', style: { shape: 'round-rectangle', 'background-color': '#009e73' } },
  { selector: 'node[type = "group"]', style: { shape: 'hexagon', 'background-color': '#e69f00' } },
  { selector: 'node[type = "space"]', style: { shape: 'tag', 'background-color': '#cc79a7' } },
  { selector: 'node[?key]', style: { 'border-width': 3, 'border-color': '#000' } },
  { selector: 'edge', style: { width: 1.5, 'line-color': '#555', 'curve-style': 'bezier' } },
  { selector: 'edge[?dashed]', style: { 'line-style': 'dashed', 'line-color': '#888' } },
];
