#include "log/merkle.h"

#include <algorithm>
#include <array>
#include <bit>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "base/encoding.h"

namespace aidtrace::log {

namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;
constexpr size_t kHashSize = 32;

// Number of bits needed to write x (0 for 0), as Go's bits.Len64.
int BitLen(uint64_t x) { return std::bit_width(x); }
int Popcount(uint64_t x) { return std::popcount(x); }
int Ctz(uint64_t x) { return std::countr_zero(x); }

Status Corrupt(std::string message) { return Status(ErrorCode::kCorrupt, std::move(message)); }

std::string Short(std::span<const uint8_t> h) { return Base64Encode(h); }

// Go's `nodes(index, level, size)`: the ids that prove the node (level, index) is part
// of the tree of `size` leaves, the node itself first. Requires index < size >> level.
ProofNodes PathNodes(uint64_t index, uint32_t level, uint64_t size) {
  // The fork is where the path from the root to (level, index) leaves the path to the
  // tree's right edge; it is a perfect subtree inside the tree. Its sibling to the
  // right (if any) is the ephemeral node that covers [fork end, size).
  const int inner = BitLen(index ^ (size >> level)) - 1;
  const NodeId fork{level + static_cast<uint32_t>(inner), index >> inner};
  const uint64_t fork_begin = fork.begin();
  const uint64_t fork_end = fork_begin + (uint64_t{1} << fork.level);

  std::vector<NodeId> left = RangeNodes(0, fork_begin);
  std::vector<NodeId> right = RangeNodes(fork_end, size);

  ProofNodes p;
  p.ids.reserve(1 + static_cast<size_t>(inner) + left.size() + right.size());
  NodeId node{level, index};
  p.ids.push_back(node);
  for (; node.level < fork.level; node = node.Parent()) p.ids.push_back(node.Sibling());
  const size_t len1 = p.ids.size();
  // The ephemeral node, smallest subtree first so Combine can fold right to left.
  p.ids.insert(p.ids.end(), right.rbegin(), right.rend());
  const size_t len2 = p.ids.size();
  // The nodes left of the fork, lowest level (nearest) first.
  p.ids.insert(p.ids.end(), left.rbegin(), left.rend());
  if (len1 < len2) {
    p.fold_begin = len1;
    p.fold_end = len2;
  }
  return p;
}

ProofNodes SkipFirst(ProofNodes p) {
  p.ids.erase(p.ids.begin());
  if (p.fold_begin < p.fold_end) {
    --p.fold_begin;
    --p.fold_end;
  }
  return p;
}

Result<std::vector<Hash>> Fetch(const ProofNodes& plan, HashReader& reader) {
  std::vector<Hash> hashes(plan.ids.size());
  if (!plan.ids.empty()) RETURN_IF_ERROR(reader.ReadHashes(plan.ids, hashes));
  return plan.Combine(hashes);
}

// The root over perfect subtrees listed left to right (as RangeNodes gives them).
Hash FoldRight(std::span<const Hash> hashes) {
  Hash r = hashes.back();
  for (size_t i = hashes.size() - 1; i-- > 0;) r = HashChildren(hashes[i], r);
  return r;
}

bool Equal(const Hash& a, std::span<const uint8_t> b) {
  return b.size() == a.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Checks that `h` is a 32-byte hash; `what` names it in the error.
Result<Hash> ToHash(std::span<const uint8_t> h, std::string_view what) {
  if (h.size() != kHashSize) {
    return Corrupt(fmt::format("{} is {} bytes, want {}", what, h.size(), kHashSize));
  }
  Hash out;
  std::copy(h.begin(), h.end(), out.begin());
  return out;
}

Result<std::vector<Hash>> ToHashes(std::span<const std::vector<uint8_t>> proof) {
  std::vector<Hash> out;
  out.reserve(proof.size());
  for (size_t i = 0; i < proof.size(); ++i) {
    ASSIGN_OR_RETURN(Hash h, ToHash(proof[i], fmt::format("proof[{}]", i)));
    out.push_back(h);
  }
  return out;
}

Status RootMismatch(std::string_view what, uint64_t size, const Hash& computed,
                    std::span<const uint8_t> expected) {
  return Corrupt(fmt::format("{} of size {} computed from the proof is {}, expected {}", what, size,
                             Short(computed), Short(expected)));
}

// Length of an RFC 6962 inclusion proof for `index` in a tree of `size` (index < size),
// split at the level where the paths to `index` and `size - 1` diverge: `inner` hashes
// below it (left or right siblings), `border` left siblings above it.
struct Decomposition {
  int inner;
  int border;
};
Decomposition DecompInclusion(uint64_t index, uint64_t size) {
  const int inner = BitLen(index ^ (size - 1));
  return {inner, Popcount(index >> inner)};
}

// RFC 9162 §2.1.3.2 on 32-byte hashes, returning the computed root.
Result<Hash> RootFromInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                               std::span<const Hash> proof) {
  if (index >= size) {
    return Corrupt(fmt::format("leaf index {} is not below tree size {}", index, size));
  }
  const Decomposition d = DecompInclusion(index, size);
  const int want_hashes = d.inner + d.border;
  const auto want = static_cast<size_t>(want_hashes);
  if (proof.size() != want) {
    return Corrupt(
        fmt::format("inclusion proof has {} hashes, a leaf at index {} of a tree of "
                    "size {} needs {}",
                    proof.size(), index, size, want));
  }
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return Corrupt("inclusion proof is longer than the path to the root");
    if ((fn & 1) != 0 || fn == sn) {
      r = HashChildren(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Corrupt("inclusion proof is shorter than the path to the root");
  return r;
}

// Go's chainInner / chainInnerRight / chainBorderRight (transparency-dev/merkle).
Hash ChainInner(Hash seed, std::span<const Hash> proof, uint64_t index) {
  for (size_t i = 0; i < proof.size(); ++i) {
    seed = ((index >> i) & 1) == 0 ? HashChildren(seed, proof[i]) : HashChildren(proof[i], seed);
  }
  return seed;
}
Hash ChainInnerRight(Hash seed, std::span<const Hash> proof, uint64_t index) {
  for (size_t i = 0; i < proof.size(); ++i) {
    if (((index >> i) & 1) == 1) seed = HashChildren(proof[i], seed);
  }
  return seed;
}
Hash ChainBorderRight(Hash seed, std::span<const Hash> proof) {
  for (const Hash& h : proof) seed = HashChildren(h, seed);
  return seed;
}

Status ValidSubtreeOrError(uint64_t start, uint64_t end) {
  if (IsValidSubtree(start, end)) return Status::Ok();
  return Corrupt(
      fmt::format("[{}, {}) is not a valid subtree: start must not exceed end and must "
                  "be a multiple of the smallest power of two >= end - start",
                  start, end));
}

}  // namespace

Hash HashLeaf(std::span<const uint8_t> leaf_data) {
  // Small leaves (the common case) are hashed in one shot from the stack; large ones
  // through the incremental hasher, without a copy.
  constexpr size_t kStackLimit = 1024;
  if (leaf_data.size() <= kStackLimit) {
    std::array<uint8_t, 1 + kStackLimit> buf;
    buf[0] = kLeafPrefix;
    std::copy(leaf_data.begin(), leaf_data.end(), buf.begin() + 1);
    return crypto::Sha256(std::span<const uint8_t>(buf.data(), 1 + leaf_data.size()));
  }
  crypto::Sha256Hasher hasher;
  const uint8_t prefix = kLeafPrefix;
  hasher.Update(std::span<const uint8_t>(&prefix, 1));
  hasher.Update(leaf_data);
  return hasher.Final();
}

Hash HashChildren(const Hash& left, const Hash& right) {
  std::array<uint8_t, 1 + 2 * kHashSize> buf;
  buf[0] = kNodePrefix;
  std::copy(left.begin(), left.end(), buf.begin() + 1);
  std::copy(right.begin(), right.end(), buf.begin() + 1 + kHashSize);
  return crypto::Sha256(std::span<const uint8_t>(buf));
}

Hash EmptyRoot() {
  static const Hash kEmpty = crypto::Sha256(std::span<const uint8_t>());
  return kEmpty;
}

std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end) {
  std::vector<NodeId> ids;
  while (begin < end) {
    int level = BitLen(end - begin) - 1;                  // the largest power of two that fits
    if (begin != 0) level = std::min(level, Ctz(begin));  // and keeps `begin` aligned
    ids.push_back({static_cast<uint32_t>(level), begin >> level});
    begin += uint64_t{1} << level;
  }
  return ids;
}

Result<std::vector<Hash>> ProofNodes::Combine(std::span<const Hash> hashes) const {
  if (hashes.size() != ids.size() || fold_begin > fold_end || fold_end > ids.size()) {
    return Status(
        ErrorCode::kInternal,
        fmt::format("proof plan has {} ids but {} hashes were given", ids.size(), hashes.size()));
  }
  std::vector<Hash> out;
  out.reserve(hashes.size());
  for (size_t i = 0; i < hashes.size();) {
    if (i == fold_begin && fold_begin < fold_end) {
      // The block lists the ephemeral node's subtrees right to left (smallest first).
      Hash h = hashes[fold_begin];
      for (size_t j = fold_begin + 1; j < fold_end; ++j) h = HashChildren(hashes[j], h);
      out.push_back(h);
      i = fold_end;
    } else {
      out.push_back(hashes[i]);
      ++i;
    }
  }
  return out;
}

Result<ProofNodes> InclusionNodes(uint64_t index, uint64_t size) {
  if (index >= size) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("leaf index {} is not below tree size {}", index, size));
  }
  return SkipFirst(PathNodes(index, 0, size));
}

