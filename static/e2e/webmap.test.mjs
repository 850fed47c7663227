// Browser tests of the web map: what analysts, police, district teams and
// partners do with it every day. Run by `go test ./intel/httpapi -run
// TestWebMap` (part of `make test`), which starts the service on a demo
// database and passes its address and one token per role.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, TOKENS, SHOTS, launch, open, clean, signIn, ready, shot, cells, waitForApi } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the page loads with no token, offline, and asks to sign in', async () => {
  const { context, page, seen } = await open(browser);
  const res = await page.goto(`${BASE}/`);
  assert.equal(res.status(), 200);
  await page.locator('#signin').waitFor({ state: 'visible' });
  assert.match(await page.locator('#signin-title').textContent(), /Sign in/);
  // The purpose is asked for, with the reason.
  assert.match(await page.locator('#purpose-help').textContent(), /DPA 2018/);
  clean(seen);
  await context.close();
});

test('a wrong token is refused in plain words', async () => {
  const { context, page, seen } = await open(browser);
  await page.goto(`${BASE}/`);
  await page.fill('#signin-token', 'cm_not-a-real-token');
  await page.fill('#signin-purpose', 'Automated browser test');
  await page.click('#signin-submit');
  await page.locator('#signin-error').filter({ hasText: /not accepted/ }).waitFor();
  assert.ok(await page.locator('#signin').isVisible(), 'the dialog stays open');
  clean(seen);
  await context.close();
});

test('a token in the tab that no longer works leads back to sign-in, and a new one works', async () => {
  const { context, page, seen } = await open(browser, { session: { token: 'cm_revoked-or-expired', purpose: 'Automated browser test' } });
  await page.goto(`${BASE}/`);
  await page.locator('#signin-error').filter({ hasText: /not accepted/ }).waitFor();
  await page.fill('#signin-token', TOKENS.analyst);
  await page.fill('#signin-purpose', 'Automated browser test');
  await page.click('#signin-submit');
  await ready(page);
  assert.equal(await page.locator('#who-role').textContent(), 'analyst');
  assert.ok(await cells(page) > 10, 'the map is drawn with the new token');
  assert.equal(await page.locator('path.district').count(), 6);
  clean(seen);
  await context.close();
});

test('a person-level role must state a purpose, sent as X-Purpose on every request', async () => {
  const { context, page, seen } = await open(browser);
  await page.goto(`${BASE}/`);
  // Keyboard only: type the token, Enter.
  await page.locator('#signin-token').focus();
  await page.keyboard.type(TOKENS.analyst);
  await page.keyboard.press('Enter');
  await page.locator('#signin-error').filter({ hasText: /state your purpose/ }).waitFor();
  await page.locator('#signin-purpose').focus();
  await page.keyboard.type('MACE meeting preparation');
  const purposes = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) purposes.push(r.headers()['x-purpose']);
  });
  await page.keyboard.press('Enter');
  await ready(page);
  assert.equal(await page.locator('#who-role').textContent(), 'analyst');
  assert.match(await page.locator('#who-purpose').textContent(), /MACE meeting preparation/);
  assert.ok(purposes.length > 0);
  assert.ok(purposes.every((p) => p === 'MACE meeting preparation'), `purposes sent: ${purposes}`);

  // Keyboard: Tab goes through the skip link, the header, then the map
  // controls in reading order, and focus is always visible.
  await page.locator('body').focus();
  const order = [];
  for (let i = 0; i < 16; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => {
      const a = document.activeElement;
      const st = getComputedStyle(a);
      return { id: a.id || a.className, visible: st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2 };
    }));
  }
  // (A date input takes several Tabs: day, month, year.)
  const ids = order.map((o) => o.id).filter((id, i, a) => id && id !== a[i - 1]);
  assert.deepEqual(ids.slice(0, 8), ['skip', 'change-purpose', 'sign-out', 'f-from', 'f-to', 'f-month', 'f-play', 'f-whole']);
  assert.ok(order.filter((o) => o.id).every((o) => o.visible), `focus ring visible: ${JSON.stringify(order)}`);
  clean(seen);
  await context.close();
});

