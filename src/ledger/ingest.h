// Ingest: feeds a stream of submission lines to a Ledger as fast as the machine allows.
// While one chunk is being sequenced and committed (one thread, mostly waiting on the
// store), the next chunk is decoded and its signatures checked on every core. Results
// reach the sink in input order, one chunk at a time, after that chunk is durable.
//
// Thread safety: Ingest is called from one thread; the source and the sink run on that
// thread. Up to two chunks are in flight: submitted one after the other, they are
// sequenced in input order (the ledger's queue is FIFO) and merge into one group commit
// when the first is still waiting.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ledger/ledger.h"

namespace aidtrace::ledger {

// Fills `chunk` (cleared by the caller) with the next lines; returns false at the end.
using ChunkSource = std::function<bool(std::vector<std::string>& chunk)>;
// Receives a chunk and one result per line: a receipt or the rejection.
using ResultSink = std::function<void(const std::vector<std::string>& chunk,
                                      const std::vector<Result<event::Receipt>>& results)>;

struct IngestStats {
  uint64_t lines = 0;
  uint64_t accepted = 0;  // receipts, including first receipts returned again
  uint64_t rejected = 0;
};

IngestStats Ingest(Ledger& ledger, const ChunkSource& source, const ResultSink& sink,
                   size_t threads = DefaultThreads());

}  // namespace aidtrace::ledger
