// The web map's entry point: configuration, sign-in, then the map, its
// layers, filters and panels. Each layer is its own module with a small
// adapter from the API's JSON.

import { Api } from './api.js';
import { $, h } from './dom.js';
import { showActivity, setIdleText, report, initTabs } from './ui.js';
import { signIn, signOut, askPurpose, article } from './signin.js';
import { createMap, fetchBasemap, drawBasemap, bindToggle, fitDistrict } from './mapview.js';
import { Filters } from './filters.js';
import { HotspotLayer, Legend } from './hotspots.js';
import { AssociationLayer, linkParams } from './associations.js';
import { showPlace } from './place.js';
import { showNetwork } from './network.js';
import { showTime, showPicture } from './picture.js';
import { PlacesLayer } from './places.js';
import { CaseLayer, DisruptionLayer, contextLegend, showCase, showDisruption } from './contextwork.js';
import { SafetyLayer } from './safety.js';

// Started at once, before sign-in: none of these need a token.
const configP = fetch('config.json').then((r) => r.json()).catch(() => ({}));
const basemapP = fetchBasemap();

// The first view's requests that need only the token: with a token already
// in the tab they go out while /me is being checked, not after.
function firstRequests(api) {
  const quiet = (p) => p.catch(() => null); // a bad token: asked again, with errors shown, after sign-in
  return {
    districts: quiet(api.get('/api/v1/districts', { geometry: true }, { key: 'districts', label: 'district boundaries' })),
    range: quiet(dataRange(api)),
  };
}

async function start() {
  const api = new Api({ onActivity: showActivity });
  let early = null;
  const earlyToken = sessionStorage.getItem('contextmap.token');
  if (earlyToken) {
    api.token = earlyToken;
    api.purpose = sessionStorage.getItem('contextmap.purpose') || '';
    early = firstRequests(api);
  }
  const config = await configP;
  const me = await signIn(api, config);
  performance.mark('cm-signed-in');
  // A token that stops working (revoked, expired) sends the user back to
  // the sign-in dialog.
  api.onUnauthorised = () => signOut();
  showWho(me, api);
  $('app').hidden = false;
  const selectTab = initTabs();

  const map = createMap($('map'));
  // Alerts come and go above the map: keep Leaflet's idea of its size true.
  new ResizeObserver(() => map.invalidateSize({ pan: false })).observe($('map'));
  const legend = new Legend($('legend'));
  // No token in the tab, or it was refused and another given: ask now.
  if (!early || api.token !== earlyToken) early = firstRequests(api);
  const rangeP = early.range.then((r) => r || dataRange(api));
  let dj = await early.districts;
  if (!dj) dj = await report('districts', () => api.get('/api/v1/districts', { geometry: true }, { key: 'districts', label: 'district boundaries' }));
  const districts = (dj && dj.items) || [];
  performance.mark('cm-districts');
  const districtName = (code) => (districts.find((d) => d.code === code) || {}).name || code;
  const filters = new Filters();
  filters.init(districts);
  let baseLayers = null;
  const drawBase = () => report('basemap', async () => drawBasemap(map, districts, await basemapP, config)).then((layers) => {
    performance.mark('cm-basemap');
    if (!layers) return;
    baseLayers = layers;
    bindToggle(map, $('b-districts'), layers.districts);
    bindToggle(map, $('b-roads'), layers.roads);
    bindToggle(map, $('b-water'), layers.water);
    if (layers.tiles) {
      $('b-tiles-label').hidden = false;
      bindToggle(map, $('b-tiles'), layers.tiles);
    }
  });

  // Choosing a district zooms to it.
  $('f-district').addEventListener('change', () => fitDistrict(map, baseLayers && baseLayers.districts, $('f-district').value));

  const hot = new HotspotLayer(map, api, legend);
  const openPlace = (id, name) => {
    selectTab('tab-place');
    return report('place', () => showPlace(api, id, name, filters.get(), districtName));
  };
  const assoc = new AssociationLayer(map, api, legend, {
    onPlace: openPlace,
    districtName,
    personLevel: me.person_level,
    onNetwork: (n, shown) => {
      selectTab('tab-network');
      showNetwork(api, n, shown, { onPlace: openPlace, districtName, personLevel: me.person_level, linkParams: () => { const { district, ...rest } = linkParams(filters.get()); return rest; } });
    },
  });
  document.addEventListener('openplace', (e) => openPlace(e.detail.id, e.detail.name));
  const allPlaces = new PlacesLayer(map, api, { onPlace: openPlace });
  const showPlaces = () => ($('b-places').checked ? report('places', () => allPlaces.show(filters.get().district)) : allPlaces.hide());
  $('b-places').addEventListener('change', showPlaces);
  $('f-district').addEventListener('change', showPlaces);

  // Context work: cases and disruption actions (person-level roles only:
  // for others the controls say so), and the felt-safety layer (everyone).
  const openContext = (fn) => {
    selectTab('tab-context');
    return report('context', fn);
  };
  const cases = new CaseLayer(map, api, { personLevel: me.person_level, onOpen: (c) => openContext(() => showCase(api, c, districtName)) });
  const disruptions = new DisruptionLayer(map, api, { personLevel: me.person_level, onOpen: (d) => openContext(() => showDisruption(api, d)) });
  const contextKey = () => legend.set('context', contextLegend(cases, disruptions));
  const updateCases = (f) => report('context-cases', () => cases.update(f)).then(contextKey);
  const updateDisruptions = (f) => report('disruptions', () => disruptions.update(f)).then(contextKey);
  $('l-cases').addEventListener('change', () => report('context-cases', () => cases.setOn($('l-cases').checked, filters.get())).then(contextKey));
  $('c-closed').addEventListener('change', () => updateCases(filters.get()));
  $('l-disrupt').addEventListener('change', () => report('disruptions', () => disruptions.setOn($('l-disrupt').checked, filters.get())).then(contextKey));
  const safety = new SafetyLayer(map, api, legend, hot);
  $('l-safety').addEventListener('change', () => report('felt-safety', () => safety.setOn($('l-safety').checked, filters.get())));
  $('s-opacity').addEventListener('input', () => safety.restyle());

  const visiblePane = () => document.querySelector('[role=tab][aria-selected=true]').id;
  const refreshPane = (f) => {
    const tab = visiblePane();
    if (tab === 'tab-time') return report('time', () => showTime(api, f, filters.describe()));
    if (tab === 'tab-picture') return report('picture', () => showPicture(api, f, districtName));
    return null;
  };
  document.addEventListener('tabshown', () => {
    // The Current Picture is a wide table: the panel widens while it shows.
    document.body.classList.toggle('wide', visiblePane() === 'tab-picture');
    refreshPane(filters.get());
  });

  filters.onChange((f) => report('hotspots', () => hot.update(f)));
  filters.onChange((f) => (assoc.on ? report('associations', () => assoc.update(f)) : null));
  filters.onChange((f) => refreshPane(f));
  filters.onChange((f) => (cases.on ? updateCases(f) : null));
  filters.onChange((f) => (disruptions.on ? updateDisruptions(f) : null));
  filters.onChange((f) => (safety.on ? report('felt-safety', () => safety.update(f)) : null));
  filters.onChange(() => setIdleText(`Showing ${filters.describe()}`));
  $('a-weight').addEventListener('change', () => report('associations', () => assoc.update(filters.get())));
  for (const id of ['h-of', 'h-method', 'h-shape', 'h-cell']) {
    $(id).addEventListener('change', () => report('hotspots', () => hot.update(filters.get())));
  }
  // The felt-safety layer is drawn on the hotspot layer's cells.
  for (const id of ['h-shape', 'h-cell']) {
    $(id).addEventListener('change', () => (safety.on ? report('felt-safety', () => safety.update(filters.get())) : null));
  }
  $('l-hot').addEventListener('change', () => report('hotspots', () => hot.setOn($('l-hot').checked, filters.get())));
  $('l-assoc').addEventListener('change', () => report('associations', () => assoc.setOn($('l-assoc').checked, filters.get())));
  $('a-networks').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-network]');
    if (b) report('network', () => assoc.toggle(b.dataset.network));
  });

  // The data's extent sets the slider's months; the trend knows it. Without
  // it, the last three years.
  // The first hotspot map is asked for before the basemap is drawn, so the
  // request and the drawing overlap.
  const range = await rangeP;
  filters.setRange(range.from, range.to);
  const firstView = filters.emit();
  await Promise.all([drawBase(), firstView]);
  performance.mark('cm-ready');
  document.body.dataset.ready = 'true'; // the browser tests wait for this
}

