// Small DOM helpers. Nothing here sets a style attribute: the CSP forbids
// inline styles, so looks come from classes in app.css.

const SVG = 'http://www.w3.org/2000/svg';

// h builds an HTML element: h('button', {type: 'button', onclick: f}, 'Go').
export function h(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}

// s builds an SVG element.
export function s(tag, attrs = {}, ...children) {
  return build(document.createElementNS(SVG, tag), attrs, children, true);
}

function build(el, attrs, children, svg = false) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'class') {
      if (svg) el.setAttribute('class', v);
      else el.className = v;
    } else if (k === 'style') {
      throw new Error('inline styles are not allowed (CSP); use a class');
    } else if (!svg && k in el && typeof v !== 'string') {
      el[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (id) => document.getElementById(id);

// fmt formats a number for people: thousands separators, sensible decimals.
export function fmt(n, digits) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  if (typeof n !== 'number') return String(n);
  const d = digits ?? (Math.abs(n) >= 100 || Number.isInteger(n) ? 0 : Math.abs(n) >= 1 ? 1 : 3);
  return n.toLocaleString('en-GB', { maximumFractionDigits: d, minimumFractionDigits: 0 });
}

// words turns a code ("intelligence_report", "cse1") into words.
const WORDS = {
  cse1: 'CSE category 1', cse2: 'CSE category 2', cse3: 'CSE category 3', other: 'Other exploitation',
  early_help: 'Early Help', open_case: 'Open case', cin_plan: 'CiN plan', cp: 'CP plan', cla: 'CLA', not_open: 'Not open',
  missing_episode: 'Missing episodes', sighting: 'Sightings', incident: 'Incidents',
  intelligence_report: 'Intelligence reports', return_home_interview: 'Return home interviews', crime: 'Crimes',
  young_person: 'Young person', adult_of_concern: 'Adult of concern',
  gistar: 'Gi*', kde: 'KDE', count: 'Count',
};
export function words(code) {
  if (code === null || code === undefined) return '';
  if (WORDS[code]) return WORDS[code];
  const s = String(code).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}
