// Filters: date range, a month-by-month slider that can play, district,
// event kinds, categories and minimum grading. Layers subscribe and get the
// current selection; params() turns it into query parameters.

import { $, h, clear, words, debounce } from './dom.js';

// Crimes (police.uk context) are a hotspot layer of their own, chosen in the
// hotspot controls, never mixed with events involving young people.
export const EVENT_KINDS = ['missing_episode', 'sighting', 'incident', 'intelligence_report', 'return_home_interview'];
export const CATEGORIES = ['cse1', 'cse2', 'cse3', 'other'];
const PLAY_STEP_MS = 1200;

function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

function monthStart(s) {
  const d = new Date(`${s.slice(0, 7)}-01T00:00:00Z`);
  return d;
}

function addMonths(d, n) {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
}

const MONTH_FMT = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

export class Filters {
  constructor() {
    this.listeners = [];
    this.months = []; // Date of each month's first day
    this.month = null; // index into months, or null for the whole range
    this.range = null; // {from, to} the data's extent, when known
    this.playing = false;
    this.districtNames = {};
  }

  init(districts) {
    const sel = $('f-district');
    for (const d of districts) {
      sel.append(h('option', { value: d.code }, d.name));
      this.districtNames[d.code] = d.name;
    }
    clear($('f-kinds'), EVENT_KINDS.map((k) => h('label', {}, h('input', { type: 'checkbox', value: k, checked: true }), words(k))));
    clear($('f-categories'), CATEGORIES.map((k) => h('label', {}, h('input', { type: 'checkbox', value: k, checked: true }), words(k))));
    const changed = () => this.emit();
    for (const id of ['f-district', 'f-grade']) $(id).addEventListener('change', changed);
    for (const id of ['f-kinds', 'f-categories']) {
      $(id).addEventListener('change', () => {
        this.summarise();
        changed();
      });
    }
    for (const id of ['f-from', 'f-to']) {
      $(id).addEventListener('change', () => {
        // A range the wrong way round is refused here, in words, before
        // anything is asked of the service.
        const from = $('f-from');
        const to = $('f-to');
        from.setCustomValidity('');
        to.setCustomValidity('');
        if (from.value && to.value && from.value > to.value) {
          $(id).setCustomValidity('"From" must be on or before "To".');
          $(id).reportValidity();
          return;
        }
        this.month = null;
        this.buildMonths();
        this.emit();
      });
    }
    const slide = debounce(() => this.emit(), 250);
    $('f-month').addEventListener('input', () => {
      this.month = Number($('f-month').value);
      this.showMonth();
      slide();
    });
    $('f-play').addEventListener('click', () => (this.playing ? this.stop() : this.play()));
    $('f-whole').addEventListener('click', () => {
      this.stop();
      this.month = null;
      this.showMonth();
      this.emit();
    });
  }

  summarise() {
    for (const [id, all] of [['f-kinds', EVENT_KINDS], ['f-categories', CATEGORIES]]) {
      const on = [...$(id).querySelectorAll('input:checked')].map((i) => words(i.value));
      $(`${id}-sum`).textContent = on.length === all.length ? 'all' : on.length === 0 ? 'none' : on.join(', ');
    }
  }

  // setRange gives the data's extent (first and last month with events).
  setRange(from, to) {
    this.range = { from, to };
    if (!$('f-from').value) $('f-from').value = from;
    if (!$('f-to').value) $('f-to').value = to;
    this.buildMonths();
  }

  buildMonths() {
    const from = $('f-from').value;
    const to = $('f-to').value;
    this.months = [];
    if (from && to && from <= to) {
      for (let m = monthStart(from); m <= monthStart(to) && this.months.length < 600; m = addMonths(m, 1)) this.months.push(m);
    }
    const r = $('f-month');
    r.max = String(Math.max(0, this.months.length - 1));
    r.disabled = this.months.length < 2;
    $('f-play').disabled = this.months.length < 2;
    if (this.month !== null && this.month >= this.months.length) this.month = null;
    this.showMonth();
  }

  showMonth() {
    const out = $('f-month-label');
    if (this.month === null) {
      out.textContent = 'whole range';
      $('f-month').value = '0';
      $('f-month').setAttribute('aria-valuetext', 'whole range');
    } else {
      const label = MONTH_FMT.format(this.months[this.month]);
      out.textContent = label;
      $('f-month').value = String(this.month);
      $('f-month').setAttribute('aria-valuetext', label);
    }
  }

  async play() {
    if (this.months.length < 2) return;
    this.playing = true;
    $('f-play').textContent = 'Pause';
    $('f-play').setAttribute('aria-pressed', 'true');
    if (this.month === null || this.month >= this.months.length - 1) this.month = -1;
    while (this.playing) {
      this.month += 1;
      if (this.month >= this.months.length) {
        this.month = this.months.length - 1;
        break;
      }
      this.showMonth();
      const t0 = performance.now();
      await this.emit(); // wait for the layers, so playing never outruns the data
      const left = PLAY_STEP_MS - (performance.now() - t0);
      if (left > 0) await new Promise((r) => setTimeout(r, left));
    }
    this.stop();
  }

  stop() {
    this.playing = false;
    $('f-play').textContent = 'Play';
    $('f-play').setAttribute('aria-pressed', 'false');
  }

  // selection is the current filter state.
  get() {
    let from = $('f-from').value || null;
    let to = $('f-to').value || null;
    if (this.month !== null && this.months[this.month]) {
      const m = this.months[this.month];
      from = isoDate(m);
      to = isoDate(new Date(addMonths(m, 1) - 86400000));
    }
    const checked = (id) => [...$(id).querySelectorAll('input:checked')].map((i) => i.value);
    const kinds = checked('f-kinds');
    const categories = checked('f-categories');
    return {
      from,
      to,
      month: this.month !== null ? MONTH_FMT.format(this.months[this.month]) : null,
      district: $('f-district').value || null,
      // All ticked means no filter (and keeps the URLs short).
      kinds: kinds.length === EVENT_KINDS.length ? [] : kinds,
      categories: categories.length === CATEGORIES.length ? [] : categories,
      noKinds: kinds.length === 0,
      noCategories: categories.length === 0,
      minGrade: $('f-grade').value || null,
    };
  }

  // describe is the selection in words, for headings and the status line.
  describe() {
    const f = this.get();
    const parts = [];
    if (f.month) parts.push(f.month);
    else if (f.from || f.to) parts.push(`${f.from || 'start'} to ${f.to || 'now'}`);
    parts.push(f.district ? this.districtNames[f.district] || f.district : 'all districts');
    if (f.kinds.length) parts.push(f.kinds.map(words).join(', ').toLowerCase());
    if (f.categories.length) parts.push(f.categories.map(words).join(', '));
    if (f.minGrade) parts.push(`graded ${f.minGrade} or better`);
    return parts.join(' · ');
  }

  onChange(fn) {
    this.listeners.push(fn);
  }

  emit() {
    const f = this.get();
    return Promise.all(this.listeners.map((fn) => Promise.resolve(fn(f)).catch(() => {})));
  }
}

// params turns a selection into the hotspot API's query parameters
// (docs/HOTSPOTS.md): kinds and categories as comma lists.
export function params(f) {
  return {
    from: f.from,
    to: f.to,
    district: f.district,
    kinds: f.kinds,
    categories: f.categories,
    min_grade: f.minGrade,
  };
}
