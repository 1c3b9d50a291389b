// The log's Merkle tree: RFC 6962 / RFC 9162 hashing, the right edge of the tree
// (Frontier), proof generation from stored perfect-subtree hashes, and proof
// verification.
//
// Tree shape. Leaves are numbered 0, 1, 2, ...; the tree of size n is the RFC 6962
// Merkle Tree Hash MTH(D[0:n]). Every hash that ever needs to be stored is the root of
// a *perfect* subtree, named by NodeId{level, index}: it covers the 2^level leaves
// [index << level, (index + 1) << level). Level 0 holds the leaf hashes. A perfect
// subtree never changes once its last leaf is appended, so stored hashes are
// write-once; every other node (on the right edge of some tree size) is "ephemeral"
// and is recomputed from the perfect subtrees that cover its range. src/log/README.md
// describes the scheme in prose.
//
// Proof generation reads only perfect-subtree hashes, through a HashReader that the
// store implements. Each proof first computes the complete list of NodeIds it needs
// (the Nodes plan below, visible to callers and tests), fetches them with ONE
// ReadHashes call, and then combines them. It reads O(log n) hashes and never scans
// leaves, and works for any tree size not larger than what the store holds (any
// historical checkpoint).
//
// Verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) with
// the policy encoded in transparency-dev/merkle's test vectors (see
// shared/testdata/merkle/README.md); failures return ErrorCode::kCorrupt with a message
// that says why the proof does not hold. The subtree proofs of
// draft-ietf-plants-merkle-tree-certs behave as transparency-dev/merkle's Go code.
//
// Thread safety: the free functions are pure and thread-safe (proof generation is as
// thread-safe as the HashReader it is given). A Frontier is a value: const methods may
// be called concurrently, Append needs exclusive access.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "base/status.h"
#include "crypto/sha256.h"

namespace aidtrace::log {

using crypto::Hash;

// SHA-256(0x00 || leaf_data): the hash of one leaf.
Hash HashLeaf(std::span<const uint8_t> leaf_data);
// SHA-256(0x01 || left || right): the hash of an interior node.
Hash HashChildren(const Hash& left, const Hash& right);
// SHA-256(""): the root of the empty tree.
Hash EmptyRoot();

// A perfect (complete) subtree: covers leaves [index << level, (index + 1) << level).
// Levels run 0..63; index < 2^(64 - level).
struct NodeId {
  uint32_t level = 0;
  uint64_t index = 0;

  // First leaf covered, and one past the last (begin() + 2^level).
  uint64_t begin() const { return index << level; }
  uint64_t end() const { return (index + 1) << level; }
  NodeId Parent() const { return {level + 1, index >> 1}; }
  NodeId Sibling() const { return {level, index ^ 1}; }

  auto operator<=>(const NodeId&) const = default;  // NOLINT(modernize-use-nullptr): tidy 14 bug
};

// The source of stored perfect-subtree hashes (level 0 = leaf hashes). The store
// implements it.
class HashReader {
 public:
  virtual ~HashReader() = default;
  // Fills out[i] with the hash of ids[i] (ids.size() == out.size()); all ids are
  // perfect subtrees inside the tree. Fails with the store's Status (kNotFound when a
  // node is not stored, kIoError...), leaving `out` unspecified.
  virtual Status ReadHashes(std::span<const NodeId> ids, std::span<Hash> out) = 0;
};

// The perfect subtrees that exactly cover [begin, end), left to right (the "compact
// range"): at most 2 per level, at most 128 in all. Empty when begin >= end.
std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end);

// How to build one proof from stored hashes: the perfect subtrees to read, in proof
// order, where ids[fold_begin, fold_end) together stand for one ephemeral node on the
// right edge of the tree (the smallest subtree first; the proof hash is the fold
// HashChildren(ids[i], acc) over that block). Outside the block each id is one proof
// hash.
struct ProofNodes {
  std::vector<NodeId> ids;
  size_t fold_begin = 0;
  size_t fold_end = 0;

  // Combines the hashes read for `ids` (same length) into the proof. Fails with
  // kInternal on a length mismatch.
  Result<std::vector<Hash>> Combine(std::span<const Hash> hashes) const;
};

// The plans behind InclusionProof and ConsistencyProof. kNotFound when index >= size
// (including size == 0); kInvalidArgument when old_size == 0 or old_size > new_size.
Result<ProofNodes> InclusionNodes(uint64_t index, uint64_t size);
Result<ProofNodes> ConsistencyNodes(uint64_t old_size, uint64_t new_size);
// Plans for the subtree proofs of draft-ietf-plants-merkle-tree-certs. [start, end)
// must be a valid subtree (see IsValidSubtree); kInvalidArgument / kNotFound otherwise.
Result<ProofNodes> SubtreeInclusionNodes(uint64_t index, uint64_t start, uint64_t end);
Result<ProofNodes> SubtreeConsistencyNodes(uint64_t start, uint64_t end, uint64_t size);

