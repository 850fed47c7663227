// The page's common furniture: the status line (what is loading), alerts
// (what failed, in plain words, with a retry), and the details tabs.

import { $, h, clear } from './dom.js';

let idle = 'Ready';

// showActivity updates the status line from the API's in-flight labels.
export function showActivity(labels) {
  const st = $('status');
  if (labels.length) {
    st.classList.add('busy');
    st.textContent = `Loading ${[...new Set(labels)].join(', ')}…`;
    document.body.setAttribute('aria-busy', 'true');
  } else {
    st.classList.remove('busy');
    st.textContent = idle;
    document.body.removeAttribute('aria-busy');
  }
}

export function setIdleText(t) {
  idle = t;
  if (!$('status').classList.contains('busy')) $('status').textContent = t;
}

// alert shows an error with an optional retry; one alert per key, so
// repeated failures of the same layer do not pile up.
export function alert(key, message, retry) {
  const box = $('alerts');
  dismiss(key);
  const item = h('div', { class: 'alert', 'data-key': key },
    h('p', {}, message),
    retry ? h('button', { type: 'button', onclick: () => { dismiss(key); retry(); } }, 'Try again') : null,
    h('button', { type: 'button', 'aria-label': 'Dismiss this message', onclick: () => dismiss(key) }, 'Dismiss'));
  box.append(item);
}

export function dismiss(key) {
  for (const el of $('alerts').querySelectorAll('.alert')) {
    if (el.dataset.key === key) el.remove();
  }
}

// report runs an async loader and turns its failure into an alert;
// cancelled requests (superseded by newer ones) are silent.
export async function report(key, fn) {
  try {
    const r = await fn();
    dismiss(key);
    return r;
  } catch (e) {
    if (e.name === 'AbortError') return undefined;
    alert(key, e.message || String(e), () => report(key, fn));
    return undefined;
  }
}

// Tabs: arrow keys move between them (WAI-ARIA tabs pattern).
export function initTabs() {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  const select = (tab, focus) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (focus) tab.focus();
    tab.dispatchEvent(new CustomEvent('tabshown', { bubbles: true }));
  };
  for (const t of tabs) {
    t.addEventListener('click', () => select(t, false));
    t.addEventListener('keydown', (e) => {
      const i = tabs.indexOf(t);
      let j = null;
      if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
      if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
      if (e.key === 'Home') j = 0;
      if (e.key === 'End') j = tabs.length - 1;
      if (j !== null) {
        e.preventDefault();
        select(tabs[j], true);
      }
    });
  }
  return (id) => select($(id), false);
}

// pane fills a details pane.
export function pane(id, ...children) {
  return clear($(id), ...children);
}
