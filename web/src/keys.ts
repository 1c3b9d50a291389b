// Signer keys for acting: read from a local file with FileReader (never uploaded, kept in
// memory only), then used to sign envelopes in the browser (JCS + Ed25519, FORMATS.md).
import { postEvent, type Receipt } from './api';
import { addSigner, getSigners, getWhoami, removeSigner } from './session';
import { buildEnvelope, keyIdHex, type Envelope, type Json, type SignerKey } from './verify';
import { errorBox, h } from './ui';

export function keyPanel(): HTMLElement {
  const status = h('span', { class: 'key-status' });
  const input = h('input', {
    type: 'file',
    id: 'signer-key-file',
    'data-testid': 'signer-key-file',
    'aria-label': 'signer key file',
  }) as HTMLInputElement;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => {
      try {
        const k = addSigner(String(reader.result));
        const w = getWhoami();
        if (w && k.name !== w.party) {
          status.replaceChildren(
            h('span', { class: 'warn-text' }, `loaded ${k.name}; note: the token is ${w.party}'s`),
          );
        }
      } catch (e) {
        status.replaceChildren(errorBox(e, 'Signer key'));
      }
      input.value = '';
    };
    reader.onerror = () => status.replaceChildren(errorBox(reader.error, 'Signer key'));
    reader.readAsText(file);
  });
  const loaded = getSigners();
  return h(
    'div',
    { class: 'key-panel' },
    h('label', { for: 'signer-key-file' }, 'Signer key (stays in this browser): '),
    input,
    loaded.length
      ? h(
          'span',
          { 'data-testid': 'signers' },
          loaded.map((k) =>
            h(
              'span',
              { class: 'badge ok key' },
              `${k.name}+${keyIdHex(k.id)} `,
              h('button', { class: 'link', title: 'forget this key', onclick: () => removeSigner(k) }, '×'),
            ),
          ),
        )
      : h('span', { class: 'muted' }, 'no key loaded: actions need one'),
    status,
  );
}

// The loaded key of the signed-in party, else the first loaded key; null when none.
export function actingKey(): SignerKey | null {
  const all = getSigners();
  const w = getWhoami();
  return all.find((k) => k.name === w?.party) ?? all[0] ?? null;
}

export function requireKey(): SignerKey {
  const k = actingKey();
  if (!k) throw new Error('load your signer key file first (the key panel above): actions are signed in the browser');
  return k;
}

// Builds, signs and submits one event; returns the envelope and its receipt.
export async function signAndSubmit(
  type: string,
  body: { [k: string]: Json },
  signers: SignerKey[],
): Promise<{ envelope: Envelope; receipt: Receipt }> {
  const envelope = buildEnvelope(type, body, signers);
  const receipt = await postEvent(envelope);
  return { envelope, receipt };
}

export function receiptNote(r: Receipt): HTMLElement {
  return h(
    'div',
    { class: 'ok-box', role: 'status', 'data-testid': 'receipt' },
    `Logged as event ${r.seq} (${r.id.slice(0, 19)}…). `,
    h('a', { href: `#/ledger?seq=${r.seq}` }, 'Verify it in the ledger'),
  );
}
