// The API client: adds the token and the stated purpose to every request,
// reports progress, cancels superseded requests, and turns failures into
// plain words.

const PURPOSE_HEADER = 'X-Purpose';

export class ApiError extends Error {
  constructor(message, status, problem) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

export class Api {
  constructor({ onActivity } = {}) {
    this.token = '';
    this.purpose = '';
    this.inflight = new Map(); // key -> {controller, label, started}
    this.onActivity = onActivity || (() => {});
    this.onUnauthorised = () => {};
  }

  // get fetches path (with params, dropping empty ones) as JSON. A second
  // request with the same key cancels the first: a slider being dragged
  // never leaves stale answers drawing over fresh ones.
  async get(path, params = {}, { key = path, label = 'data' } = {}) {
    const url = new URL(path, location.origin);
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined || v === null || v === '') continue;
      if (Array.isArray(v)) {
        if (v.length) url.searchParams.set(k, v.join(','));
      } else {
        url.searchParams.set(k, String(v));
      }
    }
    const prev = this.inflight.get(key);
    if (prev) prev.controller.abort();
    const controller = new AbortController();
    const entry = { controller, label, started: performance.now() };
    this.inflight.set(key, entry);
    this.onActivity(this.activity());
    const headers = { Accept: 'application/json, application/geo+json, application/problem+json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (this.purpose) headers[PURPOSE_HEADER] = this.purpose;
    try {
      let res;
      try {
        res = await fetch(url, { headers, signal: controller.signal, cache: 'no-store' });
      } catch (e) {
        if (e.name === 'AbortError') throw e;
        throw new ApiError(`Could not reach the contextmap service to load ${label}. Check the network connection and try again.`, 0);
      }
      const text = await res.text();
      let body = null;
      if (text) {
        try { body = JSON.parse(text); } catch { body = null; }
      }
      if (!res.ok) throw this.explain(res.status, body, label);
      return body;
    } finally {
      if (this.inflight.get(key) === entry) this.inflight.delete(key);
      this.onActivity(this.activity());
    }
  }

  // activity lists what is loading, for the status line.
  activity() {
    return [...this.inflight.values()].map((e) => e.label);
  }

  explain(status, problem, label) {
    const detail = problemDetail(problem);
    let msg;
    switch (status) {
      case 400:
        msg = `The request for ${label} was refused: ${detail || 'a setting is not valid'}.`;
        break;
      case 401:
        msg = 'Your token was not accepted (it is unknown, expired or revoked). Sign in again.';
        this.onUnauthorised();
        break;
      case 403:
        msg = `Your role may not see ${label}${detail ? `: ${detail}` : ''}.`;
        break;
      case 404:
        msg = `${capital(label)} could not be found${detail ? `: ${detail}` : ''}. It may have been removed, or be outside your districts.`;
        break;
      case 429:
        msg = 'Too many requests in a short time. Wait a minute and try again.';
        break;
      case 503:
        msg = 'The service cannot reach its database just now. Try again in a moment.';
        break;
      case 504:
        msg = `Loading ${label} took too long. Try a smaller area, a shorter date range or larger cells.`;
        break;
      default:
        msg = `Something went wrong loading ${label} (error ${status}). Try again; if it keeps happening, tell your administrator.`;
    }
    return new ApiError(msg, status, problem);
  }
}

// problemDetail turns an RFC 9457 problem into one sentence, naming each
// field and its reason.
export function problemDetail(p) {
  if (!p || typeof p !== 'object') return '';
  if (Array.isArray(p.errors) && p.errors.length) {
    return p.errors.map((e) => `${e.field ? `${e.field} ` : ''}${e.reason || ''}`.trim()).join('; ');
  }
  return p.detail || p.title || '';
}

function capital(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
