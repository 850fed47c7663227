// Sign-in: paste a token (or, where configured, sign in with the
// organisation's OpenID Connect provider), and state a purpose. The token
// and purpose live in sessionStorage: gone when the tab closes.

import { $ } from './dom.js';
import { oidcStart, oidcFinish } from './oidc.js';

const TOKEN = 'contextmap.token';
const PURPOSE = 'contextmap.purpose';

// signIn resolves with the caller's /me once a token is accepted.
export async function signIn(api, config) {
  const finished = await oidcFinish(config).catch((e) => {
    $('signin-error').textContent = e.message;
    return null;
  });
  if (finished) sessionStorage.setItem(TOKEN, finished.token);

  const saved = sessionStorage.getItem(TOKEN);
  if (saved) {
    api.token = saved;
    api.purpose = sessionStorage.getItem(PURPOSE) || '';
    try {
      const me = await api.get('/api/v1/me', {}, { label: 'your role' });
      if (!me.person_level || api.purpose) return me;
      // A person-level role with no purpose yet (e.g. back from the OIDC
      // provider): ask for it, keep the token.
      return await askPurpose(api, me);
    } catch (e) {
      sessionStorage.removeItem(TOKEN);
      $('signin-error').textContent = e.message;
    }
  }
  return dialog(api, config);
}

function dialog(api, config) {
  const dlg = $('signin');
  const form = $('signin-form');
  const err = $('signin-error');
  if (config.oidc) {
    const b = $('signin-oidc');
    b.hidden = false;
    if (config.oidc.label) b.textContent = `Sign in with ${config.oidc.label}`;
    b.onclick = () => {
      const purpose = $('signin-purpose').value.trim();
      if (purpose) sessionStorage.setItem(PURPOSE, purpose);
      oidcStart(config).catch((e) => { err.textContent = e.message; });
    };
  }
  $('signin-purpose').value = sessionStorage.getItem(PURPOSE) || '';
  dlg.addEventListener('cancel', (e) => e.preventDefault()); // Escape does not skip sign-in
  dlg.showModal();
  return new Promise((resolve) => {
    form.onsubmit = async (e) => {
      e.preventDefault();
      err.textContent = '';
      const token = $('signin-token').value.trim();
      const purpose = $('signin-purpose').value.trim();
      if (!token) {
        err.textContent = 'Paste your token first.';
        return;
      }
      api.token = token;
      api.purpose = purpose;
      $('signin-submit').disabled = true;
      try {
        const me = await api.get('/api/v1/me', {}, { label: 'your role' });
        if (me.person_level && !purpose) {
          err.textContent = `As ${article(me.role)} ${me.role} you can see information about people: state your purpose before going on.`;
          $('signin-purpose').focus();
          return;
        }
        sessionStorage.setItem(TOKEN, token);
        sessionStorage.setItem(PURPOSE, purpose);
        $('signin-token').value = '';
        dlg.close();
        resolve(me);
      } catch (ex) {
        err.textContent = ex.message;
      } finally {
        $('signin-submit').disabled = false;
      }
    };
  });
}

// askPurpose asks (again) for the purpose; resolves with me.
export function askPurpose(api, me) {
  const dlg = $('purpose-dialog');
  const input = $('purpose-input');
  input.value = api.purpose;
  $('purpose-cancel').hidden = !api.purpose; // first time: no way round it
  dlg.showModal();
  return new Promise((resolve) => {
    $('purpose-cancel').onclick = () => { dlg.close(); resolve(me); };
    $('purpose-form').onsubmit = (e) => {
      e.preventDefault();
      const p = input.value.trim();
      if (!p) return;
      api.purpose = p;
      sessionStorage.setItem(PURPOSE, p);
      dlg.close();
      resolve(me);
    };
  });
}

export function signOut() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(PURPOSE);
  location.replace(location.pathname);
}

export function article(word) {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}