Result<ProofNodes> ConsistencyNodes(uint64_t old_size, uint64_t new_size) {
  if (old_size == 0 || old_size > new_size) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("consistency proof needs 0 < old size <= new size, got {} and {}",
                              old_size, new_size));
  }
  return SubtreeConsistencyNodes(0, old_size, new_size);
}

Result<ProofNodes> SubtreeInclusionNodes(uint64_t index, uint64_t start, uint64_t end) {
  if (!IsValidSubtree(start, end)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("[{}, {}) is not a valid subtree", start, end));
  }
  if (index < start || index >= end) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("leaf index {} is outside the subtree [{}, {})", index, start, end));
  }
  // Prove inclusion in a tree of size end - start, then move every node right by
  // `start` leaves (start is aligned, so this is exact at every level used).
  ProofNodes p = SkipFirst(PathNodes(index - start, 0, end - start));
  for (NodeId& id : p.ids) id.index += start >> id.level;
  return p;
}

Result<ProofNodes> SubtreeConsistencyNodes(uint64_t start, uint64_t end, uint64_t size) {
  if (!IsValidSubtree(start, end)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("[{}, {}) is not a valid subtree", start, end));
  }
  if (end > size) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("subtree end {} is past tree size {}", end, size));
  }
  if ((start == 0 && end == size) || start == end) return ProofNodes{};
  if (end == size) {
    // The subtree is a node on the right edge: prove it with its left siblings only,
    // as the inclusion proof of the last "leaf" of a tree whose leaves are the nodes
    // at the subtree's level.
    const int level = BitLen((end - 1) ^ start);
    const uint64_t index = (end - 1) >> level;
    ProofNodes p = SkipFirst(PathNodes(index, 0, index + 1));
    for (NodeId& id : p.ids) id.level += static_cast<uint32_t>(level);
    return p;
  }
  // The largest perfect subtree of [start, end) that ends at `end`, then its inclusion
  // proof in the tree of `size`. When [start, end) is itself perfect the verifier knows
  // its hash already, so it is left out.
  const int level = Ctz(end - start);
  const uint64_t index = (end - 1) >> level;
  ProofNodes p = PathNodes(index, static_cast<uint32_t>(level), size);
  if (std::has_single_bit(end - start)) return SkipFirst(std::move(p));
  return p;
}

