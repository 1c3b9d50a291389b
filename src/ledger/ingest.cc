#include "ledger/ingest.h"

#include <deque>
#include <future>
#include <memory>

#include "base/parallel.h"

namespace aidtrace::ledger {
namespace {

struct InFlight {
  std::shared_ptr<std::vector<std::string>> chunk;
  std::future<std::vector<Result<event::Receipt>>> results;
  std::shared_future<void> queued;  // set once this chunk joined the ledger's queue
};

// Chunks submitted but not yet handed to the sink. Two in flight let the ledger merge
// them into one group commit while the next chunk is being prepared.
constexpr size_t kDepth = 4;

}  // namespace

IngestStats Ingest(Ledger& ledger, const ChunkSource& source, const ResultSink& sink,
                   size_t threads) {
  IngestStats stats;
  std::deque<InFlight> inflight;
  auto drain_one = [&] {
    InFlight f = std::move(inflight.front());
    inflight.pop_front();
    const auto results = f.results.get();
    stats.lines += results.size();
    for (const auto& r : results) (r.ok() ? stats.accepted : stats.rejected)++;
    sink(*f.chunk, results);
  };
  for (;;) {
    auto chunk = std::make_shared<std::vector<std::string>>();
    if (!source(*chunk) || chunk->empty()) break;
    // Decode and pre-verify on every core. Keys added by chunks still in flight are not
    // known yet; their signatures are checked in the serial stage instead.
    std::vector<Result<Prepared>> prepared(chunk->size(), Status(ErrorCode::kInternal, ""));
    ParallelFor(chunk->size(), threads,
                [&](size_t i) { prepared[i] = ledger.Prepare((*chunk)[i]); });
    while (inflight.size() >= kDepth) drain_one();
    // Chunks must join the ledger's queue in input order: each task waits until the
    // previous one has joined before it submits.
    std::shared_future<void> previous =
        inflight.empty() ? std::shared_future<void>() : inflight.back().queued;
    auto queued = std::make_shared<std::promise<void>>();
    std::shared_future<void> queued_future = queued->get_future().share();
    auto task = [&ledger, prepared = std::move(prepared), previous, queued]() mutable {
      if (previous.valid()) previous.wait();
      std::vector<Prepared> items;
      std::vector<size_t> where;
      items.reserve(prepared.size());
      std::vector<Result<event::Receipt>> results;
      results.reserve(prepared.size());
      for (size_t i = 0; i < prepared.size(); ++i) {
        if (prepared[i].ok()) {
          items.push_back(std::move(*prepared[i]));
          where.push_back(i);
          results.emplace_back(Status(ErrorCode::kInternal, "not sequenced"));
        } else {
          results.emplace_back(prepared[i].status());
        }
      }
      auto submitted = ledger.Submit(std::move(items), [&queued] { queued->set_value(); });
      for (size_t k = 0; k < where.size(); ++k) results[where[k]] = std::move(submitted[k]);
      return results;
    };
    inflight.push_back({chunk, std::async(std::launch::async, std::move(task)), queued_future});
  }
  while (!inflight.empty()) drain_one();
  return stats;
}

}  // namespace aidtrace::ledger
