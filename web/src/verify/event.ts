// The whole check behind the Ledger page's Verify button: a leaf's bytes, the tlog-proof
// the server gave for it, and the log key the user trusts. Each step says what it
// checked and why it failed; the event passes only when every step passes.
import { canonicalize } from './jcs';
import { hexEncode, utf8Decode } from './encoding';
import { parseCheckpointNote, parseTlogProof, type Checkpoint } from './checkpoint';
import { verifyInclusion } from './merkle';
import { keyIdHex, openNote, type VerifierKey } from './note';
import { eventId, leafHashOf, type Envelope } from './envelope';

export interface VerifyStep {
  name: string;
  ok: boolean;
  detail: string;
}

export interface EventVerification {
  ok: boolean;
  steps: VerifyStep[];
  eventId?: string;
  leafHash?: string;
  checkpoint?: Checkpoint;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function verifyEventInclusion(
  seq: number | bigint,
  leafBytes: Uint8Array,
  tlogProofText: string,
  logKey: VerifierKey | null,
): EventVerification {
  const steps: VerifyStep[] = [];
  const out: EventVerification = { ok: false, steps };
  const fail = (name: string, detail: string): EventVerification => {
    steps.push({ name, ok: false, detail });
    return out;
  };

  // 1. The leaf: canonical JSON {"event","logged","seq"} with the expected seq.
  const text = utf8Decode(leafBytes);
  if (text === null) return fail('leaf', 'the leaf bytes are not valid UTF-8');
  let leaf: { event?: Envelope; logged?: string; seq?: number };
  try {
    leaf = JSON.parse(text);
  } catch (e) {
    return fail('leaf', `the leaf is not JSON: ${message(e)}`);
  }
  if (typeof leaf !== 'object' || leaf === null || leaf.event === undefined) {
    return fail('leaf', 'the leaf has no "event" member');
  }
  if (BigInt(leaf.seq ?? -1) !== BigInt(seq)) {
    return fail('leaf', `the leaf says seq ${String(leaf.seq)}, expected ${String(seq)}`);
  }
  let canonical = '';
  try {
    canonical = canonicalize(leaf);
  } catch (e) {
    return fail('leaf', message(e));
  }
  if (canonical !== text) return fail('leaf', 'the leaf bytes are not in canonical (RFC 8785) form');
  const leafHash = leafHashOf(leafBytes);
  out.leafHash = 'sha256:' + hexEncode(leafHash);
  out.eventId = eventId(leaf.event);
  steps.push({
    name: 'leaf',
    ok: true,
    detail: `canonical leaf ${String(seq)} (${leaf.event.type}), leaf hash ${out.leafHash}, event id ${out.eventId}`,
  });

  // 2. The proof text.
  let proof;
  try {
    proof = parseTlogProof(tlogProofText);
  } catch (e) {
    return fail('proof format', message(e));
  }
  if (proof.index !== BigInt(seq)) {
    return fail('proof format', `the proof is for index ${proof.index}, not ${String(seq)}`);
  }
  const cp = parseCheckpointNote(proof.checkpoint);
  out.checkpoint = cp;
  steps.push({
    name: 'proof format',
    ok: true,
    detail: `c2sp.org/tlog-proof@v1 for index ${proof.index}: ${proof.hashes.length} hashes, checkpoint of size ${cp.size}`,
  });

  // 3. The checkpoint's signature by the trusted log key.
  if (!logKey) {
    return fail('checkpoint signature', 'no trusted log key is set (Sign-in page): the checkpoint cannot be authenticated');
  }
  if (cp.origin !== logKey.name) {
    return fail('checkpoint signature', `the checkpoint's origin "${cp.origin}" is not the trusted log "${logKey.name}"`);
  }
  try {
    const opened = openNote(proof.checkpoint, [logKey]);
    steps.push({
      name: 'checkpoint signature',
      ok: true,
      detail: `Ed25519 signature by ${logKey.name}+${keyIdHex(logKey.id)} verifies` +
        (opened.unverified ? ` (${opened.unverified} other signature line(s) by unknown keys ignored)` : ''),
    });
  } catch (e) {
    return fail('checkpoint signature', message(e));
  }

  // 4. RFC 6962 inclusion of the leaf hash under the checkpoint's root.
  try {
    verifyInclusion(proof.index, cp.size, leafHash, proof.hashes, cp.root);
  } catch (e) {
    return fail('inclusion', message(e));
  }
  steps.push({
    name: 'inclusion',
    ok: true,
    detail: `the audit path leads from the leaf hash to the signed root of the tree of ${cp.size} leaves`,
  });
  out.ok = true;
  return out;
}