test('sign in with the organisation (OpenID Connect, code flow with PKCE)', async () => {
  const base = process.env.CONTEXTMAP_E2E_OIDC_BASE_URL;
  const idp = new URL(process.env.CONTEXTMAP_E2E_IDP).host;
  const { context, page, seen } = await open(browser, { allow: [new URL(base).host, idp] });
  await page.goto(`${base}/`);
  const button = page.locator('#signin-oidc');
  await button.waitFor();
  assert.equal(await button.textContent(), 'Sign in with Test IdP');
  await page.fill('#signin-purpose', 'Detached outreach planning');
  await button.click();
  await ready(page);
  assert.equal(await page.locator('#who-role').textContent(), 'district');
  assert.match(await page.locator('#who-scope').textContent(), /person-level in E07000028/);
  assert.match(await page.locator('#who-purpose').textContent(), /Detached outreach planning/);
  assert.equal(new URL(page.url()).search, '', 'the one-time code is gone from the address bar');
  assert.ok(seen.requests.some((u) => u.startsWith(`http://${idp}/authorize?`)), 'went through the provider');
  clean(seen);
  await context.close();
});

test('the basemap is drawn from the service with its attribution; all places, each with its profile', async () => {
  const { context, page, seen } = await open(browser, { session: { token: TOKENS.admin } });
  await page.goto(`${BASE}/`);
  await ready(page);
  assert.equal(await page.locator('path.district').count(), 6, 'six district boundaries');
  assert.ok(await page.locator('.leaflet-base-pane path').count() > 100, 'roads, rivers and lakes drawn');
  const attr = await page.locator('.leaflet-control-attribution').textContent();
  assert.match(attr, /Crown copyright/);
  assert.match(attr, /OpenStreetMap contributors/);

  // All places, as dots; any one opens its profile.
  const places = waitForApi(page, '/api/v1/places');
  await page.check('#b-places');
  assert.equal((await places).status(), 200);
  await page.locator('path.any-place').first().waitFor();
  assert.ok(await page.locator('path.any-place').count() > 400, 'the demo\'s places drawn');
  assert.ok(await page.locator('path.any-place.place-generalised').count() > 0, 'sensitive places generalised for an admin');
  const target = await page.evaluate(() => {
    for (const p of document.querySelectorAll('path.any-place')) {
      const r = p.getBoundingClientRect();
      const x = r.x + r.width / 2;
      const y = r.y + r.height / 2;
      if (x > 300 && y > 60 && document.elementFromPoint(x, y) === p) return { x, y, id: p.dataset.placeId };
    }
    return null;
  });
  assert.ok(target);
  const profile = waitForApi(page, `/api/v1/places/${target.id}/profile`);
  await page.mouse.click(target.x, target.y);
  assert.equal((await profile).status(), 200);
  await page.locator('#place-title').waitFor();
  clean(seen);
  await context.close();
});

