// Metrics: counters and latency histograms of the HTTP server, rendered in the
// Prometheus text format at GET /metrics. Routes are numbered by the router; statuses
// and error codes use fixed tables, so recording is a few relaxed atomic increments.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace aidtrace::server {

class Metrics {
 public:
  explicit Metrics(std::vector<std::string> route_names);

  // One request served: its route (an index into route_names, or -1 when unrouted),
  // HTTP status and latency from the end of reading to the end of writing.
  void Request(int route, unsigned status, std::chrono::nanoseconds latency);
  // Submissions answered by POST /v1/events: accepted (receipts) and rejected by code.
  void Accepted(uint64_t n);
  void Rejected(ErrorCode code);

  // Prometheus text; `log_size` and `state_events` are gauges the caller reads.
  std::string Render(uint64_t log_size, uint64_t state_events) const;

 private:
  static constexpr std::array<unsigned, 14> kStatuses = {200, 400, 401, 403, 404, 405, 408,
                                                         409, 413, 422, 429, 500, 503, 0};
  // Upper bounds of the latency buckets, in microseconds (the last is +Inf).
  static constexpr std::array<uint64_t, 12> kBucketsUs = {
      50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 1000000, UINT64_MAX};
  struct Route {
    std::array<std::atomic<uint64_t>, kStatuses.size()> by_status{};
    std::array<std::atomic<uint64_t>, kBucketsUs.size()> buckets{};
    std::atomic<uint64_t> sum_ns{0};
  };

  std::vector<std::string> names_;
  std::vector<Route> routes_;  // names_.size() + 1 (the last: unrouted)
  std::atomic<uint64_t> accepted_{0};
  std::array<std::atomic<uint64_t>, 64> rejected_{};
  // Ingest rate: accepted events in the current and the previous 10-second window.
  std::atomic<int64_t> window_start_s_{0};
  std::atomic<uint64_t> window_count_{0};
  std::atomic<uint64_t> last_window_rate_x100_{0};
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace aidtrace::server