Frontier::Frontier() = default;

std::vector<NodeId> Frontier::Ids(uint64_t size) { return RangeNodes(0, size); }

Result<Frontier> Frontier::Load(uint64_t size, HashReader& reader) {
  const std::vector<NodeId> ids = Ids(size);
  std::vector<Hash> hashes(ids.size());
  if (!ids.empty()) RETURN_IF_ERROR(reader.ReadHashes(ids, hashes));
  Frontier f;
  f.size_ = size;
  f.hashes_ = std::move(hashes);
  return f;
}

void Frontier::Append(const Hash& leaf_hash, std::vector<std::pair<NodeId, Hash>>& completed) {
  if (size_ == UINT64_MAX) throw std::length_error("Merkle tree is full");
  Hash h = leaf_hash;
  NodeId id{0, size_};
  completed.emplace_back(id, h);
  // Each trailing one bit of the old size is a perfect subtree that the new leaf's
  // subtree now completes into a parent.
  for (uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    h = HashChildren(hashes_.back(), h);
    hashes_.pop_back();
    id = id.Parent();
    completed.emplace_back(id, h);
  }
  hashes_.push_back(h);
  ++size_;
}

Hash Frontier::Root() const {
  if (hashes_.empty()) return EmptyRoot();
  return FoldRight(hashes_);
}

Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, HashReader& reader) {
  ASSIGN_OR_RETURN(ProofNodes plan, InclusionNodes(index, size));
  return Fetch(plan, reader);
}

Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                           HashReader& reader) {
  ASSIGN_OR_RETURN(ProofNodes plan, ConsistencyNodes(old_size, new_size));
  return Fetch(plan, reader);
}

