// C2SP signed notes (c2sp.org/signed-note) and their keys, exactly as src/crypto/note.cc
// writes and checks them: verifier keys `<name>+<8 hex id>+<base64(type || 32-byte key)>`,
// signer keys `PRIVATE+KEY+<name>+<8 hex id>+<base64(type || 32-byte seed)>`, key id =
// first 4 bytes (big-endian) of SHA-256(name || 0x0A || type || public key), signature
// lines `— <name> <base64(4-byte id || signature)>`. Ed25519 is RFC 8032 with strict
// (libsodium-like) verification.
import { ed25519 } from '@noble/curves/ed25519';
import { sha256 } from '@noble/hashes/sha2';
import { base64Decode, base64Encode, concatBytes, utf8 } from './encoding';
import { badSignature, invalid } from './errors';

export const KEY_TYPE_ED25519 = 0x01;
export const KEY_TYPE_COSIGNATURE_V1 = 0x04;
export type KeyType = typeof KEY_TYPE_ED25519 | typeof KEY_TYPE_COSIGNATURE_V1;

export const MAX_NOTE_SIGNATURES = 100;
const SIG_PREFIX = '\u2014 ';
const PRIVATE_PREFIX = 'PRIVATE+KEY+';

export interface VerifierKey {
  name: string;
  id: number; // 32-bit unsigned
  key: Uint8Array; // 32-byte Ed25519 public key
  type: KeyType;
}

export interface SignerKey {
  name: string;
  id: number;
  seed: Uint8Array; // 32-byte Ed25519 seed: never leaves the browser
  publicKey: Uint8Array;
  type: KeyType;
}

export interface NoteSignature {
  name: string;
  id: number;
  sig: Uint8Array;
}

export interface Note {
  text: string;
  signatures: NoteSignature[];
}

export interface OpenedNote {
  text: string;
  verifiedBy: VerifierKey[];
  cosignatureTimes: bigint[]; // one per verifiedBy; 0 for plain signatures
  unverified: number; // lines by keys not known (ignored, as C2SP says)
}

// The Unicode White_Space property (what Go's unicode.IsSpace tests).
function isUnicodeSpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

// True when the string has no lone surrogate (so it is valid UTF-8 once encoded).
function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

export function isValidKeyName(name: string): boolean {
  if (name.length === 0 || !isWellFormed(name)) return false;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c === 0x2b /* + */ || isUnicodeSpace(c)) return false;
  }
  return true;
}

function hasOnlyNoteCharacters(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return false;
  }
  return isWellFormed(s);
}

function quote(s: string): string {
  return JSON.stringify(s.length > 64 ? s.slice(0, 64) + '...' : s);
}

export function keyId(name: string, publicKey: Uint8Array, type: KeyType = KEY_TYPE_ED25519): number {
  const sum = sha256(concatBytes(utf8(name), new Uint8Array([0x0a, type]), publicKey));
  return ((sum[0]! << 24) | (sum[1]! << 16) | (sum[2]! << 8) | sum[3]!) >>> 0;
}

export function keyIdHex(id: number): string {
  return (id >>> 0).toString(16).padStart(8, '0');
}

function typeName(t: number): string {
  return t === KEY_TYPE_ED25519 ? '0x01 (Ed25519)' : '0x04 (Ed25519 cosignature/v1)';
}

interface RawKey {
  name: string;
  id: number;
  material: Uint8Array;
}

