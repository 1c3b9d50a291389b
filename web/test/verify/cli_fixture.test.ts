// Cross-implementation checks against output of the C++ command (test/fixtures/cli-log),
// made with:
//   aidtrace keygen --name test.aidtrace.example/log --out log.key
//   aidtrace keygen --name un-mmu --out un-mmu.test-only.key
//   aidtrace sign --key un-mmu.test-only.key gen.json > signed.jsonl   (and item.json >>)
//   aidtrace init --db fx.db --origin test.aidtrace.example/log --log-key log.key
//   aidtrace append --db fx.db signed.jsonl > receipts.jsonl
//   aidtrace leaf --db fx.db --index I > leafI.txt; aidtrace prove inclusion --db fx.db --index I > proofI.txt
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addSignature,
  buildEnvelope,
  canonicalize,
  eventId,
  hexEncode,
  leafHashOf,
  openNote,
  parseSignerKey,
  parseTlogProof,
  parseVerifierKey,
  utf8,
  verifyEventInclusion,
  verifyTlogProofInclusion,
  type Envelope,
} from '../../src/verify';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/cli-log');
const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
const leafBytes = (i: number): Uint8Array => utf8(read(`leaf${i}.txt`).replace(/\n$/, ''));

const signed = read('signed.jsonl').trim().split('\n').map((l) => JSON.parse(l) as Envelope);
const receipts = read('receipts.jsonl').trim().split('\n').map((l) => JSON.parse(l));
const logKey = parseVerifierKey(read('log.vkey'));
const key = parseSignerKey(read('un-mmu.test-only.key'));

describe('agreement with the C++ implementation', () => {
  it('canonical form is what aidtrace sign prints', () => {
    const lines = read('signed.jsonl').trim().split('\n');
    signed.forEach((env, i) => expect(canonicalize(env)).toBe(lines[i]));
  });

  it('signs envelopes byte for byte like aidtrace sign', () => {
    for (const [file, i] of [['gen.json', 0], ['item.json', 1]] as const) {
      const src = JSON.parse(read(file)) as Envelope;
      const env = buildEnvelope(src.type, src.body, [key], { time: src.time, nonce: src.nonce });
      expect(canonicalize(env)).toBe(canonicalize(signed[i]));
    }
  });

  it('event ids and leaf hashes match the receipts', () => {
    signed.forEach((env, i) => {
      expect(eventId(env)).toBe(receipts[i].id);
      expect('sha256:' + hexEncode(leafHashOf(leafBytes(i)))).toBe(receipts[i].leaf_hash);
    });
  });

  it('verifies the checkpoint in every receipt with the log key', () => {
    for (const r of receipts) expect(openNote(r.checkpoint, [logKey]).verifiedBy[0]).toBe(logKey);
  });

  it('verifies aidtrace prove inclusion output end to end', () => {
    for (const i of [0, 1]) {
      const proof = parseTlogProof(read(`proof${i}.txt`));
      expect(proof.index).toBe(BigInt(i));
      verifyTlogProofInclusion(proof, leafHashOf(leafBytes(i)));
      const r = verifyEventInclusion(i, leafBytes(i), read(`proof${i}.txt`), logKey);
      expect(r.steps.filter((s) => !s.ok)).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.eventId).toBe(receipts[i].id);
    }
  });

  it('fails a tampered leaf, proof, checkpoint or key, saying why', () => {
    const proof = read('proof1.txt');
    const leaf = read('leaf1.txt').replace(/\n$/, '');
    const cases: [string, Uint8Array, string, typeof logKey | null, RegExp][] = [
      ['leaf', utf8(leaf.replace('252329', '252330')), proof, logKey, /different root/],
      ['proof hash', leafBytes(1), proof.replace('lYIE0Y', 'lYIE0Z'), logKey, /different root/],
      ['root', leafBytes(1), proof.replace('YmyUeVqD', 'YmyUeVqE'), logKey, /invalid signature/],
      ['index', leafBytes(1), proof.replace('index 1', 'index 0'), logKey, /index 0, not 1/],
      ['no key', leafBytes(1), proof, null, /no trusted log key/],
      ['other key', leafBytes(1), proof, parseVerifierKey(read('gen.json').match(/un-mmu\+[^"]+/)![0]), /not the trusted log/],
    ];
    for (const [what, leafB, proofText, k, why] of cases) {
      const r = verifyEventInclusion(1, leafB, proofText, k);
      expect(r.ok, what).toBe(false);
      expect(r.steps.at(-1)!.ok, what).toBe(false);
      expect(r.steps.at(-1)!.detail, what).toMatch(why);
    }
  });

  it('a second signature signs the same message', () => {
    const src = JSON.parse(read('item.json')) as Envelope;
    const one = buildEnvelope(src.type, src.body, [key], { time: src.time, nonce: src.nonce });
    const two = addSignature(one, key);
    expect(two.sigs[1]!.sig).toBe(one.sigs[0]!.sig);
  });
});