Result<std::vector<Hash>> SubtreeInclusionProof(uint64_t index, uint64_t start, uint64_t end,
                                                HashReader& reader) {
  ASSIGN_OR_RETURN(ProofNodes plan, SubtreeInclusionNodes(index, start, end));
  return Fetch(plan, reader);
}

Result<std::vector<Hash>> SubtreeConsistencyProof(uint64_t start, uint64_t end, uint64_t size,
                                                  HashReader& reader) {
  ASSIGN_OR_RETURN(ProofNodes plan, SubtreeConsistencyNodes(start, end, size));
  return Fetch(plan, reader);
}

Result<Hash> SubtreeRoot(uint64_t start, uint64_t end, HashReader& reader) {
  if (!IsValidSubtree(start, end)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("[{}, {}) is not a valid subtree", start, end));
  }
  if (start == end) return EmptyRoot();
  const std::vector<NodeId> ids = RangeNodes(start, end);
  std::vector<Hash> hashes(ids.size());
  RETURN_IF_ERROR(reader.ReadHashes(ids, hashes));
  return FoldRight(hashes);
}

Result<Hash> RootAt(uint64_t size, HashReader& reader) { return SubtreeRoot(0, size, reader); }

// ---- Verification ----------------------------------------------------------------

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  ASSIGN_OR_RETURN(Hash computed, RootFromInclusion(index, size, leaf_hash, proof));
  if (computed != root) return RootMismatch("root", size, computed, root);
  return Status::Ok();
}

Status VerifyInclusion(uint64_t index, uint64_t size, std::span<const uint8_t> leaf_hash,
                       std::span<const std::vector<uint8_t>> proof, std::span<const uint8_t> root) {
  ASSIGN_OR_RETURN(Hash leaf, ToHash(leaf_hash, "leaf hash"));
  ASSIGN_OR_RETURN(Hash r, ToHash(root, "root"));
  ASSIGN_OR_RETURN(std::vector<Hash> hashes, ToHashes(proof));
  return VerifyInclusion(index, size, leaf, hashes, r);
}

