// FaultEnv: an Env for tests. It forwards to the real environment but can freeze or
// step the clock, make randomness deterministic, and fail the Nth write or fsync (or
// every one after it) so tests can check that each failure is a clean error.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "base/env.h"

namespace aidtrace::testing {

class FaultEnv final : public Env {
 public:
  FaultEnv();

  Timestamp Now() override;
  void RandomBytes(std::span<uint8_t> out) override;
  Status BeforeWrite(std::string_view path, uint64_t offset, size_t n) override;
  Status BeforeSync(std::string_view path) override;

  // Freezes the clock at `t`; Now() returns it until changed. Advance() moves it.
  void FreezeClock(Timestamp t);
  void Advance(int64_t seconds);
  // Deterministic randomness from a counter-based stream seeded by `seed`.
  void SeedRandom(uint64_t seed);

  // Fail the write (sync) whose 1-based ordinal counted from now is `n`; 0 disables.
  // With `sticky`, every later one fails too (a dead disk).
  void FailWriteAt(uint64_t n, bool sticky = false);
  void FailSyncAt(uint64_t n, bool sticky = false);
  void ClearFaults();

  uint64_t writes() const { return writes_.load(); }
  uint64_t syncs() const { return syncs_.load(); }

 private:
  std::mutex mu_;
  bool frozen_ = false;
  Timestamp now_{};
  bool seeded_ = false;
  uint64_t seed_ = 0;
  uint64_t counter_ = 0;
  std::atomic<uint64_t> writes_{0}, syncs_{0};
  std::atomic<uint64_t> fail_write_at_{0}, fail_sync_at_{0};
  std::atomic<bool> write_sticky_{false}, sync_sticky_{false};
};

}  // namespace aidtrace::testing
