#include "log/memory_hashes.h"

#include <fmt/format.h>

namespace aidtrace::log {

void MemoryHashes::Append(const Hash& leaf_hash) {
  scratch_.clear();
  frontier_.Append(leaf_hash, scratch_);
  for (const auto& [id, hash] : scratch_) {
    if (levels_.size() <= id.level) levels_.resize(id.level + 1);
    // Nodes complete in index order within a level, so each is the next one.
    levels_[id.level].push_back(hash);
  }
}

void MemoryHashes::AppendLeaves(std::span<const std::vector<uint8_t>> leaves) {
  for (const auto& leaf : leaves) Append(HashLeaf(leaf));
}

Status MemoryHashes::ReadHashes(std::span<const NodeId> ids, std::span<Hash> out) {
  ++read_calls_;
  hashes_read_ += ids.size();
  if (ids.size() != out.size()) {
    return Status(ErrorCode::kInternal, "ReadHashes: ids and out differ in length");
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    const NodeId& id = ids[i];
    if (id.level >= levels_.size() || id.index >= levels_[id.level].size()) {
      return Status(ErrorCode::kNotFound,
                    fmt::format("node (level {}, index {}) is not stored in a tree of size {}",
                                id.level, id.index, size()));
    }
    out[i] = levels_[id.level][id.index];
  }
  return Status::Ok();
}

}  // namespace aidtrace::log
