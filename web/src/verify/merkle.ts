// RFC 6962 / RFC 9162 Merkle tree hashing and proof verification with SHA-256, with the
// policy of src/log/merkle.cc (and of transparency-dev/merkle's vectors): hashes of 32
// bytes, index < size, no consistency proof from size 0, equal sizes need an empty proof
// and equal roots. Sizes and indices are bigint so any 64-bit value is exact.
import { sha256 } from '@noble/hashes/sha2';
import { bytesEqual, concatBytes } from './encoding';
import { corrupt } from './errors';

export const HASH_SIZE = 32;
const MAX_U64 = (1n << 64n) - 1n;

export function hashLeaf(data: Uint8Array): Uint8Array {
  return sha256(concatBytes(new Uint8Array([0]), data));
}

export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(new Uint8Array([1]), left, right));
}

export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}

// The root of a tree of the given leaf hashes (MTH of RFC 6962 §2.1), for tests and
// small trees.
export function rootOf(leafHashes: Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRoot();
  if (leafHashes.length === 1) return leafHashes[0]!;
  let k = 1;
  while (k * 2 < leafHashes.length) k *= 2;
  return hashChildren(rootOf(leafHashes.slice(0, k)), rootOf(leafHashes.slice(k)));
}

function toU64(v: number | bigint, what: string): bigint {
  const b = typeof v === 'bigint' ? v : Number.isSafeInteger(v) ? BigInt(v) : -1n;
  if (b < 0n || b > MAX_U64) throw corrupt(`${what} ${String(v)} is not a 64-bit unsigned integer`);
  return b;
}

function bitLen(x: bigint): number {
  let n = 0;
  while (x > 0n) {
    x >>= 1n;
    n++;
  }
  return n;
}

function onesCount(x: bigint): number {
  let n = 0;
  while (x > 0n) {
    if (x & 1n) n++;
    x >>= 1n;
  }
  return n;
}

function trailingZeros(x: bigint): number {
  if (x === 0n) return 64;
  let n = 0;
  while ((x & 1n) === 0n) {
    x >>= 1n;
    n++;
  }
  return n;
}

// The number of proof hashes below the fork (inner) and along the border (border) for
// the inclusion of leaf `index` in a tree of `size` leaves.
function decompInclusion(index: bigint, size: bigint): [number, number] {
  const inner = bitLen(index ^ (size - 1n));
  const border = onesCount(index >> BigInt(inner));
  return [inner, border];
}

function chainInner(seed: Uint8Array, proof: Uint8Array[], index: bigint): Uint8Array {
  proof.forEach((h, i) => {
    seed = ((index >> BigInt(i)) & 1n) === 0n ? hashChildren(seed, h) : hashChildren(h, seed);
  });
  return seed;
}

function chainInnerRight(seed: Uint8Array, proof: Uint8Array[], index: bigint): Uint8Array {
  proof.forEach((h, i) => {
    if (((index >> BigInt(i)) & 1n) === 1n) seed = hashChildren(h, seed);
  });
  return seed;
}

function chainBorderRight(seed: Uint8Array, proof: Uint8Array[]): Uint8Array {
  for (const h of proof) seed = hashChildren(h, seed);
  return seed;
}

function checkHash(h: Uint8Array, what: string): void {
  if (h.length !== HASH_SIZE) {
    throw corrupt(`${what} is ${h.length} bytes, expected ${HASH_SIZE}`);
  }
}

// The root that an inclusion proof leads to; throws when the proof cannot be one for
// (index, size).
export function rootFromInclusionProof(
  index: number | bigint,
  size: number | bigint,
  leafHash: Uint8Array,
  proof: Uint8Array[],
): Uint8Array {
  const i = toU64(index, 'index');
  const n = toU64(size, 'tree size');
  if (i >= n) throw corrupt(`index ${i} is beyond the tree size ${n}`);
  checkHash(leafHash, 'leaf hash');
  proof.forEach((h, k) => checkHash(h, `proof hash ${k}`));
  const [inner, border] = decompInclusion(i, n);
  if (proof.length !== inner + border) {
    throw corrupt(
      `inclusion proof has ${proof.length} hashes, expected ${inner + border} for index ${i} in a tree of ${n}`,
    );
  }
  const res = chainInner(leafHash, proof.slice(0, inner), i);
  return chainBorderRight(res, proof.slice(inner));
}