function parseRawKey(text: string, expected: KeyType, what: string): RawKey {
  const p = `${what}: `;
  const a = text.indexOf('+');
  const b = a < 0 ? -1 : text.indexOf('+', a + 1);
  if (a < 0 || b < 0) throw invalid(p + 'expected <name>+<8 hex key id>+<base64 key>');
  const name = text.slice(0, a);
  const hex = text.slice(a + 1, b);
  const rest = text.slice(b + 1);
  if (!isValidKeyName(name)) {
    throw invalid(p + `invalid key name ${quote(name)} (must be non-empty UTF-8 without spaces or '+')`);
  }
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) throw invalid(p + `key id ${quote(hex)} is not 8 hex digits`);
  const id = parseInt(hex, 16) >>> 0;
  if (rest.length === 0) throw invalid(p + 'key data is empty');
  const raw = base64Decode(rest);
  if (raw === null) throw invalid(p + 'key data is not canonical padded base64');
  if (raw.length === 0) throw invalid(p + 'key data is empty');
  const t = raw[0]!;
  if (t !== KEY_TYPE_ED25519 && t !== KEY_TYPE_COSIGNATURE_V1) {
    throw invalid(p + `unknown key type byte 0x${t.toString(16).padStart(2, '0')} (expected ${typeName(expected)})`);
  }
  if (t !== expected) throw invalid(p + `key type is ${typeName(t)}, expected ${typeName(expected)}`);
  if (raw.length !== 33) {
    throw invalid(p + `key data is ${raw.length - 1} bytes after the type byte, expected 32`);
  }
  return { name, id, material: raw.slice(1) };
}

export function parseVerifierKey(text: string, expected: KeyType = KEY_TYPE_ED25519): VerifierKey {
  const raw = parseRawKey(text.trim(), expected, 'verifier key');
  const id = keyId(raw.name, raw.material, expected);
  if (id !== raw.id) {
    throw invalid(
      `verifier key: key id ${keyIdHex(raw.id)} does not match the key (${keyIdHex(id)} expected for this name, type and public key)`,
    );
  }
  return { name: raw.name, id, key: raw.material, type: expected };
}

export function formatVerifierKey(k: VerifierKey): string {
  return `${k.name}+${keyIdHex(k.id)}+${base64Encode(concatBytes(new Uint8Array([k.type]), k.key))}`;
}

// Parses a key file as `aidtrace keygen` writes it (surrounding white space, such as the
// final newline, is ignored). Messages never quote the secret.
export function parseSignerKey(text: string, expected: KeyType = KEY_TYPE_ED25519): SignerKey {
  const t = text.trim();
  if (!t.startsWith(PRIVATE_PREFIX)) {
    throw invalid('signer key: expected PRIVATE+KEY+<name>+<8 hex key id>+<base64 seed>');
  }
  const raw = parseRawKey(t.slice(PRIVATE_PREFIX.length), expected, 'signer key');
  const publicKey = ed25519.getPublicKey(raw.material);
  const id = keyId(raw.name, publicKey, expected);
  if (id !== raw.id) {
    throw invalid(
      `signer key: key id ${keyIdHex(raw.id)} does not match the public key derived from the seed (${keyIdHex(id)} expected)`,
    );
  }
  return { name: raw.name, id, seed: raw.material, publicKey, type: expected };
}

export function formatSignerKey(k: SignerKey): string {
  return `${PRIVATE_PREFIX}${k.name}+${keyIdHex(k.id)}+${base64Encode(concatBytes(new Uint8Array([k.type]), k.seed))}`;
}

export function verifierOf(k: SignerKey): VerifierKey {
  return { name: k.name, id: k.id, key: k.publicKey, type: k.type };
}

export function ed25519Sign(k: SignerKey, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, k.seed);
}

