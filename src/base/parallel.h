// ParallelFor: runs fn(i) for i in [0, n) on up to `threads` threads (the calling
// thread included) and returns when all are done. fn must be safe to call concurrently
// for distinct i. Used for the embarrassingly parallel decode and signature checks.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace aidtrace {

inline size_t DefaultThreads() { return std::max<size_t>(1, std::thread::hardware_concurrency()); }

template <typename Fn>
void ParallelFor(size_t n, size_t threads, Fn&& fn) {
  threads = std::min(threads, n);
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::jthread> pool;
  pool.reserve(threads - 1);
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
}

}  // namespace aidtrace
