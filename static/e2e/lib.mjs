// Shared set-up of the browser tests: one headless chromium, a fresh
// context per test, every request watched (nothing may leave the service's
// own host), every CSP violation and page error collected.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.CONTEXTMAP_BASE_URL;
export const SHOTS = process.env.CONTEXTMAP_SCREENSHOTS || '';
export const TOKENS = {
  analyst: process.env.CONTEXTMAP_TOKEN_ANALYST,
  police: process.env.CONTEXTMAP_TOKEN_POLICE,
  district: process.env.CONTEXTMAP_TOKEN_DISTRICT,
  partner: process.env.CONTEXTMAP_TOKEN_PARTNER,
  admin: process.env.CONTEXTMAP_TOKEN_ADMIN,
};

if (!BASE) {
  throw new Error('CONTEXTMAP_BASE_URL is not set: run these tests through `go test ./intel/httpapi -run TestWebMap` (make test), which starts the service');
}
export const HOST = new URL(BASE).host;

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CONTEXTMAP_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-default-apps'],
  });
}

// open gives a page with watchers: requests (all of them), foreign
// requests, CSP violations, page errors.
export async function open(browser, { viewport = { width: 1280, height: 800 }, session, allow = [HOST] } = {}) {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'Europe/London' });
  if (session) {
    await context.addInitScript(({ token, purpose }) => {
      sessionStorage.setItem('contextmap.token', token);
      if (purpose) sessionStorage.setItem('contextmap.purpose', purpose);
    }, session);
  }
  const page = await context.newPage();
  const seen = { requests: [], foreign: [], errors: [], csp: [], allow };
  page.on('request', (r) => {
    const u = new URL(r.url());
    seen.requests.push(r.url());
    if (!['data:', 'blob:'].includes(u.protocol) && !allow.includes(u.host)) seen.foreign.push(r.url());
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) seen.csp.push(m.text());
  });
  await page.exposeFunction('__cspViolation', (v) => seen.csp.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return { context, page, seen };
}

// clean asserts what every test must leave true: no request to another
// host, no CSP violation, no uncaught error.
export function clean(seen) {
  assert.deepEqual(seen.foreign, [], 'requests left the service\'s host');
  assert.deepEqual(seen.csp, [], 'Content Security Policy violations');
  assert.deepEqual(seen.errors, [], 'uncaught errors in the page');
  assert.ok(seen.requests.length > 0);
  for (const u of seen.requests) {
    const url = new URL(u);
    assert.ok(['data:', 'blob:'].includes(url.protocol) || (url.hostname === '127.0.0.1' && seen.allow.includes(url.host)), `request to ${u}`);
  }
}

// signIn fills the dialog as a person would.
export async function signIn(page, role, purpose = 'Automated browser test') {
  await page.goto(`${BASE}/`);
  await page.locator('#signin').waitFor({ state: 'visible' });
  await page.fill('#signin-token', TOKENS[role]);
  if (purpose) await page.fill('#signin-purpose', purpose);
  await page.click('#signin-submit');
  await ready(page);
}

export async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 30000 });
}

export async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name) });
}

// cells counts the hotspot cells drawn, by class.
export function cells(page, cls = 'cell') {
  return page.locator(`.leaflet-cells-pane path.${cls}`).count();
}

// waitForApi resolves with the next response of a path (and query match).
export function waitForApi(page, path, test = () => true) {
  return page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.pathname === path && test(u.searchParams);
  }, { timeout: 30000 });
}