// dataRange is the span of the data, for the date inputs and the slider:
// the first and last seen dates of the links in the networks, else the last
// three years.
async function dataRange(api) {
  const today = new Date();
  const fallback = {
    from: new Date(Date.UTC(today.getUTCFullYear() - 3, today.getUTCMonth(), 1)).toISOString().slice(0, 10),
    to: today.toISOString().slice(0, 10),
  };
  try {
    const n = await api.get('/api/v1/networks', { kind: 'component', limit: 1000 }, { key: 'range', label: 'the data range' });
    const items = (n && n.items) || [];
    if (items.length) {
      const from = items.map((x) => x.first_seen).filter(Boolean).sort()[0];
      const to = items.map((x) => x.last_seen).filter(Boolean).sort().pop();
      if (from && to) return { from: `${from.slice(0, 7)}-01`, to };
    }
  } catch {
    // fall back
  }
  return fallback;
}

function showWho(me, api) {
  $('who').hidden = false;
  $('who-role').textContent = me.role;
  let scope;
  if (me.aggregates_only) scope = 'aggregates only · small numbers suppressed';
  else if (!me.person_level) scope = 'no person-level data';
  else if (me.districts && me.districts.length) scope = `person-level in ${me.districts.join(', ')} · aggregates elsewhere`;
  else scope = `person-level · all districts${me.sees_adults_of_concern ? ' · adults of concern' : ''}`;
  $('who-scope').textContent = scope;
  $('who-role').title = `Signed in as ${article(me.role)} ${me.role}${me.label ? ` (${me.label})` : ''}`;
  const showPurpose = () => {
    $('who-purpose').textContent = api.purpose ? `Purpose: ${api.purpose}` : '';
    $('change-purpose').hidden = !me.person_level;
  };
  showPurpose();
  $('change-purpose').onclick = async () => {
    await askPurpose(api, me);
    showPurpose();
  };
  $('sign-out').onclick = signOut;
}

start().catch((e) => {
  $('alerts').append(h('div', { class: 'alert' }, h('p', {}, `The map could not start: ${e.message}`)));
});

