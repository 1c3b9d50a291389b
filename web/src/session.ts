// What the browser keeps: the API token (sessionStorage: gone with the tab), the log key
// the user trusts (localStorage: it is public), and signer keys (memory only: read from
// a local file with FileReader, never stored, never sent).
import { parseSignerKey, parseVerifierKey, type SignerKey, type VerifierKey } from './verify';

const TOKEN = 'aidtrace.token';
const LOG_KEY = 'aidtrace.logKey';

export interface WhoAmI {
  party: string;
  role: string;
  personal_data: boolean;
  name: string;
}

let whoami: WhoAmI | null = null;
const signers: SignerKey[] = [];
const listeners: (() => void)[] = [];

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN);
}
export function setToken(t: string | null): void {
  if (t) sessionStorage.setItem(TOKEN, t.trim());
  else sessionStorage.removeItem(TOKEN);
  whoami = null;
}
export function getWhoami(): WhoAmI | null {
  return whoami;
}
export function setWhoami(w: WhoAmI | null): void {
  whoami = w;
  changed();
}

export function getLogKeyText(): string {
  return localStorage.getItem(LOG_KEY) ?? '';
}
export function getLogKey(): VerifierKey | null {
  const t = getLogKeyText();
  if (!t) return null;
  try {
    return parseVerifierKey(t);
  } catch {
    return null;
  }
}
// Throws a VerifyError when the text is not a verifier key.
export function setLogKey(text: string): void {
  const t = text.trim();
  if (t === '') {
    localStorage.removeItem(LOG_KEY);
    return;
  }
  parseVerifierKey(t);
  localStorage.setItem(LOG_KEY, t);
}

export function getSigners(): SignerKey[] {
  return signers.slice();
}
// Parses a key file's text and keeps the key in memory; throws on a bad key.
export function addSigner(text: string): SignerKey {
  const k = parseSignerKey(text);
  const i = signers.findIndex((s) => s.name === k.name && s.id === k.id);
  if (i >= 0) signers.splice(i, 1);
  signers.push(k);
  changed();
  return k;
}
export function removeSigner(k: SignerKey): void {
  const i = signers.indexOf(k);
  if (i >= 0) {
    k.seed.fill(0);
    signers.splice(i, 1);
  }
  changed();
}

export function onSessionChange(f: () => void): void {
  listeners.push(f);
}
function changed(): void {
  for (const f of listeners) f();
}

// Which pages and queries a role may use (the access matrix of docs/API.md).
const ACCESS: Record<string, string> = {
  beneficiaries: 'AAAAANNN',
  warehouses: 'AAAAANNO',
  consignments: 'AAAAANOO',
  releases: 'AAAAANOO',
  flows: 'AAAANOOO',
  commitments: 'AAAANOON',
  enforcement: 'ANAANNNN',
  pending: 'AAAAOOOO',
};
const ROLES = ['governor', 'authority', 'monitor', 'auditor', 'inspector', 'donor', 'implementer', 'vendor'];

export function may(what: keyof typeof ACCESS | string, role = whoami?.role ?? ''): boolean {
  const row = ACCESS[what];
  const i = ROLES.indexOf(role);
  if (!row || i < 0) return false;
  return row[i] !== 'N';
}
