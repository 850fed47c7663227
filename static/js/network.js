// The network panel: the members of one network, and its link chart
// (Cytoscape.js, vendored, loaded only when a chart is first opened).

import { h, fmt, words } from './dom.js';
import { pane } from './ui.js';
import { networkLabel } from './associations.js';

export const graphPath = (id) => `/api/v1/networks/${encodeURIComponent(id)}/graph`;
const CYTOSCAPE = '../vendor/cytoscape-3.35.0/cytoscape.esm.min.mjs';

let cytoscapeModule = null;
let chart = null;

export function showNetwork(api, n, places, colour, { onPlace, districtName }) {
  if (chart) {
    chart.destroy();
    chart = null;
  }
  pane('pane-network',
    h('h2', {}, `Network ${n.id}`),
    h('p', {}, networkLabel(n, districtName)),
    n.raw && n.raw.betweenness ? h('p', { class: 'note' }, `Centrality: betweenness (${n.raw.betweenness}) inside the network.`) : null,
    h('button', { type: 'button', class: 'primary', id: 'open-linkchart', onclick: () => openChart(api, n) }, 'Open link chart'),
    h('div', { id: 'linkchart-box' }),
    h('h3', {}, `Places (${places.length})`),
    places.length
      ? h('ul', { class: 'places' }, places.sort((a, b) => b.centrality - a.centrality).map((p) => h('li', {},
        h('button', { type: 'button', class: 'link', onclick: () => onPlace(p.id, p.name) }, p.name),
        ` · centrality ${fmt(p.centrality, 3)}${p.generalised ? ' · position generalised' : ''}`)))
      : h('p', { class: 'note' }, 'No places of this network are in the current selection.'));
}

// adaptGraph accepts Cytoscape JSON ({elements: {nodes, edges}} or
// {elements: [...]}) and returns a flat list of elements.
export function adaptGraph(json) {
  const el = json.elements || json;
  if (Array.isArray(el)) return el;
  return [...(el.nodes || []), ...(el.edges || [])];
}

async function openChart(api, n) {
  const box = document.getElementById('linkchart-box');
  box.replaceChildren(h('p', { class: 'note' }, 'Drawing the link chart…'));
  const [json, mod] = await Promise.all([
    api.get(graphPath(n.id), {}, { key: 'graph', label: 'the link chart' }),
    cytoscapeModule || (cytoscapeModule = import(CYTOSCAPE)),
  ]);
  const cytoscape = mod.default;
  const elements = adaptGraph(json);
  const people = elements.filter((e) => e.data && e.data.type === 'person').length;
  const container = h('div', { class: 'linkchart', id: 'linkchart', role: 'img', 'aria-label': `Link chart of network ${n.id}: ${elements.filter((e) => !e.data.source).length} nodes, ${elements.filter((e) => e.data.source).length} links` });
  box.replaceChildren(container, legend(), h('p', { class: 'note' }, `${people} people shown with pseudonyms only. Dashed: unconfirmed.`));
  if (chart) chart.destroy();
  chart = cytoscape({
    container,
    elements,
    layout: { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 60 },
    style: STYLE,
    wheelSensitivity: 0.3,
  });
  window.__linkchart = chart; // for the browser tests
  return chart;
}

function legend() {
  return h('ul', { class: 'linkchart-legend' },
    h('li', {}, 'Circle: young person · Diamond: adult of concern · Square: place · Hexagon: peer group · Rounded: online space'));
}

const STYLE = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 9, 'text-valign': 'bottom', 'text-margin-y': 2, width: 18, height: 18, 'background-color': '#777', 'border-width': 1, 'border-color': '#222' } },
  { selector: 'node[type = "person"]', style: { shape: 'ellipse', 'background-color': '#56b4e9' } },
  { selector: 'node[kind = "adult_of_concern"]', style: { shape: 'diamond', 'background-color': '#d55e00', width: 22, height: 22 } },
  { selector: 'node[type = "place"]', style: { shape: 'round-rectangle', 'background-color': '#009e73' } },
  { selector: 'node[type = "group"]', style: { shape: 'hexagon', 'background-color': '#e69f00' } },
  { selector: 'node[type = "space"]', style: { shape: 'round-tag', 'background-color': '#cc79a7' } },
  { selector: 'edge', style: { width: 'mapData(weight, 1, 5, 1, 4)', 'line-color': '#555', 'curve-style': 'bezier' } },
  { selector: 'edge[?confirmed]', style: { 'line-style': 'solid' } },
  { selector: 'edge[!confirmed]', style: { 'line-style': 'dashed', 'line-color': '#888' } },
];

export { words };