test('sign in, see hotspot cells, switch to Gi*', async () => {
  const { context, page, seen } = await open(browser);
  await signIn(page, 'analyst');
  const n = await cells(page);
  assert.ok(n > 10, `hotspot cells drawn: ${n}`);
  assert.match(await page.locator('#legend').textContent(), /Events per cell/);
  assert.match(await page.locator('#h-statement').textContent(), /Count of events involving young people per 1 km hexagons/, 'the method statement is shown');
  // Carlisle, closer: the district filter zooms the map to it.
  const carlisle = waitForApi(page, '/api/v1/maps/hotspots', (q) => q.get('district') === 'E07000028');
  await page.selectOption('#f-district', 'E07000028');
  await carlisle;
  await page.waitForFunction(() => !document.body.hasAttribute('aria-busy'));
  await page.waitForTimeout(400); // the zoom animation
  await shot(page, 'hotspots.png');

  const gi = waitForApi(page, '/api/v1/maps/hotspots', (q) => q.get('method') === 'gistar');
  await page.selectOption('#h-method', 'gistar');
  await gi;
  await page.waitForFunction(() => document.querySelector('#legend').textContent.includes('Gi*'));
  const hot = await cells(page, 'cell-gi3') + await cells(page, 'cell-gi2') + await cells(page, 'cell-gi1');
  assert.ok(hot > 0, 'some cells are hot spots');
  assert.equal(await page.locator('.leaflet-cells-pane path.cell-gi3').first().getAttribute('fill'), '#b2182b', 'hot: ColorBrewer RdBu red');
  assert.match(await page.locator('#legend').textContent(), /Hot spot, 99% confidence/);
  assert.match(await page.locator('#legend').textContent(), /Cold spot/);
  assert.match(await page.locator('#h-statement').textContent(), /Getis-Ord Gi\*.*Benjamini-Hochberg/);
  await shot(page, 'gistar.png');
  clean(seen);
  await context.close();
});

test('moving the time slider asks for that month and redraws the map', async () => {
  const { context, page, seen } = await open(browser);
  await signIn(page, 'analyst');
  const before = await page.locator('.leaflet-cells-pane path.cell').evaluateAll((ps) => ps.map((p) => p.getAttribute('d') + p.getAttribute('fill')).join('|'));
  const req = waitForApi(page, '/api/v1/maps/hotspots', (q) => q.get('from') && q.get('from').endsWith('-01') && q.get('to') && q.get('from').slice(0, 7) === q.get('to').slice(0, 7));
  const slider = page.locator('#f-month');
  await slider.focus();
  for (let i = 0; i < 14; i++) await page.keyboard.press('ArrowRight');
  const res = await req;
  assert.equal(res.status(), 200);
  const q = new URL(res.url()).searchParams;
  const label = await page.locator('#f-month-label').textContent();
  assert.notEqual(label, 'whole range');
  await page.waitForFunction(() => !document.body.hasAttribute('aria-busy'));
  const afterMonth = await page.locator('.leaflet-cells-pane path.cell').evaluateAll((ps) => ps.map((p) => p.getAttribute('d') + p.getAttribute('fill')).join('|'));
  assert.notEqual(afterMonth, before, `the map changed for ${label} (${q.get('from')}..${q.get('to')})`);

  // Play steps on month by month, each after the last month's data came.
  const months = [];
  const watch = (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/api/v1/maps/hotspots') months.push(u.searchParams.get('from'));
  };
  page.on('request', watch);
  await page.click('#f-play');
  assert.equal(await page.locator('#f-play').getAttribute('aria-pressed'), 'true');
  await page.waitForFunction(() => document.getElementById('f-month').value >= 16, null, { timeout: 30000 });
  await page.click('#f-play'); // pause
  assert.equal(await page.locator('#f-play').textContent(), 'Play');
  page.off('request', watch);
  assert.ok(months.length >= 2 && months[0] < months[1], `months asked for while playing: ${months}`);
  clean(seen);
  await context.close();
});

