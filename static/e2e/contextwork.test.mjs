// Browser tests of context work on the web map: context cases, disruption
// actions and the felt-safety layer. The demo holds none of these, so the
// test writes a small, known set through the API with the analyst's token
// first (three cases, two actions at places, seven safety marks), checks
// what the page draws and says against it, and deletes it again.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TOKENS, launch, open, clean, ready, shot, waitForApi, cells } from './lib.mjs';

const PURPOSE = 'Automated browser test';
const CARLISLE = 'E07000028';

async function call(role, method, path, body) {
  const headers = { Authorization: `Bearer ${TOKENS[role]}`, 'X-Purpose': PURPOSE, Accept: 'application/json' };
  if (body) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${BASE}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// The constructed data.
const made = { cases: [], disruptions: [], marks: [] };
let placeA; // the busiest place of the demo's December 2020: its case and its closure order
let placeB;
let caseA;
let caseB;
let closure;
// Safety marks: cell A holds five young people's marks at one point, place
// B's (3 red, 1 amber, 1 green: felt safety (1 − 3) ÷ 5 = −0.4); cell B,
// about 3 km south, two young people's green marks: fewer than 5, so
// suppressed for partners.
let MARK_A;
let MARK_B;
const MARKED_ON = '2020-06-01';
const CLOSURE_ON = '2020-10-15';

before(async () => {
  const agenda = await call('analyst', 'GET', '/api/v1/conferences/agenda?as_of=2020-12-31');
  const rising = (agenda.rising || []).map((r) => r.context).filter((c) => c.type === 'place');
  assert.ok(rising.length > 0, 'the demo has places with rising activity in December 2020');
  placeA = rising[0].id;
  // Places B and C: the two nearest Carlisle's centre (so the screenshot
  // shows them, clear of the legend).
  const centre = [-2.935, 54.893];
  const dist = (p) => Math.hypot(p.geometry.coordinates[0] - centre[0], p.geometry.coordinates[1] - centre[1]);
  const places = (await call('analyst', 'GET', `/api/v1/places?district=${CARLISLE}&limit=200`)).items
    .filter((p) => p.id !== placeA && !p.sensitive && p.geometry && p.geometry.type === 'Point')
    .sort((a, b) => dist(a) - dist(b));
  placeB = places[0].id;
  const placeC = places[1].id;
  MARK_A = places[0].geometry.coordinates;
  MARK_B = [MARK_A[0], MARK_A[1] - 0.03];

  const caseOf = async (context, status, extra = {}) => {
    const c = await call('analyst', 'POST', '/api/v1/context-cases', {
      context_id: context, title: `Browser test case (${status})`, status, lead_agency: 'Youth service', opened_on: '2020-09-01', ...extra,
    });
    made.cases.push(c.id);
    return c;
  };
  caseA = await caseOf(placeA, 'assessing', {
    weighting: [{ context_id: placeA, rank: 1, reason: 'Where the harm happens' }, { context_id: placeB, rank: 2, reason: 'Where they gather first' }],
  });
  caseB = await caseOf(placeB, 'referred');
  await caseOf(placeC, 'closed', { closed_on: '2020-12-01' });
  // Case A's actions: one overdue, one open and not yet due, one done.
  const action = (description, due, done) => call('analyst', 'POST', `/api/v1/context-cases/${caseA.id}/actions`, { description, owner: 'Community safety', due_on: due, done_on: done });
  await action('Ask the council to light the path', '2020-10-01', null);
  await action('Detached youth work on Friday nights', '2099-01-01', null);
  await action('Meet the landowner', '2020-09-10', '2020-09-09');

  closure = await call('analyst', 'POST', '/api/v1/disruptions', {
    kind: 'closure_order', place_id: placeA, applied_on: CLOSURE_ON, expires_on: '2021-01-15', outcome: 'granted', lead_agency: 'Cumbria Police', context_case_id: caseA.id,
  });
  made.disruptions.push(closure.id);
  made.disruptions.push((await call('analyst', 'POST', '/api/v1/disruptions', {
    kind: 'licensing_review', place_id: placeB, applied_on: '2020-11-02', outcome: 'pending', lead_agency: 'Licensing',
  })).id);

  const young = (await call('analyst', 'GET', `/api/v1/people?kind=young_person&district=${CARLISLE}&limit=7`)).items.map((p) => p.id);
  assert.equal(young.length, 7);
  const mark = async (person, rating, at) => {
    const m = await call('analyst', 'POST', '/api/v1/safety-marks', { person_id: person, rating, geometry: { type: 'Point', coordinates: at }, recorded_on: MARKED_ON });
    made.marks.push(m.id);
  };
  for (const [i, r] of ['red', 'red', 'red', 'amber', 'green'].entries()) await mark(young[i], r, MARK_A);
  await mark(young[5], 'green', MARK_B);
  await mark(young[6], 'green', MARK_B);
});

after(async () => {
  for (const id of made.disruptions) await call('analyst', 'DELETE', `/api/v1/disruptions/${id}`).catch(() => {});
  for (const id of made.marks) await call('analyst', 'DELETE', `/api/v1/safety-marks/${id}`).catch(() => {});
  for (const id of made.cases) await call('analyst', 'DELETE', `/api/v1/context-cases/${id}`).catch(() => {});
});

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function analystPage() {
  const o = await open(browser, { session: { token: TOKENS.analyst, purpose: PURPOSE } });
  await o.page.goto(`${BASE}/`);
  await ready(o.page);
  // The constructed dates lie in the page's date range (the demo's span).
  const from = await o.page.inputValue('#f-from');
  const to = await o.page.inputValue('#f-to');
  assert.ok(from <= MARKED_ON && CLOSURE_ON <= to, `the demo's range ${from}..${to} holds the test's dates`);
  return o;
}

const idle = (page) => page.waitForFunction(() => !document.body.hasAttribute('aria-busy'));

test('context cases: one marker per case by status, and a case\'s weighting and actions by mouse and keyboard', async () => {
  const { context, page, seen } = await analystPage();
  const res = waitForApi(page, '/api/v1/maps/context-cases', (q) => q.get('status') === 'open');
  await page.check('#l-cases');
  const json = await (await res).json();
  assert.equal(json.numberReturned, 2, 'two open cases constructed');
  await page.locator('.leaflet-context-pane .cw-case').first().waitFor();
  assert.equal(await page.locator('.leaflet-context-pane .cw-case').count(), 2);
  assert.equal(await page.locator('.leaflet-context-pane .cw-case.st-assessing').count(), 1);
  assert.equal(await page.locator('.leaflet-context-pane .cw-case.st-referred').count(), 1);
  assert.match(await page.locator('#c-note').textContent(), /2 open context cases on the map/);
  assert.match(await page.locator('#legend').textContent(), /Case: Assessing/);

  // Closed cases too: three markers, the closed one faint.
  const all = waitForApi(page, '/api/v1/maps/context-cases', (q) => !q.has('status'));
  await page.check('#c-closed');
  await all;
  await page.waitForFunction(() => document.querySelectorAll('.leaflet-context-pane .cw-case').length === 3);
  assert.equal(await page.locator('.leaflet-context-pane .cw-case.st-closed').count(), 1);

  // Click case A: status, lead agency, actions as the map layer counts
  // them, then the weighting and the actions from the case itself.
  const props = json.features.find((f) => f.id === caseA.id).properties;
  assert.equal(props.open_actions, 2);
  assert.equal(props.overdue_actions, 1);
  const detail = waitForApi(page, `/api/v1/context-cases/${caseA.id}`);
  await page.locator(`.leaflet-context-pane .cw-case[data-id="${caseA.id}"]`).click();
  assert.equal((await detail).status(), 200);
  await page.locator('#case-weighting').waitFor();
  assert.equal(await page.locator('#tab-context').getAttribute('aria-selected'), 'true');
  assert.equal(await page.locator('#case-status').textContent(), 'Assessing');
  assert.equal(await page.locator('#case-lead').textContent(), 'Youth service');
  assert.equal(await page.locator('#case-actions').textContent(), `${props.open_actions} open actions, ${props.overdue_actions} overdue`);
  assert.deepEqual((await page.locator('#case-weighting li').allTextContents()).map((t) => t.replace(/^.*: /, '')), ['Where the harm happens', 'Where they gather first']);
  assert.equal(await page.locator('#case-action-list li').count(), 3);
  assert.match(await page.locator('#case-action-list li.overdue').textContent(), /light the path.*\(overdue\)/);

  // Keyboard: Tab to case B's marker, Enter.
  const markerB = page.locator(`.leaflet-context-pane .cw-case[data-id="${caseB.id}"]`);
  assert.match(await markerB.getAttribute('aria-label'), /Context case: .*Referred.*Press Enter/);
  const detailB = waitForApi(page, `/api/v1/context-cases/${caseB.id}`);
  await markerB.focus();
  await page.keyboard.press('Enter');
  assert.equal((await detailB).status(), 200);
  await page.locator('#case-status', { hasText: 'Referred' }).waitFor();
  clean(seen);
  await context.close();
});

test('disruptions: markers by kind; clicking one gives the activity before and after it, as the API counts it', async () => {
  const { context, page, seen } = await analystPage();
  const res = waitForApi(page, '/api/v1/maps/disruptions');
  await page.check('#l-disrupt');
  assert.equal((await (await res).json()).numberReturned, 2);
  await page.locator('.leaflet-context-pane .cw-disrupt').first().waitFor();
  assert.equal(await page.locator('.leaflet-context-pane .cw-disrupt').count(), 2);
  assert.equal(await page.locator('.leaflet-context-pane .cw-disrupt.k-closure_order.active').count(), 0, 'expired in January 2021: not in force now');
  assert.equal(await page.locator('.leaflet-context-pane .cw-disrupt.k-licensing_review').textContent(), 'LR');
  assert.match(await page.locator('#legend').textContent(), /CO: Closure order/);

  const impact = waitForApi(page, `/api/v1/disruptions/${closure.id}/impact`, (q) => q.get('months') === '3' && q.get('radius') === '500');
  await page.locator(`.leaflet-context-pane .cw-disrupt[data-id="${closure.id}"]`).click();
  const r = await impact;
  assert.equal(r.status(), 200);
  const m = await r.json();
  assert.ok(m.before.events > 0, `events around the busiest place before the order: ${m.before.events}`);
  await page.locator('#impact-before').waitFor();
  assert.equal(await page.locator('#context-title').textContent(), 'Closure order');
  assert.equal(await page.locator('#disrupt-applied').textContent(), CLOSURE_ON);
  assert.match(await page.locator('#disrupt-outcome').textContent(), /^Granted/);
  const perMonth = (x) => x.toLocaleString('en-GB', { maximumFractionDigits: 2 });
  const say = (n, word) => `${n} ${n === 1 ? word : `${word}s`}`;
  const before = await page.locator('#impact-before').textContent();
  const afterText = await page.locator('#impact-after').textContent();
  assert.ok(before.startsWith(`${say(m.before.events, 'event')} — ${perMonth(m.before.per_month)} a month`), `before: ${before} vs ${JSON.stringify(m.before)}`);
  assert.ok(afterText.startsWith(`${say(m.after.events, 'event')} — ${perMonth(m.after.per_month)} a month`), `after: ${afterText} vs ${JSON.stringify(m.after)}`);
  assert.match(await page.locator('#pane-context').textContent(), new RegExp(`3 months before \\(${m.before.from} to ${m.before.to}`));
  const change = await page.locator('#impact-change').textContent();
  if (m.change_pct === null) assert.match(change, /No change can be given/);
  else assert.match(change, new RegExp(`${m.change_pct < 0 ? 'fell' : 'rose'} by ${Math.abs(m.change_pct).toLocaleString('en-GB', { maximumFractionDigits: 1 })}%`));

  // Six months instead: asked for, and the words follow.
  const six = waitForApi(page, `/api/v1/disruptions/${closure.id}/impact`, (q) => q.get('months') === '6');
  await page.selectOption('#impact-months', '6');
  const m6 = await (await six).json();
  await page.locator('#pane-context', { hasText: `6 months before (${m6.before.from}` }).waitFor();
  assert.ok((await page.locator('#impact-before').textContent()).startsWith(say(m6.before.events, 'event')));

  // The place's own profile lists the actions at it.
  const profile = waitForApi(page, `/api/v1/places/${placeA}/profile`);
  await page.click('#disrupt-place');
  const pj = await (await profile).json();
  assert.equal(pj.disruptions.total, 1, 'one action at the busiest place');
  await page.locator('#place-disruptions').waitFor();
  assert.equal(await page.locator('#place-disruptions').textContent(), 'Disruption actions (1)');
  const placePane = await page.locator('#pane-place').textContent();
  assert.match(placePane, /Closure order.*2021-01-15.*Granted.*Cumbria Police/s);
  clean(seen);
  await context.close();
});

test('felt safety: cells with a legend, on top of the hotspots, with an opacity control', async () => {
  const { context, page, seen } = await analystPage();
  const res = waitForApi(page, '/api/v1/maps/felt-safety', (q) => q.get('grid') === 'hex' && q.get('cell') === '1000');
  await page.check('#l-safety');
  const json = await (await res).json();
  assert.equal(json.numberReturned, 2, 'two cells with marks');
  await page.locator('.leaflet-safety-pane path.safety-cell').first().waitFor();
  assert.equal(await page.locator('.leaflet-safety-pane path.safety-cell').count(), 2);
  assert.equal(await page.locator('.leaflet-safety-pane path.safety-suppressed').count(), 0, 'an analyst sees every cell');
  // Cell A: felt safety −0.4, "more red than green" (class 1, #fc8d59);
  // cell B: all green (class 4).
  assert.deepEqual(json.features.map((f) => f.properties.felt_safety).sort(), [-0.4, 1]);
  assert.equal(await page.locator('.leaflet-safety-pane path.safety-s1').getAttribute('fill'), '#fc8d59');
  assert.equal(await page.locator('.leaflet-safety-pane path.safety-s4').count(), 1);
  const legend = await page.locator('#legend').textContent();
  assert.match(legend, /Felt safety/);
  assert.match(legend, /Felt unsafe: mostly red marks/);
  assert.match(legend, /Events per cell/, 'the hotspot legend stays: both layers are on');
  assert.ok(await cells(page) > 10, 'hotspot cells still drawn beneath');
  assert.match(await page.locator('#s-note').textContent(), /2 hexagons of 1 km/);

  // Opacity: restyled at once, no new request.
  let asked = 0;
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/maps/felt-safety') asked++; });
  await page.locator('#s-opacity').fill('30');
  assert.equal(await page.locator('.leaflet-safety-pane path.safety-s1').getAttribute('fill-opacity'), '0.3');
  assert.equal(asked, 0);

  // For the screenshot: Carlisle, cases and actions on, and the licensing
  // review at place B (in Carlisle) opened from the keyboard.
  await page.locator('#s-opacity').fill('70');
  const inCarlisle = waitForApi(page, '/api/v1/maps/felt-safety', (q) => q.get('district') === CARLISLE);
  await page.selectOption('#f-district', CARLISLE);
  await inCarlisle;
  await page.check('#l-cases');
  await page.check('#l-disrupt');
  const review = page.locator('.leaflet-context-pane .cw-disrupt.k-licensing_review');
  await review.waitFor();
  await review.focus();
  await page.keyboard.press('Enter');
  await page.locator('#impact-before').waitFor();
  // Zoom in on the marks with the mouse wheel (Leaflet keeps the point
  // under the pointer still).
  const box = await page.locator('.leaflet-safety-pane path.safety-s1').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 2; i++) {
    await page.mouse.wheel(0, -100);
    await page.waitForTimeout(300);
  }
  await page.mouse.move(320, 700); // away, so no tooltip covers the map
  await page.evaluate(() => document.activeElement.blur());
  await idle(page);
  await page.waitForTimeout(500);
  await shot(page, 'contextwork.png');
  clean(seen);
  await context.close();
});