namespace {

// The size checks shared by both VerifyConsistency overloads. Sets `done` when the
// answer is known without looking at the proof hashes (equal sizes).
Status ConsistencyPreconditions(uint64_t size1, uint64_t size2, size_t proof_size,
                                std::span<const uint8_t> root1, std::span<const uint8_t> root2,
                                bool& done) {
  done = false;
  if (size2 < size1) {
    return Corrupt(fmt::format("new tree size {} is smaller than old tree size {}", size2, size1));
  }
  if (size1 == 0) {
    return Corrupt("a consistency proof from the empty tree (size 0) is meaningless");
  }
  if (size1 == size2) {
    if (proof_size != 0) {
      return Corrupt(fmt::format("sizes are equal ({}) but the proof has {} hashes, want none",
                                 size1, proof_size));
    }
    if (!std::equal(root1.begin(), root1.end(), root2.begin(), root2.end())) {
      return Corrupt(fmt::format("sizes are equal ({}) but the roots differ", size1));
    }
    done = true;
    return Status::Ok();
  }
  if (proof_size == 0) {
    return Corrupt(
        fmt::format("empty consistency proof between different sizes {} and {}", size1, size2));
  }
  return Status::Ok();
}

// RFC 9162 §2.1.4.2 for 0 < size1 < size2 and a non-empty proof.
Status VerifyConsistencyCore(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                             const Hash& root1, const Hash& root2) {
  const Decomposition d = DecompInclusion(size1 - 1, size2);
  const int shift = Ctz(size1);
  const bool old_is_perfect = std::has_single_bit(size1);
  const int want_hashes = (old_is_perfect ? 0 : 1) + (d.inner - shift) + d.border;
  const auto want = static_cast<size_t>(want_hashes);
  if (proof.size() != want) {
    return Corrupt(fmt::format("consistency proof has {} hashes, sizes {} -> {} need {}",
                               proof.size(), size1, size2, want));
  }
  // When size1 is a power of two the old root is the first node of the path.
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (old_is_perfect) path.push_back(root1);
  path.insert(path.end(), proof.begin(), proof.end());

  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return Corrupt("consistency proof is longer than the path to the root");
    if ((fn & 1) != 0 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Corrupt("consistency proof is shorter than the path to the root");
  if (fr != root1) return RootMismatch("old root", size1, fr, root1);
  if (sr != root2) return RootMismatch("new root", size2, sr, root2);
  return Status::Ok();
}

}  // namespace

Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2) {
  bool done = false;
  RETURN_IF_ERROR(ConsistencyPreconditions(size1, size2, proof.size(), root1, root2, done));
  if (done) return Status::Ok();
  return VerifyConsistencyCore(size1, size2, proof, root1, root2);
}

Status VerifyConsistency(uint64_t size1, uint64_t size2,
                         std::span<const std::vector<uint8_t>> proof,
                         std::span<const uint8_t> root1, std::span<const uint8_t> root2) {
  bool done = false;
  RETURN_IF_ERROR(ConsistencyPreconditions(size1, size2, proof.size(), root1, root2, done));
  if (done) return Status::Ok();
  ASSIGN_OR_RETURN(Hash r1, ToHash(root1, "old root"));
  ASSIGN_OR_RETURN(Hash r2, ToHash(root2, "new root"));
  ASSIGN_OR_RETURN(std::vector<Hash> hashes, ToHashes(proof));
  return VerifyConsistencyCore(size1, size2, hashes, r1, r2);
}

bool IsValidSubtree(uint64_t start, uint64_t end) {
  if (start > end) return false;
  if (start == 0 || start == end) return true;
  const uint64_t len = end - start;
  if (len > (uint64_t{1} << 63)) return false;  // only [0, end) can be that large
  const uint64_t ceil = std::bit_ceil(len);
  return (start & (ceil - 1)) == 0;
}

