// MemoryHashes: an in-memory tree store, for tests, benchmarks and tools.
//
// It keeps every perfect-subtree hash compactly, one std::vector<Hash> per level
// (level L holds floor(size / 2^L) hashes, about 2 * size hashes in all), and serves
// them through the HashReader interface exactly as a durable store would.
//
// Thread safety: not synchronised. Concurrent ReadHashes calls are safe while nobody
// appends; Append needs exclusive access.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "log/merkle.h"

namespace aidtrace::log {

class MemoryHashes : public HashReader {
 public:
  MemoryHashes() = default;

  // Appends one leaf hash and stores every node it completes.
  void Append(const Hash& leaf_hash);
  // Appends the hash of each leaf's data.
  void AppendLeaves(std::span<const std::vector<uint8_t>> leaves);

  uint64_t size() const { return frontier_.size(); }
  Hash Root() const { return frontier_.Root(); }
  const Frontier& frontier() const { return frontier_; }

  // kNotFound for a node that is not (yet) complete.
  Status ReadHashes(std::span<const NodeId> ids, std::span<Hash> out) override;

  // Number of ReadHashes calls and hashes read since construction (or ResetCounters),
  // so tests can check the access pattern of proof generation.
  uint64_t read_calls() const { return read_calls_; }
  uint64_t hashes_read() const { return hashes_read_; }
  void ResetCounters() {
    read_calls_ = 0;
    hashes_read_ = 0;
  }

 private:
  Frontier frontier_;
  std::vector<std::vector<Hash>> levels_;
  std::vector<std::pair<NodeId, Hash>> scratch_;
  uint64_t read_calls_ = 0;
  uint64_t hashes_read_ = 0;
};

}  // namespace aidtrace::log