test('a partner: context cases and disruptions explained as not for the role; suppressed felt-safety cells hatched', async () => {
  const { context, page, seen } = await open(browser, { session: { token: TOKENS.partner } });
  await page.goto(`${BASE}/`);
  await ready(page);
  for (const id of ['#l-cases', '#l-disrupt']) assert.ok(await page.locator(id).isDisabled(), `${id} is disabled for a partner`);
  assert.match(await page.locator('#c-note').textContent(), /Not available to your role/);
  const res = waitForApi(page, '/api/v1/maps/felt-safety');
  await page.check('#l-safety');
  const json = await (await res).json();
  assert.equal(json.suppression_applied, true);
  assert.equal(json.numberReturned, 2);
  await page.locator('.leaflet-safety-pane path.safety-cell').first().waitFor();
  assert.equal(await page.locator('.leaflet-safety-pane path.safety-cell').count(), 2, 'the suppressed cell is drawn, not left out');
  const supp = page.locator('.leaflet-safety-pane path.safety-suppressed');
  assert.equal(await supp.count(), 1, 'cell B (two young people) is suppressed');
  assert.equal(await supp.getAttribute('fill'), 'url(#cm-hatch)');
  assert.equal(await page.locator('.leaflet-safety-pane path.safety-s1').count(), 1, 'cell A (five young people) is shown');
  assert.match(await page.locator('#legend').textContent(), /Suppressed: fewer than 5 young people/);
  assert.match(await page.locator('#s-note').textContent(), /1 hatched: fewer than 5 young people/);
  await supp.hover();
  await page.locator('.leaflet-tooltip', { hasText: /Felt safety suppressed/ }).waitFor();
  assert.equal(await page.locator('.alert').count(), 0, 'no error shown');
  clean(seen);
  await context.close();
});
