import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode, canonicalize, parseTlogProof, parseProofHashes, utf8, VerifyError } from '../../src/verify';

describe('RFC 8785 canonical JSON (the subset the ledger accepts)', () => {
  it('sorts members by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const obj = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    // (Object.keys would list "1" first: integer-like keys come first in JavaScript.)
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
    const want = '{' + order.map((k) => `${JSON.stringify(k)}:${JSON.stringify(obj[k as keyof typeof obj])}`).join(',') + '}';
    expect(canonicalize(obj)).toBe(want);
  });

  it('writes strings with minimal escapes and no white space', () => {
    expect(canonicalize({ b: [1, -2, 0, true, null], a: 'x\n"\\/\u001f\u007f\u00e9' })).toBe(
      '{"a":"x\\n\\"\\\\/\\u001f\u007f\u00e9","b":[1,-2,0,true,null]}',
    );
    expect(canonicalize({ n: 9007199254740991 })).toBe('{"n":9007199254740991}');
  });

  it('refuses what the ledger refuses', () => {
    for (const bad of [{ x: 1.5 }, { x: 2 ** 53 }, { x: '\ud800' }, { x: NaN }, { x: () => 1 }]) {
      expect(() => canonicalize(bad)).toThrow(VerifyError);
    }
  });
});

describe('canonical base64', () => {
  it('round-trips every length', () => {
    for (let n = 0; n < 40; n++) {
      const b = new Uint8Array(n).map((_, i) => (i * 37 + n) & 255);
      expect(base64Decode(base64Encode(b))).toEqual(b);
    }
    expect(base64Encode(utf8('foobar'))).toBe('Zm9vYmFy');
  });

  it('refuses non-canonical forms', () => {
    for (const bad of ['Zg', 'Zg=', 'Zh==', 'Zm9=', 'Z m9v', 'Zm9v\n', 'Zm-v', '=Zm9', 'Zg==Zg==']) {
      expect(base64Decode(bad), bad).toBeNull();
    }
  });
});

describe('proof text', () => {
  const hash = 'lYIE0YjdIXqUe+42tj1g+3VBildIh2yS822OoYG6RUY=';
  const note = 'example.org/aidtrace\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n\u2014 example.org/aidtrace AAAAAQ==\n';

  it('parses the tlog-proof shape, with and without extra data', () => {
    const p = parseTlogProof(`c2sp.org/tlog-proof@v1\nindex 5\n${hash}\n\n${note}`);
    expect(p.index).toBe(5n);
    expect(p.hashes.length).toBe(1);
    expect(p.checkpoint).toBe(note);
    expect(parseTlogProof(`c2sp.org/tlog-proof@v1\nextra \nindex 0\n\n${note}`).extra).toEqual(new Uint8Array(0));
  });

  it('refuses malformed tlog-proofs', () => {
    for (const bad of [
      `c2sp.org/tlog-proof@v2\nindex 5\n\n${note}`,
      `c2sp.org/tlog-proof@v1\nindex 05\n\n${note}`,
      `c2sp.org/tlog-proof@v1\nindex 5\n${hash.slice(4)}\n\n${note}`,
      `c2sp.org/tlog-proof@v1\nindex 5\n${hash}\n`,
      `c2sp.org/tlog-proof@v1\nindex 5\n\nexample.org/aidtrace\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\nno dash\n`,
      `c2sp.org/tlog-proof@v1\nindex 5\n${(hash + '\n').repeat(65)}\n${note}`,
    ]) {
      expect(() => parseTlogProof(bad)).toThrow(VerifyError);
    }
  });

  it('parses consistency proof text', () => {
    expect(parseProofHashes('')).toEqual([]);
    expect(parseProofHashes(`${hash}\n${hash}\n`).length).toBe(2);
    expect(() => parseProofHashes(hash)).toThrow(VerifyError);
  });
});
