// Event envelopes (FORMATS.md "Envelope"): the signed message, the event id, the leaf
// hash, and building + signing a new envelope in the browser.
import { sha256 } from '@noble/hashes/sha2';
import { base64Encode, hexEncode, utf8 } from './encoding';
import { invalid } from './errors';
import { canonicalize, type Json } from './jcs';
import { hashLeaf } from './merkle';
import { ed25519Sign, keyIdHex, type SignerKey } from './note';

export interface Sig {
  signer: string;
  key: string;
  sig: string;
}

export interface Envelope {
  v: 1;
  type: string;
  actor: string;
  time: string;
  nonce: string;
  body: { [k: string]: Json };
  sigs: Sig[];
}

export function taggedHash(bytes: Uint8Array): string {
  return 'sha256:' + hexEncode(bytes);
}

// JCS(envelope without "sigs"): the bytes every signer signs.
export function signedMessage(env: Omit<Envelope, 'sigs'> | Envelope): Uint8Array {
  const { sigs: _sigs, ...rest } = env as Envelope;
  return utf8(canonicalize(rest));
}

// "sha256:" + hex SHA-256(JCS(envelope with sigs)).
export function eventId(env: Envelope): string {
  return taggedHash(sha256(utf8(canonicalize(env))));
}

// The RFC 6962 leaf hash of a leaf's bytes as logged.
export function leafHashOf(leafBytes: Uint8Array): Uint8Array {
  return hashLeaf(leafBytes);
}

// RFC 3339 UTC with whole seconds and upper-case T and Z.
export function rfc3339Now(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function randomNonce(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return 'web-' + hexEncode(b);
}

// Builds and signs an envelope with the actor's key first, then any co-signers.
export function buildEnvelope(
  type: string,
  body: { [k: string]: Json },
  signers: SignerKey[],
  opts: { time?: string; nonce?: string } = {},
): Envelope {
  if (signers.length === 0) throw invalid('an envelope needs at least its actor\'s signature');
  const unsigned = {
    v: 1 as const,
    type,
    actor: signers[0]!.name,
    time: opts.time ?? rfc3339Now(),
    nonce: opts.nonce ?? randomNonce(),
    body,
  };
  const msg = signedMessage(unsigned);
  const sigs = signers.map((k) => ({
    signer: k.name,
    key: keyIdHex(k.id),
    sig: base64Encode(ed25519Sign(k, msg)),
  }));
  return { ...unsigned, sigs };
}

// Adds one more signature to an already signed envelope (a second monitor, four eyes).
export function addSignature(env: Envelope, k: SignerKey): Envelope {
  const msg = signedMessage(env);
  return { ...env, sigs: [...env.sigs, { signer: k.name, key: keyIdHex(k.id), sig: base64Encode(ed25519Sign(k, msg)) }] };
}