test('associations: pick a network, click a place and read its profile, open the link chart', async () => {
  const { context, page, seen } = await open(browser);
  await signIn(page, 'analyst');
  const assoc = waitForApi(page, '/api/v1/maps/associations');
  await page.check('#l-assoc');
  assert.equal((await assoc).status(), 200);
  await page.locator('.leaflet-places-pane path.place').first().waitFor();
  assert.ok(await page.locator('.leaflet-places-pane path.place').count() > 5);
  assert.ok(await page.locator('.leaflet-edges-pane path.edge-confirmed').count() > 0, 'confirmed links drawn solid');
  assert.ok(await page.locator('.leaflet-edges-pane path.edge-unconfirmed[stroke-dasharray]').count() > 0, 'unconfirmed links drawn dashed');

  // Pick the largest network: its members are read (an audited read),
  // coloured and listed.
  const detail = page.waitForResponse((r) => /^\/api\/v1\/networks\/community-\d+$/.test(new URL(r.url()).pathname));
  await page.locator('#a-networks button').first().click();
  assert.equal((await detail).status(), 200);
  await page.locator('#pane-network h2').waitFor();
  assert.equal(await page.locator('#a-networks button').first().getAttribute('aria-pressed'), 'true');
  const members = await page.locator('.leaflet-places-pane path.place.in-network').count();
  assert.ok(members > 2, `places of the network highlighted: ${members}`);
  // A second network gets a different colour.
  await page.locator('#a-networks button').nth(1).click();
  await page.waitForFunction(() => document.querySelectorAll('#a-networks button[aria-pressed=true]').length === 2);
  const colours = await page.locator('#legend li').allTextContents();
  assert.equal(colours.filter((t) => /^Network /.test(t)).length, 2);

  // Click a place of the network on the map: one whose centre no other
  // marker covers, once the map has stopped moving (picking a network may
  // pan or zoom it).
  await page.waitForFunction(() => !document.querySelector('.leaflet-zoom-anim, .leaflet-pan-anim'));
  const target = await page.evaluate(() => {
    for (const p of document.querySelectorAll('.leaflet-places-pane path.place.in-network')) {
      const r = p.getBoundingClientRect();
      const x = r.x + r.width / 2;
      const y = r.y + r.height / 2;
      if (document.elementFromPoint(x, y) === p) return { x, y, id: p.dataset.placeId };
    }
    return null;
  });
  assert.ok(target, 'a place of the network can be clicked');
  const clicked = waitForApi(page, `/api/v1/places/${target.id}/profile`);
  // Through the locator, so the click waits for the marker to be still and
  // to be what the pointer hits.
  await page.locator(`.leaflet-places-pane path.place.in-network[data-place-id="${target.id}"]`).click();
  assert.equal((await clicked).status(), 200);
  await page.locator('#place-title').waitFor();
  // ... and reach one by keyboard: Tab to it, Enter.
  const place = page.locator('.leaflet-places-pane path.place.in-network').nth(1);
  const id = await place.getAttribute('data-place-id');
  const profile = waitForApi(page, `/api/v1/places/${id}/profile`);
  await place.focus();
  await page.keyboard.press('Enter');
  assert.equal((await profile).status(), 200);
  await page.locator('#place-title').waitFor();
  assert.notEqual((await page.locator('#place-title').textContent()).trim(), '');
  assert.match(await page.locator('#pane-place').textContent(), /Young people/);
  await shot(page, 'place.png');

  // The link chart of the last network picked.
  await page.click('#tab-network');
  const graph = page.waitForResponse((r) => /\/api\/v1\/networks\/[^/]+\/graph$/.test(new URL(r.url()).pathname));
  await page.click('#open-linkchart');
  assert.equal((await graph).status(), 200);
  await page.locator('#linkchart canvas').first().waitFor();
  const nodes = await page.evaluate(() => window.__linkchart.nodes().length);
  const edges = await page.evaluate(() => window.__linkchart.edges().length);
  assert.ok(nodes > 2 && edges > 1, `link chart: ${nodes} nodes, ${edges} edges`);
  assert.ok(await page.evaluate(() => window.__linkchart.edges('[?dashed]').length) > 0, 'unconfirmed links dashed in the chart');
  await page.waitForTimeout(300);
  await shot(page, 'network.png');
  await page.keyboard.press('Escape');
  await page.locator('#chart-dialog').waitFor({ state: 'hidden' });
  clean(seen);
  await context.close();
});