// Strict RFC 8032 verification (no ZIP-215 leniency), as libsodium checks.
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== 64 || publicKey.length !== 32) return false;
  try {
    return ed25519.verify(sig, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

export function parseNote(note: string): Note {
  if (!hasOnlyNoteCharacters(note)) {
    throw invalid('malformed note: not valid UTF-8, or contains a control character other than newline');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw invalid('malformed note: no blank line between the text and the signatures');
  const text = note.slice(0, split + 1);
  let sigs = note.slice(split + 2);
  if (sigs.length === 0) throw invalid('malformed note: no signature lines');
  if (!sigs.endsWith('\n')) throw invalid('malformed note: the last signature line does not end in a newline');
  const signatures: NoteSignature[] = [];
  let lineNo = 0;
  while (sigs.length > 0) {
    const nl = sigs.indexOf('\n');
    let line = sigs.slice(0, nl);
    sigs = sigs.slice(nl + 1);
    lineNo++;
    const where = `malformed note: signature line ${lineNo}`;
    if (lineNo > MAX_NOTE_SIGNATURES) {
      throw invalid(`malformed note: more than ${MAX_NOTE_SIGNATURES} signature lines`);
    }
    if (!line.startsWith(SIG_PREFIX)) {
      throw invalid(`${where} does not start with an em dash (U+2014) and a space: ${quote(line)}`);
    }
    line = line.slice(SIG_PREFIX.length);
    const space = line.indexOf(' ');
    const name = space < 0 ? line : line.slice(0, space);
    const b64 = space < 0 ? '' : line.slice(space + 1);
    if (!isValidKeyName(name)) throw invalid(`${where} has an invalid key name ${quote(name)}`);
    if (b64.length === 0) throw invalid(`${where} has no signature after the key name`);
    const raw = base64Decode(b64);
    if (raw === null) throw invalid(`${where} (${name}): signature is not canonical padded base64`);
    if (raw.length < 5) throw invalid(`${where} (${name}): signature is shorter than a key id and one byte`);
    const id = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
    signatures.push({ name, id, sig: raw.slice(4) });
  }
  return { text, signatures };
}

export function signNote(text: string, keys: SignerKey[]): string {
  if (text.length === 0 || !text.endsWith('\n') || !hasOnlyNoteCharacters(text)) {
    throw invalid(
      'note text must be non-empty valid UTF-8 ending in a newline, with no control character other than newline',
    );
  }
  if (keys.length === 0) throw invalid('a note needs at least one signing key');
  let out = text + '\n';
  for (const k of keys) {
    if (k.type !== KEY_TYPE_ED25519) throw invalid(`key ${k.name} is a cosignature key`);
    const sig = ed25519Sign(k, utf8(text));
    const id = new Uint8Array([(k.id >>> 24) & 255, (k.id >>> 16) & 255, (k.id >>> 8) & 255, k.id & 255]);
    out += `${SIG_PREFIX}${k.name} ${base64Encode(concatBytes(id, sig))}\n`;
  }
  return out;
}

function cosignatureMessage(body: string, time: bigint): string {
  return `cosignature/v1\ntime ${time.toString()}\n${body}`;
}

// Opens a note with the known keys, as C2SP says: lines by unknown (name, id) pairs are
// ignored; a line by a known key must verify or the whole note is rejected; at least one
// line must verify.
export function openNote(note: string, known: VerifierKey[]): OpenedNote {
  const parsed = parseNote(note);
  for (const k of known) {
    if (!isValidKeyName(k.name)) throw invalid(`known key has an invalid name ${quote(k.name)}`);
    if (k.id !== keyId(k.name, k.key, k.type)) {
      throw invalid(`known key ${k.name}+${keyIdHex(k.id)} has an id that does not match its name, type and public key`);
    }
  }
  const out: OpenedNote = { text: parsed.text, verifiedBy: [], cosignatureTimes: [], unverified: 0 };
  const msg = utf8(parsed.text);
  for (const s of parsed.signatures) {
    const match = known.find((k) => k.name === s.name && k.id === s.id);
    if (!match) {
      out.unverified++;
      continue;
    }
    let ok = false;
    let time = 0n;
    if (match.type === KEY_TYPE_COSIGNATURE_V1) {
      if (s.sig.length === 72) {
        for (let i = 0; i < 8; i++) time = (time << 8n) | BigInt(s.sig[i]!);
        ok =
          time < 1n << 63n &&
          ed25519Verify(match.key, utf8(cosignatureMessage(parsed.text, time)), s.sig.slice(8));
      }
    } else {
      ok = ed25519Verify(match.key, msg, s.sig);
    }
    if (!ok) throw badSignature(`invalid signature for key ${s.name}+${keyIdHex(s.id)}`);
    if (!out.verifiedBy.includes(match)) {
      out.verifiedBy.push(match);
      out.cosignatureTimes.push(time);
    }
  }
  if (out.verifiedBy.length === 0) {
    throw badSignature(
      `no verifiable signature: none of the note's ${parsed.signatures.length} signature(s) is by a known key`,
    );
  }
  return out;
}
