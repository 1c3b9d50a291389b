// Checkpoints (c2sp.org/tlog-checkpoint bodies in signed notes), C2SP tlog-proof v1 text
// and consistency-proof text, parsed as strictly as src/log/checkpoint.cc.
import { base64Decode } from './encoding';
import { invalid } from './errors';
import { verifyInclusion } from './merkle';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
export const MAX_INCLUSION_HASHES = 64;
const MAX_U64 = (1n << 64n) - 1n;

export interface Checkpoint {
  origin: string;
  size: bigint;
  root: Uint8Array;
  extensions: string[];
}

export interface TlogProof {
  extra: Uint8Array | null;
  index: bigint;
  hashes: Uint8Array[];
  checkpoint: string; // the signed note, verbatim
}

function checkNoteText(s: string, what: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) {
      throw invalid(`${what} contains the control character 0x${c.toString(16).padStart(2, '0')}`);
    }
  }
}

// A decimal without sign, spaces or leading zeros, below 2^64.
export function parseDecimal(s: string): bigint | null {
  if (!/^(0|[1-9][0-9]*)$/.test(s) || s.length > 20) return null;
  const v = BigInt(s);
  return v > MAX_U64 ? null : v;
}

function parseBase64Hash(s: string, what: string): Uint8Array {
  const b = base64Decode(s);
  if (b === null) throw invalid(`${what} is not canonical standard base64`);
  if (b.length !== 32) throw invalid(`${what} is ${b.length} bytes, want 32`);
  return b;
}

function splitLines(text: string, what: string): string[] {
  if (!text.endsWith('\n')) throw invalid(`${what} must end with a newline`);
  return text.slice(0, -1).split('\n');
}

export function parseCheckpointBody(body: string): Checkpoint {
  checkNoteText(body, 'checkpoint');
  const lines = splitLines(body, 'checkpoint');
  if (lines.length < 3) {
    throw invalid(`checkpoint has ${lines.length} lines, want at least 3 (origin, size, root)`);
  }
  lines.forEach((l, i) => {
    if (l.length === 0) throw invalid(`checkpoint line ${i + 1} is empty`);
  });
  const size = parseDecimal(lines[1]!);
  if (size === null) {
    throw invalid('checkpoint tree size (line 2) is not a decimal without leading zeros below 2^64');
  }
  return {
    origin: lines[0]!,
    size,
    root: parseBase64Hash(lines[2]!, 'checkpoint root hash (line 3)'),
    extensions: lines.slice(3),
  };
}

// The checkpoint inside a signed note (signatures are checked by openNote).
export function parseCheckpointNote(note: string): Checkpoint {
  checkNoteText(note, 'signed checkpoint');
  if (!note.endsWith('\n')) throw invalid('signed checkpoint must end with a newline');
  const blank = note.lastIndexOf('\n\n');
  if (blank < 0) throw invalid('signed checkpoint has no blank line before its signatures');
  const body = note.slice(0, blank + 1);
  const sigs = note.slice(blank + 2);
  if (sigs.length === 0) throw invalid('signed checkpoint has no signature lines');
  for (const line of splitLines(sigs, 'checkpoint signatures')) {
    if (!line.startsWith('\u2014 ')) {
      throw invalid('signed checkpoint signature line does not start with an em dash and a space');
    }
  }
  return parseCheckpointBody(body);
}

export function parseTlogProof(text: string): TlogProof {
  checkNoteText(text, 'tlog proof');
  let pos = 0;
  const next = (what: string): string => {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) throw invalid(`tlog proof ends before its ${what}`);
    const line = text.slice(pos, nl);
    pos = nl + 1;
    return line;
  };
  let line = next('header line');
  if (line !== TLOG_PROOF_HEADER) throw invalid(`tlog proof does not start with "${TLOG_PROOF_HEADER}"`);
  let extra: Uint8Array | null = null;
  line = next('index line');
  if (line.startsWith('extra ')) {
    const e = line.slice(6);
    extra = e.length === 0 ? new Uint8Array(0) : base64Decode(e);
    if (extra === null) throw invalid('tlog proof extra data is not canonical standard base64');
    line = next('index line');
  }
  if (!line.startsWith('index ')) throw invalid('tlog proof has no "index <n>" line after its header');
  const index = parseDecimal(line.slice(6));
  if (index === null) throw invalid('tlog proof index is not a decimal without leading zeros below 2^64');
  const hashes: Uint8Array[] = [];
  for (;;) {
    line = next('blank line before the checkpoint');
    if (line.length === 0) break;
    if (hashes.length === MAX_INCLUSION_HASHES) {
      throw invalid(`tlog proof has more than ${MAX_INCLUSION_HASHES} hashes`);
    }
    hashes.push(parseBase64Hash(line, `tlog proof hash ${hashes.length}`));
  }
  const checkpoint = text.slice(pos);
  if (checkpoint.length === 0) throw invalid('tlog proof has no checkpoint');
  try {
    parseCheckpointNote(checkpoint);
  } catch (e) {
    throw invalid(`tlog proof: ${(e as Error).message}`);
  }
  return { extra, index, hashes, checkpoint };
}

// The Merkle part of a tlog-proof: the leaf hash is at proof.index in the checkpoint's
// tree. (The checkpoint's signatures are checked separately with openNote.)
export function verifyTlogProofInclusion(proof: TlogProof, leafHash: Uint8Array): Checkpoint {
  const c = parseCheckpointNote(proof.checkpoint);
  verifyInclusion(proof.index, c.size, leafHash, proof.hashes, c.root);
  return c;
}

// Consistency-proof text: base64 hashes, each followed by "\n"; empty for equal sizes.
export function parseProofHashes(text: string): Uint8Array[] {
  if (text.length === 0) return [];
  return splitLines(text, 'proof').map((l, i) => parseBase64Hash(l, `proof line ${i + 1}`));
}