// Throws a VerifyError ('corrupt', with the reason) unless the proof shows the leaf at
// `index` in the tree of `size` leaves whose root is `root`.
export function verifyInclusion(
  index: number | bigint,
  size: number | bigint,
  leafHash: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array,
): void {
  const calc = rootFromInclusionProof(index, size, leafHash, proof);
  checkHash(root, 'root');
  if (!bytesEqual(calc, root)) {
    throw corrupt('inclusion proof leads to a different root than the checkpoint\'s');
  }
}

// Throws a VerifyError ('corrupt', with the reason) unless the proof shows the tree of
// size1 (root1) is a prefix of the tree of size2 (root2).
export function verifyConsistency(
  size1: number | bigint,
  size2: number | bigint,
  proof: Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  const m = toU64(size1, 'old size');
  const n = toU64(size2, 'new size');
  if (n < m) throw corrupt(`new size ${n} is smaller than old size ${m}`);
  if (m === 0n) throw corrupt('a consistency proof from the empty tree is meaningless');
  if (m === n) {
    if (proof.length !== 0) throw corrupt('equal sizes need an empty consistency proof');
    if (!bytesEqual(root1, root2)) throw corrupt('equal sizes but the roots differ');
    return;
  }
  checkHash(root1, 'old root');
  checkHash(root2, 'new root');
  proof.forEach((h, k) => checkHash(h, `proof hash ${k}`));
  if (proof.length === 0) throw corrupt('empty consistency proof for different sizes');
  let [inner, border] = decompInclusion(m - 1n, n);
  const shift = trailingZeros(m);
  inner -= shift;
  let seed = proof[0]!;
  let start = 1;
  if (m === 1n << BigInt(shift)) {
    seed = root1;
    start = 0;
  }
  if (proof.length !== start + inner + border) {
    throw corrupt(
      `consistency proof has ${proof.length} hashes, expected ${start + inner + border} from ${m} to ${n}`,
    );
  }
  const rest = proof.slice(start);
  const mask = (m - 1n) >> BigInt(shift);
  let hash1 = chainInnerRight(seed, rest.slice(0, inner), mask);
  hash1 = chainBorderRight(hash1, rest.slice(inner));
  if (!bytesEqual(hash1, root1)) throw corrupt('consistency proof does not lead to the old root');
  let hash2 = chainInner(seed, rest.slice(0, inner), mask);
  hash2 = chainBorderRight(hash2, rest.slice(inner));
  if (!bytesEqual(hash2, root2)) throw corrupt('consistency proof does not lead to the new root');
}

// --- Subtree proofs of draft-ietf-plants-merkle-tree-certs (as src/log/merkle.cc and
// transparency-dev/merkle): a subtree [start, end) is valid when start <= end and start
// is a multiple of the smallest power of two >= end - start.

export function isValidSubtree(start: bigint, end: bigint): boolean {
  if (start > end) return false;
  if (start === 0n || start === end) return true;
  const len = end - start;
  if (len > 1n << 63n) return false;
  let ceil = 1n;
  while (ceil < len) ceil <<= 1n;
  return (start & (ceil - 1n)) === 0n;
}

function validSubtreeOrThrow(start: bigint, end: bigint): void {
  if (!isValidSubtree(start, end)) {
    throw corrupt(
      `[${start}, ${end}) is not a valid subtree: start must not exceed end and must be a multiple of the smallest power of two >= end - start`,
    );
  }
}