test('a partner sees suppressed hotspot cells marked as such, not missing', async () => {
  const { context, page, seen } = await open(browser);
  await signIn(page, 'partner', '');
  const barrow = waitForApi(page, '/api/v1/maps/hotspots', (q) => q.get('district') === 'E07000027' && q.get('cell') === '500');
  await page.selectOption('#h-cell', '500');
  await page.selectOption('#f-district', 'E07000027');
  await barrow;
  await page.waitForFunction(() => !document.body.hasAttribute('aria-busy'));
  await page.waitForTimeout(400);
  assert.equal(await page.locator('#who-role').textContent(), 'partner');
  assert.match(await page.locator('#who-scope').textContent(), /aggregates only/);
  const supp = await cells(page, 'cell-suppressed');
  assert.ok(supp > 0, 'some cells are suppressed for a partner');
  const fill = await page.locator('.leaflet-cells-pane path.cell-suppressed').first().getAttribute('fill');
  assert.equal(fill, 'url(#cm-hatch)', 'suppressed cells are hatched, not hidden');
  assert.match(await page.locator('#legend').textContent(), /Suppressed/);
  await shot(page, 'partner.png');
  clean(seen);
  await context.close();
});

test('a partner\'s association map has no people, groups or spaces, and networks as counts only', async () => {
  const { context, page, seen } = await open(browser, { session: { token: TOKENS.partner } });
  await page.goto(`${BASE}/`);
  await ready(page);
  const assoc = waitForApi(page, '/api/v1/maps/associations');
  await page.check('#l-assoc');
  assert.equal((await assoc).status(), 200);
  await page.locator('.leaflet-places-pane path.place').first().waitFor();
  assert.equal(await page.locator('.leaflet-places-pane path.group, .leaflet-places-pane path.space').count(), 0);
  await page.locator('#a-networks button').first().click();
  await page.locator('#pane-network h2').waitFor();
  assert.equal(await page.locator('#open-linkchart').count(), 0, 'no link chart for aggregate-only roles');
  assert.match(await page.locator('#pane-network').textContent(), /counts only/);
  clean(seen);
  await context.close();
});

test('the hour × weekday heatmap of the selection', async () => {
  const { context, page, seen } = await open(browser);
  await signIn(page, 'analyst');
  const prof = waitForApi(page, '/api/v1/maps/hotspots/profile');
  await page.click('#tab-time');
  assert.equal((await prof).status(), 200);
  await page.locator('#pane-time svg.heatmap').waitFor();
  assert.equal(await page.locator('#pane-time rect.hm-cell').count(), 168);
  assert.match(await page.locator('#pane-time figcaption').textContent(), /Busiest: /);
  clean(seen);
  await context.close();
});

test('the Current Picture table and the trend as charts', async () => {
  const { context, page, seen } = await open(browser);
  await signIn(page, 'analyst');
  const pic = waitForApi(page, '/api/v1/reports/current-picture');
  const trend = waitForApi(page, '/api/v1/reports/trend');
  // Keyboard: focus the first tab, arrow right to "Picture".
  await page.locator('#tab-place').focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-picture');
  assert.equal((await pic).status(), 200);
  assert.equal((await trend).status(), 200);
  await page.locator('#pane-picture table').waitFor();
  const head = await page.locator('#pane-picture thead th').allTextContents();
  assert.deepEqual(head.slice(1), ['Cumbria', 'Allerdale', 'Barrow', 'Carlisle', 'Copeland', 'Eden', 'South Lakeland']);
  const rows = await page.locator('#pane-picture tbody tr').count();
  assert.ok(rows >= 14, `Current Picture rows: ${rows}`);
  assert.equal(await page.locator('#pane-picture tr.total').count(), 2, 'two Total rows (categories, statuses)');
  assert.ok(await page.locator('#pane-picture svg.line path.series').count() >= 5, 'trend lines drawn');
  await shot(page, 'picture.png');
  clean(seen);
  await context.close();
});

test('a partner\'s Current Picture marks suppressed figures "c"', async () => {
  const { context, page, seen } = await open(browser, { session: { token: TOKENS.partner } });
  await page.goto(`${BASE}/`);
  await ready(page);
  const pic = waitForApi(page, '/api/v1/reports/current-picture');
  await page.click('#tab-picture');
  assert.equal((await pic).status(), 200);
  await page.locator('#pane-picture table').waitFor();
  const supp = page.locator('#pane-picture td.suppressed');
  assert.ok(await supp.count() > 0, 'some figures suppressed for a partner');
  assert.equal(await supp.first().textContent(), 'c');
  assert.match(await page.locator('#pane-picture').textContent(), /Disclosure control applied|hidden/);
  clean(seen);
  await context.close();
});

