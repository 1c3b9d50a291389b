// Sign-in: paste an API token (kept in sessionStorage) and, for the verifier, the log's
// public key (aidtrace init prints it): the trust anchor for checkpoints.
import { getJson } from '../api';
import { getLogKeyText, setLogKey, setToken, setWhoami, type WhoAmI } from '../session';
import { errorBox, h } from '../ui';

export function signInPage(main: HTMLElement): void {
  const token = h('input', {
    type: 'password',
    id: 'token',
    name: 'token',
    autocomplete: 'off',
    placeholder: 'the token printed by aidtrace token create',
    'data-testid': 'token',
  }) as HTMLInputElement;
  const logKey = h('input', {
    type: 'text',
    id: 'log-key',
    name: 'log-key',
    value: getLogKeyText(),
    placeholder: 'origin+1234abcd+AbC… (printed by aidtrace init)',
    'data-testid': 'log-key',
  }) as HTMLInputElement;
  const msg = h('div');
  const form = h(
    'form',
    { class: 'signin card' },
    h('h2', null, 'Sign in'),
    h('p', null, 'Paste your API token. It stays in this tab (sessionStorage) and is sent only to this server.'),
    h('label', { for: 'token' }, 'API token'),
    token,
    h('label', { for: 'log-key' }, 'Trusted log key (for verifying proofs in the browser)'),
    logKey,
    h('button', { type: 'submit', 'data-testid': 'signin' }, 'Sign in'),
    msg,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      msg.replaceChildren();
      try {
        setLogKey(logKey.value);
      } catch (e) {
        msg.replaceChildren(errorBox(e, 'Log key'));
        return;
      }
      setToken(token.value);
      try {
        const w = await getJson<WhoAmI>('/v1/whoami');
        setWhoami(w);
        location.hash = '#/overview';
      } catch (e) {
        setToken(null);
        msg.replaceChildren(errorBox(e, 'Sign-in'));
      }
    })();
  });
  main.replaceChildren(h('div', { class: 'page', 'data-page': 'signin' }, form));
}