// The right edge of the tree ("compact range"): the roots of the perfect subtrees that
// make up a tree of size n (one per set bit of n, at most 64 hashes). Appending a leaf
// returns every perfect-subtree hash that becomes complete, so a store can persist them
// (amortised 2 per leaf).
class Frontier {
 public:
  Frontier();  // empty tree

  // Reads the O(log n) subtree roots of a tree of `size` with one ReadHashes call.
  // Fails with the reader's Status.
  static Result<Frontier> Load(uint64_t size, HashReader& reader);
  // The ids Load reads for `size`, left (largest) to right (smallest).
  static std::vector<NodeId> Ids(uint64_t size);

  uint64_t size() const { return size_; }
  // The subtree roots, aligned with Ids(size()).
  std::span<const Hash> hashes() const { return hashes_; }

  // Appends a leaf hash; appends to `completed` a (NodeId, hash) pair for the leaf
  // itself (level 0) and for every node that becomes complete, lowest level first.
  // Precondition: size() < 2^64 - 1 (throws std::length_error otherwise).
  void Append(const Hash& leaf_hash, std::vector<std::pair<NodeId, Hash>>& completed);
  // RFC 6962 MTH of the current tree (EmptyRoot() when size is 0).
  Hash Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;
};

// Proof generation: one ReadHashes call reading O(log n) stored hashes.
// RFC 6962 PATH(index, D[size]). kNotFound when index >= size (so also when size == 0).
Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, HashReader& reader);
// RFC 6962 PROOF(old_size, D[new_size]); requires 0 < old_size <= new_size
// (kInvalidArgument otherwise). Empty when the sizes are equal.
Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                           HashReader& reader);
// MTH of the first `size` leaves (EmptyRoot() for 0, without reading).
Result<Hash> RootAt(uint64_t size, HashReader& reader);
// Subtree proofs and hashes of draft-ietf-plants-merkle-tree-certs.
Result<std::vector<Hash>> SubtreeInclusionProof(uint64_t index, uint64_t start, uint64_t end,
                                                HashReader& reader);
Result<std::vector<Hash>> SubtreeConsistencyProof(uint64_t start, uint64_t end, uint64_t size,
                                                  HashReader& reader);
// MTH of leaves [start, end) of a valid subtree (EmptyRoot() when start == end).
Result<Hash> SubtreeRoot(uint64_t start, uint64_t end, HashReader& reader);

// Verifiers. OK when the proof holds; kCorrupt with the reason otherwise. Hashes given
// as bytes must be exactly 32 bytes (the one exception: when the two sizes are equal,
// a consistency proof must be empty and the two roots byte-for-byte equal, whatever
// their length, as in the reference vectors).
Status VerifyInclusion(uint64_t index, uint64_t size, std::span<const uint8_t> leaf_hash,
                       std::span<const std::vector<uint8_t>> proof, std::span<const uint8_t> root);
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);
// size1 == 0 is an error (even 0 -> 0); size2 < size1 is an error; size1 == size2
// needs an empty proof and equal roots.
Status VerifyConsistency(uint64_t size1, uint64_t size2,
                         std::span<const std::vector<uint8_t>> proof,
                         std::span<const uint8_t> root1, std::span<const uint8_t> root2);
Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2);

// A subtree [start, end) is valid when start <= end and start is a multiple of the
// smallest power of two >= end - start (then it is a node of some tree).
bool IsValidSubtree(uint64_t start, uint64_t end);
// Inclusion of leaf `index` in the valid, non-empty subtree [start, end) whose hash is
// `subtree_root`.
Status VerifySubtreeInclusion(uint64_t index, uint64_t start, uint64_t end,
                              std::span<const uint8_t> leaf_hash,
                              std::span<const std::vector<uint8_t>> proof,
                              std::span<const uint8_t> subtree_root);
Status VerifySubtreeInclusion(uint64_t index, uint64_t start, uint64_t end, const Hash& leaf_hash,
                              std::span<const Hash> proof, const Hash& subtree_root);
// Consistency of the valid subtree [start, end) (hash `subtree_root`) with the tree of
// `size` >= end (root `root`). An empty subtree (start == end) holds exactly when the
// proof is empty and subtree_root is EmptyRoot(); `root` is then not examined.
Status VerifySubtreeConsistency(uint64_t start, uint64_t end, uint64_t size,
                                std::span<const std::vector<uint8_t>> proof,
                                std::span<const uint8_t> subtree_root,
                                std::span<const uint8_t> root);
Status VerifySubtreeConsistency(uint64_t start, uint64_t end, uint64_t size,
                                std::span<const Hash> proof, const Hash& subtree_root,
                                const Hash& root);

}  // namespace aidtrace::log