Status VerifySubtreeInclusion(uint64_t index, uint64_t start, uint64_t end, const Hash& leaf_hash,
                              std::span<const Hash> proof, const Hash& subtree_root) {
  RETURN_IF_ERROR(ValidSubtreeOrError(start, end));
  if (index < start || index >= end) {
    return Corrupt(fmt::format("leaf index {} is outside the subtree [{}, {})", index, start, end));
  }
  ASSIGN_OR_RETURN(Hash computed, RootFromInclusion(index - start, end - start, leaf_hash, proof));
  if (computed != subtree_root) {
    return Corrupt(fmt::format("subtree [{}, {}) hash computed from the proof is {}, expected {}",
                               start, end, Short(computed), Short(subtree_root)));
  }
  return Status::Ok();
}

Status VerifySubtreeInclusion(uint64_t index, uint64_t start, uint64_t end,
                              std::span<const uint8_t> leaf_hash,
                              std::span<const std::vector<uint8_t>> proof,
                              std::span<const uint8_t> subtree_root) {
  RETURN_IF_ERROR(ValidSubtreeOrError(start, end));
  ASSIGN_OR_RETURN(Hash leaf, ToHash(leaf_hash, "leaf hash"));
  ASSIGN_OR_RETURN(Hash r, ToHash(subtree_root, "subtree hash"));
  ASSIGN_OR_RETURN(std::vector<Hash> hashes, ToHashes(proof));
  return VerifySubtreeInclusion(index, start, end, leaf, hashes, r);
}

namespace {

// Checks before the proof hashes are looked at; sets `done` when they decide alone.
Status SubtreeConsistencyPreconditions(uint64_t start, uint64_t end, uint64_t size,
                                       size_t proof_size, std::span<const uint8_t> subtree_root,
                                       std::span<const uint8_t> root, bool& done) {
  done = false;
  RETURN_IF_ERROR(ValidSubtreeOrError(start, end));
  if (size < end) {
    return Corrupt(fmt::format("tree size {} is smaller than subtree end {}", size, end));
  }
  if (start == end) {
    // The empty subtree is part of every tree; its hash must be the empty root.
    if (proof_size != 0) {
      return Corrupt(fmt::format("subtree [{}, {}) is empty but the proof has {} hashes", start,
                                 end, proof_size));
    }
    if (!Equal(EmptyRoot(), subtree_root)) {
      return Corrupt(
          fmt::format("subtree [{}, {}) is empty but its hash is not the empty root", start, end));
    }
    done = true;
    return Status::Ok();
  }
  if (start == 0 && end == size) {
    if (proof_size != 0) {
      return Corrupt(fmt::format("subtree [0, {}) is the whole tree but the proof has {} hashes",
                                 end, proof_size));
    }
    if (!std::equal(subtree_root.begin(), subtree_root.end(), root.begin(), root.end())) {
      return Corrupt(fmt::format("subtree [0, {}) is the whole tree but the hashes differ", end));
    }
    done = true;
    return Status::Ok();
  }
  if (proof_size == 0) {
    return Corrupt(
        fmt::format("empty proof for subtree [{}, {}) of a tree of size {}", start, end, size));
  }
  return Status::Ok();
}

// transparency-dev/merkle's rootFromSubtreeConsistencyProof (with its subtree hash
// check), for a valid non-empty subtree that is not the whole tree and a non-empty
// proof.
Result<Hash> RootFromSubtreeConsistency(uint64_t start, uint64_t end, uint64_t size,
                                        std::span<const Hash> proof, const Hash& subtree_root) {
  if (end == size) {
    // The subtree is a node on the right edge: one left sibling per level where its
    // ancestor is a right child.
    const int level = BitLen((end - 1) ^ start);
    const uint64_t index = start >> level;
    const size_t want = static_cast<size_t>(Popcount(index));
    if (proof.size() != want) {
      return Corrupt(
          fmt::format("subtree consistency proof has {} hashes, [{}, {}) in size {} "
                      "needs {}",
                      proof.size(), start, end, size, want));
    }
    return ChainBorderRight(subtree_root, proof);
  }
  // Split where the paths to leaves end - 1 and size - 1 diverge.
  const Decomposition d = DecompInclusion(end - 1, size);
  const int fork_level = d.inner;
  // Height of the rightmost perfect subtree inside [start, end); the proof starts there.
  const int shift = Ctz(end - start);
  const int inner = fork_level - shift;  // > 0 because end < size
  // The proof begins with that rightmost subtree's hash, unless [start, end) is itself
  // perfect, in which case the verifier already knows it.
  const bool perfect = (end - start) == (uint64_t{1} << shift);
  const Hash seed = perfect ? subtree_root : proof[0];
  const size_t first = perfect ? 0 : 1;
  const int rest_hashes = inner + d.border;
  const size_t want = first + static_cast<size_t>(rest_hashes);
  if (proof.size() != want) {
    return Corrupt(
        fmt::format("subtree consistency proof has {} hashes, [{}, {}) in size {} "
                    "needs {}",
                    proof.size(), start, end, size, want));
  }
  const std::span<const Hash> rest = proof.subspan(first);
  const uint64_t mask = (end - 1) >> shift;
  if (!perfect) {
    // The proof holds nodes inside the subtree: they must rebuild subtree_root.
    const int height = BitLen((end - 1) ^ start);
    const int sub_inner = std::min(height, fork_level) - shift;
    const int sub_border = std::max(0, d.border - Popcount((end - 1) >> height));
    if (sub_inner < 0 || sub_inner > inner || sub_border > d.border) {
      return Status(ErrorCode::kInternal, "subtree proof decomposition out of range");
    }
    Hash hash1 = ChainInnerRight(seed, rest.first(static_cast<size_t>(sub_inner)), mask);
    hash1 = ChainBorderRight(
        hash1, rest.subspan(static_cast<size_t>(inner), static_cast<size_t>(sub_border)));
    if (hash1 != subtree_root) {
      return Corrupt(
          fmt::format("subtree [{}, {}) hash computed from the proof is {}, "
                      "expected {}",
                      start, end, Short(hash1), Short(subtree_root)));
    }
  }
  Hash hash2 = ChainInner(seed, rest.first(static_cast<size_t>(inner)), mask);
  return ChainBorderRight(hash2, rest.subspan(static_cast<size_t>(inner)));
}

}  // namespace

