#include "server/metrics.h"

#include <fmt/format.h>

namespace aidtrace::server {
namespace {
constexpr int64_t kWindowS = 10;
}

Metrics::Metrics(std::vector<std::string> route_names)
    : names_(std::move(route_names)), routes_(names_.size() + 1) {}

void Metrics::Request(int route, unsigned status, std::chrono::nanoseconds latency) {
  Route& r = routes_[route < 0 || static_cast<size_t>(route) >= names_.size()
                         ? names_.size()
                         : static_cast<size_t>(route)];
  size_t s = kStatuses.size() - 1;
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) {
      s = i;
      break;
    }
  }
  r.by_status[s].fetch_add(1, std::memory_order_relaxed);
  const auto ns = static_cast<uint64_t>(latency.count() < 0 ? 0 : latency.count());
  const uint64_t us = ns / 1000;
  size_t b = 0;
  while (b + 1 < kBucketsUs.size() && us > kBucketsUs[b]) ++b;
  r.buckets[b].fetch_add(1, std::memory_order_relaxed);
  r.sum_ns.fetch_add(ns, std::memory_order_relaxed);
}

void Metrics::Accepted(uint64_t n) {
  accepted_.fetch_add(n, std::memory_order_relaxed);
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
          .count();
  int64_t start = window_start_s_.load(std::memory_order_relaxed);
  if (now - start >= kWindowS &&
      window_start_s_.compare_exchange_strong(start, now - now % kWindowS)) {
    const uint64_t count = window_count_.exchange(0);
    // Events per second over the window that just ended (x100 for two decimals).
    last_window_rate_x100_.store(now - start >= 2 * kWindowS ? 0 : count * 100 / kWindowS);
  }
  window_count_.fetch_add(n, std::memory_order_relaxed);
}

void Metrics::Rejected(ErrorCode code) {
  const auto i = static_cast<size_t>(code);
  if (i < rejected_.size()) rejected_[i].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::Render(uint64_t log_size, uint64_t state_events) const {
  std::string out;
  out += "# HELP aidtrace_http_requests_total HTTP requests served, by route and status.\n";
  out += "# TYPE aidtrace_http_requests_total counter\n";
  auto route_name = [&](size_t i) -> std::string_view {
    return i < names_.size() ? std::string_view(names_[i]) : std::string_view("unrouted");
  };
  for (size_t i = 0; i < routes_.size(); ++i) {
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      const uint64_t n = routes_[i].by_status[s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out +=
          fmt::format("aidtrace_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                      route_name(i), kStatuses[s] == 0 ? "other" : fmt::to_string(kStatuses[s]), n);
    }
  }
  out +=
      "# HELP aidtrace_http_request_duration_seconds Time from request read to response "
      "written, by route.\n";
  out += "# TYPE aidtrace_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i < routes_.size(); ++i) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBucketsUs.size(); ++b) {
      cumulative += routes_[i].buckets[b].load(std::memory_order_relaxed);
    }
    if (cumulative == 0) continue;
    cumulative = 0;
    for (size_t b = 0; b < kBucketsUs.size(); ++b) {
      cumulative += routes_[i].buckets[b].load(std::memory_order_relaxed);
      const std::string le = kBucketsUs[b] == UINT64_MAX
                                 ? std::string("+Inf")
                                 : fmt::format("{}", static_cast<double>(kBucketsUs[b]) / 1e6);
      out += fmt::format(
          "aidtrace_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
          route_name(i), le, cumulative);
    }
    out += fmt::format(
        "aidtrace_http_request_duration_seconds_sum{{route=\"{}\"}} {:.6f}\n", route_name(i),
        static_cast<double>(routes_[i].sum_ns.load(std::memory_order_relaxed)) / 1e9);
    out += fmt::format("aidtrace_http_request_duration_seconds_count{{route=\"{}\"}} {}\n",
                       route_name(i), cumulative);
  }
  out += "# HELP aidtrace_events_accepted_total Submissions that received a receipt.\n";
  out += "# TYPE aidtrace_events_accepted_total counter\n";
  out += fmt::format("aidtrace_events_accepted_total {}\n", accepted_.load());
  out +=
      "# HELP aidtrace_ingest_events_per_second Receipts per second over the last complete "
      "10-second window.\n";
  out += "# TYPE aidtrace_ingest_events_per_second gauge\n";
  out += fmt::format("aidtrace_ingest_events_per_second {:.2f}\n",
                     static_cast<double>(last_window_rate_x100_.load()) / 100.0);
  out += "# HELP aidtrace_events_rejected_total Submissions rejected, by error code.\n";
  out += "# TYPE aidtrace_events_rejected_total counter\n";
  for (size_t i = 0; i < rejected_.size(); ++i) {
    const uint64_t n = rejected_[i].load(std::memory_order_relaxed);
    if (n == 0) continue;
    out += fmt::format("aidtrace_events_rejected_total{{code=\"{}\"}} {}\n",
                       CodeName(static_cast<ErrorCode>(i)), n);
  }
  out += "# HELP aidtrace_log_size Leaves in the log.\n# TYPE aidtrace_log_size gauge\n";
  out += fmt::format("aidtrace_log_size {}\n", log_size);
  out += "# HELP aidtrace_index_events Events the server's query index covers.\n";
  out += "# TYPE aidtrace_index_events gauge\n";
  out += fmt::format("aidtrace_index_events {}\n", state_events);
  return out;
}

}  // namespace aidtrace::server