test('a failed request says what failed and offers to try again', async () => {
  const { context, page, seen } = await open(browser, { session: { token: TOKENS.analyst, purpose: 'Automated browser test' } });
  let fail = true;
  await page.route('**/api/v1/maps/hotspots?*', (route) => (fail ? route.abort('connectionrefused') : route.continue()));
  await page.goto(`${BASE}/`);
  await ready(page);
  const alert = page.locator('.alert', { hasText: /Could not reach the contextmap service to load hotspots/ });
  await alert.waitFor();
  fail = false;
  await alert.getByRole('button', { name: 'Try again' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.leaflet-cells-pane path.cell').length > 0);
  assert.equal(await page.locator('.alert').count(), 0);
  seen.errors = seen.errors.filter((e) => !/Failed to fetch/.test(e));
  clean(seen);
  await context.close();
});

test('a date range the wrong way round is refused before asking the service', async () => {
  const { context, page, seen } = await open(browser, { session: { token: TOKENS.analyst, purpose: 'Automated browser test' } });
  await page.goto(`${BASE}/`);
  await ready(page);
  let asked = 0;
  page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/v1/maps/')) asked++; });
  await page.fill('#f-from', '2022-05-01');
  await page.dispatchEvent('#f-from', 'change');
  assert.equal(await page.locator('#f-from').evaluate((i) => i.validationMessage), '"From" must be on or before "To".');
  await page.waitForTimeout(500);
  assert.equal(asked, 0);
  clean(seen);
  await context.close();
});

test('first view: timing with the demo data (reported, not a threshold)', async () => {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    // A fresh context each time: an empty cache, as on a first visit of the
    // day; the token is already in the tab's session (as after sign-in).
    const { context, page, seen } = await open(browser, { session: { token: TOKENS.analyst, purpose: 'Automated browser test' } });
    // CPU time as well as wall time: on a busy machine the wall time is
    // mostly waiting for a core.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await page.goto(`${BASE}/`);
    await ready(page);
    const cpu = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    runs.push(await page.evaluate((c) => ({
      main_thread_cpu_ms: Math.round(c.ThreadTime * 1000),
      renderer_cpu_ms: Math.round(c.ProcessTime * 1000),
      script_ms: Math.round(c.ScriptDuration * 1000),
    }), cpu));
    Object.assign(runs[runs.length - 1], await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource');
      return {
        ready_ms: Math.round(performance.now()),
        dom_interactive_ms: Math.round(nav.domInteractive),
        dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd),
        load_ms: Math.round(nav.loadEventEnd),
        requests: res.length + 1,
        transferred_kb: Math.round((res.reduce((s, r) => s + r.transferSize, 0) + nav.transferSize) / 1024),
        decoded_kb: Math.round((res.reduce((s, r) => s + r.decodedBodySize, 0) + nav.decodedBodySize) / 1024),
        // The page's own marks: signed in (/me), districts, basemap drawn, ready.
        ...Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('cm-'))
          .map((m) => [`${m.name.slice(3).replace(/-/g, '_')}_ms`, Math.round(m.startTime)])),
      };
    }));
    clean(seen);
    await context.close();
  }
  const med = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  const summary = Object.fromEntries(Object.keys(runs[0]).map((k) => [k, med(k)]));
  console.log(`FIRST_VIEW median of ${runs.length}: ${JSON.stringify(summary)}`);
  console.log(`FIRST_VIEW runs: ${JSON.stringify(runs.map((r) => r.ready_ms))}`);
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(SHOTS, 'first-view.json'), JSON.stringify({ summary, runs }, null, 2));
  }
});