Status VerifySubtreeConsistency(uint64_t start, uint64_t end, uint64_t size,
                                std::span<const Hash> proof, const Hash& subtree_root,
                                const Hash& root) {
  bool done = false;
  RETURN_IF_ERROR(
      SubtreeConsistencyPreconditions(start, end, size, proof.size(), subtree_root, root, done));
  if (done) return Status::Ok();
  ASSIGN_OR_RETURN(Hash computed,
                   RootFromSubtreeConsistency(start, end, size, proof, subtree_root));
  if (computed != root) return RootMismatch("root", size, computed, root);
  return Status::Ok();
}

Status VerifySubtreeConsistency(uint64_t start, uint64_t end, uint64_t size,
                                std::span<const std::vector<uint8_t>> proof,
                                std::span<const uint8_t> subtree_root,
                                std::span<const uint8_t> root) {
  bool done = false;
  RETURN_IF_ERROR(
      SubtreeConsistencyPreconditions(start, end, size, proof.size(), subtree_root, root, done));
  if (done) return Status::Ok();
  ASSIGN_OR_RETURN(Hash sub, ToHash(subtree_root, "subtree hash"));
  ASSIGN_OR_RETURN(Hash r, ToHash(root, "root"));
  ASSIGN_OR_RETURN(std::vector<Hash> hashes, ToHashes(proof));
  ASSIGN_OR_RETURN(Hash computed, RootFromSubtreeConsistency(start, end, size, hashes, sub));
  if (computed != r) return RootMismatch("root", size, computed, r);
  return Status::Ok();
}

}  // namespace aidtrace::log
