import { describe, expect, it } from 'vitest';
import {
  ed25519Verify,
  formatSignerKey,
  formatVerifierKey,
  hexDecode,
  hexEncode,
  keyId,
  keyIdHex,
  openNote,
  parseCheckpointNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifierOf,
  VerifyError,
  type VerifierKey,
} from '../../src/verify';
import { readJson, sharedPath } from './shared';

interface NoteVector {
  id: string;
  vkey?: string;
  skey?: string;
  key_name?: string;
  key_id_hex?: string;
  sig_type?: number;
  pubkey_hex?: string;
  text?: string;
  note?: string;
  note_construction?: string;
  known_vkeys?: string[];
  expect: string;
}
interface NoteFile {
  vectors: NoteVector[];
  format_examples_unverifiable: Record<string, string>;
}

type Expect = 'verifies' | 'sign' | 'malformed' | 'noKnownKey' | 'badSig' | 'badVkey';

// What a vector's free-text "expect" asks for; an unknown phrasing fails the test (as in
// tests/crypto/note_test.cc) so a vector added to the file cannot go untested.
function classify(expect: string): Expect {
  if (expect.startsWith('verifies')) return 'verifies';
  if (expect.startsWith('Sign(text, skey) must produce exactly')) return 'sign';
  if (expect.startsWith('reject: malformed')) return 'malformed';
  if (expect.startsWith('reject: note has no verifiable signatures')) return 'noKnownKey';
  if (expect.startsWith('reject: invalid signature')) return 'badSig';
  if (expect.startsWith('reject: wrong key length') || expect.startsWith('reject: unknown algorithm')) return 'badVkey';
  throw new Error(`unrecognised expect: ${expect}`);
}

function codeOf(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!(e instanceof VerifyError)) throw e;
    return e.code;
  }
}

const file = sharedPath('testdata/signed-note/signed-note-vectors.json');

describe.skipIf(file === null)('signed-note vectors', () => {
  const doc = file ? readJson<NoteFile>(file) : { vectors: [], format_examples_unverifiable: {} };
  const peter = doc.vectors.find((v) => v.id === 'go-note-peter-sign');

  it('has the expected mix of vectors', () => {
    const counts: Record<string, number> = {};
    for (const v of doc.vectors) counts[classify(v.expect)] = (counts[classify(v.expect)] ?? 0) + 1;
    expect(counts).toEqual({ verifies: 3, sign: 1, malformed: 7, noKnownKey: 1, badSig: 1, badVkey: 2 });
  });

  it.each(doc.vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const kind = classify(v.expect);
    if (kind === 'badVkey') {
      expect(codeOf(() => parseVerifierKey(v.vkey!))).toBe('invalid_argument');
      return;
    }
    let note = v.note;
    if (note === undefined) {
      expect(v.note_construction).toBe("text + '\\n' + peter_sig repeated 101 times");
      const sigLine = peter!.note!.slice(peter!.text!.length + 1);
      note = peter!.text! + '\n' + sigLine.repeat(101);
    }
    const knownText = v.known_vkeys ?? (v.vkey ? [v.vkey] : [peter!.vkey!]);
    const known: VerifierKey[] = knownText.map((k) => parseVerifierKey(k));
    if (v.key_name) {
      const k = parseVerifierKey(v.vkey!);
      expect(k.name).toBe(v.key_name);
      expect(keyIdHex(k.id)).toBe(v.key_id_hex);
      expect(k.type).toBe(v.sig_type);
      expect(hexEncode(k.key)).toBe(v.pubkey_hex);
      expect(keyId(k.name, k.key)).toBe(k.id);
      expect(formatVerifierKey(k)).toBe(v.vkey);
    }
    switch (kind) {
      case 'sign': {
        const sk = parseSignerKey(v.skey!);
        expect(formatSignerKey(sk)).toBe(v.skey);
        expect(formatVerifierKey(verifierOf(sk))).toBe(formatVerifierKey(known[0]!));
        expect(signNote(v.text!, [sk])).toBe(note);
      }
      // falls through
      case 'verifies': {
        const opened = openNote(note, known);
        if (v.text) expect(opened.text).toBe(v.text);
        expect(opened.verifiedBy.length).toBe(1);
        expect(opened.verifiedBy[0]).toBe(known[0]);
        expect(opened.unverified).toBe(parseNote(note).signatures.length - 1);
        break;
      }
      case 'malformed':
        expect(codeOf(() => parseNote(note!))).toBe('invalid_argument');
        expect(codeOf(() => openNote(note!, known))).toBe('invalid_argument');
        break;
      case 'noKnownKey': {
        expect(codeOf(() => parseNote(note!))).toBe('ok');
        expect(() => openNote(note!, known)).toThrow(/no verifiable signature/);
        expect(codeOf(() => openNote(note!, known))).toBe('bad_signature');
        break;
      }
      case 'badSig':
        expect(codeOf(() => parseNote(note!))).toBe('ok');
        expect(codeOf(() => openNote(note!, known))).toBe('bad_signature');
        expect(() => openNote(note!, known)).toThrow(/PeterNeumann\+c74f20a3/);
        break;
    }
  });

  it('accepts 1, 16 and 100 signature lines and refuses 101', () => {
    const sigLine = peter!.note!.slice(peter!.text!.length + 1);
    const known = [parseVerifierKey(peter!.vkey!)];
    for (const n of [1, 16, 100, 101]) {
      const note = peter!.text! + '\n' + sigLine.repeat(n);
      if (n <= 100) expect(openNote(note, known).verifiedBy.length).toBe(1);
      else expect(codeOf(() => openNote(note, known))).toBe('invalid_argument');
    }
  });

  it('parses the unverifiable C2SP checkpoint examples', () => {
    const ex = doc.format_examples_unverifiable;
    for (const key of ['tlog_checkpoint', 'tlog_checkpoint_with_cosignature']) {
      const c = parseCheckpointNote(ex[key]!);
      expect(c.origin).toBe('example.com/behind-the-sofa');
      expect(c.size).toBe(20852163n);
    }
    const n = parseNote(ex.tlog_checkpoint_with_cosignature!);
    expect(n.signatures.map((s) => s.name)).toEqual(['example.com/behind-the-sofa', 'witness.example.com/w1']);
  });

  it('signer key errors never quote the secret', () => {
    const sk = peter!.skey!;
    const tampered = sk.replace('+c74f20a3+', '+c74f20a4+');
    expect(codeOf(() => parseSignerKey(tampered))).toBe('invalid_argument');
    try {
      parseSignerKey(tampered);
    } catch (e) {
      expect((e as Error).message).not.toContain(sk.split('+').pop()!);
    }
  });
});

const wyche = sharedPath('testdata/ed25519/wycheproof-ed25519_test.json');

describe.skipIf(wyche === null)('Wycheproof Ed25519 (strict verification)', () => {
  interface Group {
    publicKey: { pk: string };
    tests: { tcId: number; msg: string; sig: string; result: string; comment: string }[];
  }
  const doc = wyche ? readJson<{ testGroups: Group[] }>(wyche) : { testGroups: [] };
  const cases = doc.testGroups.flatMap((g) => g.tests.map((t) => [t.tcId, g.publicKey.pk, t] as const));

  it('has 151 vectors', () => expect(cases.length).toBe(151));

  it.each(cases)('tcId %i', (_id, pk, t) => {
    const ok = ed25519Verify(hexDecode(pk)!, hexDecode(t.msg)!, hexDecode(t.sig) ?? new Uint8Array(0));
    expect(ok, t.comment).toBe(t.result === 'valid');
  });
});
