#include "testing/fault_env.h"

#include <sodium.h>

#include <fmt/format.h>

namespace aidtrace::testing {

FaultEnv::FaultEnv() { Env::Default(); }

Timestamp FaultEnv::Now() {
  std::lock_guard lock(mu_);
  if (frozen_) return now_;
  return Env::Default()->Now();
}

void FaultEnv::RandomBytes(std::span<uint8_t> out) {
  std::lock_guard lock(mu_);
  if (!seeded_) {
    Env::Default()->RandomBytes(out);
    return;
  }
  uint8_t seed[randombytes_SEEDBYTES] = {};
  for (int i = 0; i < 8; ++i) {
    seed[i] = static_cast<uint8_t>(seed_ >> (8 * i));
    seed[8 + i] = static_cast<uint8_t>(counter_ >> (8 * i));
  }
  ++counter_;
  randombytes_buf_deterministic(out.data(), out.size(), seed);
}

Status FaultEnv::BeforeWrite(std::string_view path, uint64_t, size_t) {
  const uint64_t n = ++writes_;
  const uint64_t at = fail_write_at_.load();
  if (at != 0 && (n == at || (write_sticky_ && n > at))) {
    return Status(ErrorCode::kIoError, fmt::format("injected write failure #{} on {}", n, path));
  }
  return Status::Ok();
}

Status FaultEnv::BeforeSync(std::string_view path) {
  const uint64_t n = ++syncs_;
  const uint64_t at = fail_sync_at_.load();
  if (at != 0 && (n == at || (sync_sticky_ && n > at))) {
    return Status(ErrorCode::kIoError, fmt::format("injected fsync failure #{} on {}", n, path));
  }
  return Status::Ok();
}

void FaultEnv::FreezeClock(Timestamp t) {
  std::lock_guard lock(mu_);
  frozen_ = true;
  now_ = t;
}

void FaultEnv::Advance(int64_t seconds) {
  std::lock_guard lock(mu_);
  now_.seconds += seconds;
}

void FaultEnv::SeedRandom(uint64_t seed) {
  std::lock_guard lock(mu_);
  seeded_ = true;
  seed_ = seed;
  counter_ = 0;
}

void FaultEnv::FailWriteAt(uint64_t n, bool sticky) {
  write_sticky_ = sticky;
  fail_write_at_ = n == 0 ? 0 : writes_.load() + n;
}

void FaultEnv::FailSyncAt(uint64_t n, bool sticky) {
  sync_sticky_ = sticky;
  fail_sync_at_ = n == 0 ? 0 : syncs_.load() + n;
}

void FaultEnv::ClearFaults() {
  fail_write_at_ = 0;
  fail_sync_at_ = 0;
  write_sticky_ = false;
  sync_sticky_ = false;
}

}  // namespace aidtrace::testing