export function verifySubtreeInclusion(
  index: number | bigint,
  start: number | bigint,
  end: number | bigint,
  leafHash: Uint8Array,
  proof: Uint8Array[],
  subtreeRoot: Uint8Array,
): void {
  const i = toU64(index, 'index');
  const s = toU64(start, 'subtree start');
  const e = toU64(end, 'subtree end');
  validSubtreeOrThrow(s, e);
  if (i < s || i >= e) throw corrupt(`leaf index ${i} is outside the subtree [${s}, ${e})`);
  checkHash(subtreeRoot, 'subtree hash');
  const calc = rootFromInclusionProof(i - s, e - s, leafHash, proof);
  if (!bytesEqual(calc, subtreeRoot)) {
    throw corrupt(`subtree [${s}, ${e}) hash computed from the proof differs from the expected one`);
  }
}

export function verifySubtreeConsistency(
  start: number | bigint,
  end: number | bigint,
  size: number | bigint,
  proof: Uint8Array[],
  subtreeRoot: Uint8Array,
  root: Uint8Array,
): void {
  const s = toU64(start, 'subtree start');
  const e = toU64(end, 'subtree end');
  const n = toU64(size, 'tree size');
  validSubtreeOrThrow(s, e);
  if (n < e) throw corrupt(`tree size ${n} is smaller than subtree end ${e}`);
  if (s === e) {
    if (proof.length !== 0) throw corrupt(`subtree [${s}, ${e}) is empty but the proof has ${proof.length} hashes`);
    if (!bytesEqual(emptyRoot(), subtreeRoot)) throw corrupt(`subtree [${s}, ${e}) is empty but its hash is not the empty root`);
    return;
  }
  if (s === 0n && e === n) {
    if (proof.length !== 0) throw corrupt(`subtree [0, ${e}) is the whole tree but the proof has ${proof.length} hashes`);
    if (!bytesEqual(subtreeRoot, root)) throw corrupt(`subtree [0, ${e}) is the whole tree but the hashes differ`);
    return;
  }
  if (proof.length === 0) throw corrupt(`empty proof for subtree [${s}, ${e}) of a tree of size ${n}`);
  checkHash(subtreeRoot, 'subtree hash');
  checkHash(root, 'root');
  proof.forEach((h, k) => checkHash(h, `proof hash ${k}`));
  const computed = rootFromSubtreeConsistency(s, e, n, proof, subtreeRoot);
  if (!bytesEqual(computed, root)) throw corrupt(`root of size ${n} computed from the proof differs from the expected one`);
}

function rootFromSubtreeConsistency(start: bigint, end: bigint, size: bigint, proof: Uint8Array[], subtreeRoot: Uint8Array): Uint8Array {
  const wrong = (want: number): Error =>
    corrupt(`subtree consistency proof has ${proof.length} hashes, [${start}, ${end}) in size ${size} needs ${want}`);
  if (end === size) {
    const level = bitLen((end - 1n) ^ start);
    const want = onesCount(start >> BigInt(level));
    if (proof.length !== want) throw wrong(want);
    return chainBorderRight(subtreeRoot, proof);
  }
  const [forkLevel, border] = decompInclusion(end - 1n, size);
  const shift = trailingZeros(end - start);
  const inner = forkLevel - shift;
  const perfect = end - start === 1n << BigInt(shift);
  const seed = perfect ? subtreeRoot : proof[0]!;
  const first = perfect ? 0 : 1;
  const want = first + inner + border;
  if (proof.length !== want) throw wrong(want);
  const rest = proof.slice(first);
  const mask = (end - 1n) >> BigInt(shift);
  if (!perfect) {
    const height = bitLen((end - 1n) ^ start);
    const subInner = Math.min(height, forkLevel) - shift;
    const subBorder = Math.max(0, border - onesCount((end - 1n) >> BigInt(height)));
    let hash1 = chainInnerRight(seed, rest.slice(0, subInner), mask);
    hash1 = chainBorderRight(hash1, rest.slice(inner, inner + subBorder));
    if (!bytesEqual(hash1, subtreeRoot)) {
      throw corrupt(`subtree [${start}, ${end}) hash computed from the proof differs from the expected one`);
    }
  }
  const hash2 = chainInner(seed, rest.slice(0, inner), mask);
  return chainBorderRight(hash2, rest.slice(inner));
}
