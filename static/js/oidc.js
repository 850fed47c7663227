// Browser sign-in with OpenID Connect: the authorisation code flow with
// PKCE (RFC 7636) for a public client, as Entra ID's "single-page
// application" platform expects. The access token is then used exactly as a
// pasted API token. Needs a secure context (https, or http on localhost)
// for crypto.subtle.

const KEY = 'contextmap.oidc';

function b64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random(n) {
  return b64url(crypto.getRandomValues(new Uint8Array(n)));
}

function redirectURI() {
  return `${location.origin}/`;
}

// oidcStart sends the browser to the provider.
export async function oidcStart(config) {
  const o = config.oidc;
  if (!crypto.subtle) throw new Error('Organisation sign-in needs the page to be served over https.');
  const verifier = random(48);
  const state = random(16);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(KEY, JSON.stringify({ verifier, state }));
  const u = new URL(o.authorization_endpoint);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', o.client_id);
  u.searchParams.set('redirect_uri', redirectURI());
  u.searchParams.set('scope', o.scope || 'openid');
  u.searchParams.set('state', state);
  u.searchParams.set('code_challenge', challenge);
  u.searchParams.set('code_challenge_method', 'S256');
  location.assign(u.toString());
}

// oidcFinish completes a sign-in when the provider has sent the browser
// back with a code; resolves with {token} or null when there is nothing to
// finish.
export async function oidcFinish(config) {
  const q = new URLSearchParams(location.search);
  if (!q.has('code') && !q.has('error')) return null;
  const saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');
  sessionStorage.removeItem(KEY);
  history.replaceState(null, '', location.pathname); // the code is single use: drop it from the address bar
  if (q.has('error')) {
    throw new Error(`Sign-in was refused by your organisation: ${q.get('error_description') || q.get('error')}`);
  }
  if (!config.oidc || !saved || saved.state !== q.get('state')) {
    throw new Error('This sign-in response does not match a sign-in started here. Please sign in again.');
  }
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: q.get('code'),
    redirect_uri: redirectURI(),
    client_id: config.oidc.client_id,
    code_verifier: saved.verifier,
  });
  let res;
  try {
    res = await fetch(config.oidc.token_endpoint, { method: 'POST', body });
  } catch {
    throw new Error('Could not reach your organisation\'s sign-in service. Check the network connection.');
  }
  const tok = await res.json().catch(() => ({}));
  if (!res.ok || !tok.access_token) {
    throw new Error(`Your organisation's sign-in service did not give a token: ${tok.error_description || tok.error || res.status}`);
  }
  return { token: tok.access_token };
}
