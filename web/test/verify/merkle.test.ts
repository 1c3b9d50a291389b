import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  base64Decode,
  emptyRoot,
  hashChildren,
  hashLeaf,
  hexDecode,
  hexEncode,
  rootOf,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
  VerifyError,
} from '../../src/verify';
import { jsonFilesUnder, readJson, sharedPath } from './shared';

const MERKLE = 'testdata/merkle/transparency-dev-merkle/testdata';

function b64(s: string): Uint8Array {
  const b = base64Decode(s);
  if (b === null) throw new Error(`vector has non-canonical base64 ${s}`);
  return b;
}

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function outcome(f: () => void): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!(e instanceof VerifyError)) throw e; // a bug, not a rejection
    return 'error';
  }
}

const base = sharedPath(MERKLE);

describe.skipIf(base === null)('transparency-dev/merkle vectors', () => {
  const dir = base ?? '';
  const inclusion = base ? jsonFilesUnder(join(dir, 'inclusion')) : [];
  const consistency = base ? jsonFilesUnder(join(dir, 'consistency')) : [];

  it('finds the 196 inclusion and consistency vectors', () => {
    expect(inclusion.length + consistency.length).toBe(196);
  });

  it.each(inclusion)('inclusion/%s', (file) => {
    const v = readJson<InclusionVector>(join(dir, 'inclusion', file));
    const got = outcome(() =>
      verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root)),
    );
    expect(got, v.desc).toBe(v.wantErr ? 'error' : 'ok');
  });

  it.each(consistency)('consistency/%s', (file) => {
    const v = readJson<ConsistencyVector>(join(dir, 'consistency', file));
    const got = outcome(() =>
      verifyConsistency(v.size1, v.size2, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2)),
    );
    expect(got, v.desc).toBe(v.wantErr ? 'error' : 'ok');
  });
});

describe.skipIf(base === null)('transparency-dev/merkle subtree vectors (draft-ietf-plants-merkle-tree-certs)', () => {
  const dir = base ?? '';
  const inc = base ? jsonFilesUnder(join(dir, 'subtreeinclusion')) : [];
  const cons = base ? jsonFilesUnder(join(dir, 'subtreeconsistency')) : [];
  const tally = { incOk: 0, incErr: 0, consOk: 0, consErr: 0 };

  it('finds the 322 subtree vectors', () => {
    expect(inc.length + cons.length).toBe(322);
  });

  it.each(inc)('subtreeinclusion/%s', (file) => {
    const v = readJson<InclusionVector & { start: number; end: number }>(join(dir, 'subtreeinclusion', file));
    const got = outcome(() =>
      verifySubtreeInclusion(v.leafIdx, v.start, v.end, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root)),
    );
    expect(got, v.desc).toBe(v.wantErr ? 'error' : 'ok');
    if (got === 'ok') tally.incOk++;
    else tally.incErr++;
  });

  it.each(cons)('subtreeconsistency/%s', (file) => {
    const v = readJson<ConsistencyVector & { start: number; end: number; size: number }>(join(dir, 'subtreeconsistency', file));
    const got = outcome(() =>
      verifySubtreeConsistency(v.start, v.end, v.size, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2)),
    );
    expect(got, v.desc).toBe(v.wantErr ? 'error' : 'ok');
    if (got === 'ok') tally.consOk++;
    else tally.consErr++;
  });

  it('accepts and rejects as many as the C++ verifier', () => {
    expect(tally).toEqual({ incOk: 12, incErr: 192, consOk: 12, consErr: 106 });
  });
});

const treeFile = sharedPath('testdata/merkle/rfc6962-tree-vectors.json');

describe.skipIf(treeFile === null)('RFC 6962 tree vectors', () => {
  interface TreeVectors {
    leaf_inputs_hex: string[];
    node_hashes_by_level: { levels: string[][] };
    root_hashes_by_tree_size: Record<string, string>;
    hasher_vectors: { op: string; input_hex?: string; left_hex?: string; right_hex?: string; want: string }[];
  }
  const t = treeFile ? readJson<TreeVectors>(treeFile) : null;

  it('hasher vectors', () => {
    expect(t!.hasher_vectors.length).toBe(4);
    for (const h of t!.hasher_vectors) {
      let got: Uint8Array;
      if (h.op === 'empty_root') got = emptyRoot();
      else if (h.op === 'hash_leaf') got = hashLeaf(hexDecode(h.input_hex!)!);
      else if (h.op === 'hash_children') got = hashChildren(hexDecode(h.left_hex!)!, hexDecode(h.right_hex!)!);
      else throw new Error(`unknown op ${h.op}`);
      expect(hexEncode(got)).toBe(h.want);
    }
  });

  it('leaf hashes, complete subtrees and roots of every size 0..8', () => {
    const leaves = t!.leaf_inputs_hex.map((x) => hashLeaf(hexDecode(x)!));
    expect(leaves.map(hexEncode)).toEqual(t!.node_hashes_by_level.levels[0]);
    t!.node_hashes_by_level.levels.forEach((level, l) => {
      level.forEach((want, i) => {
        const span = 1 << l;
        expect(hexEncode(rootOf(leaves.slice(i * span, (i + 1) * span)))).toBe(want);
      });
    });
    for (const [size, want] of Object.entries(t!.root_hashes_by_tree_size)) {
      expect(hexEncode(rootOf(leaves.slice(0, Number(size))))).toBe(want);
    }
  });
});
