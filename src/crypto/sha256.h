// SHA-256 (OpenSSL) and the `sha256:<hex>` form used inside JSON.
// Pure functions; Sha256Hasher objects are not shared between threads.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace aidtrace::crypto {

using Hash = std::array<uint8_t, 32>;

Hash Sha256(std::span<const uint8_t> data);
Hash Sha256(std::string_view data);

// Incremental hashing of several pieces without concatenating them.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  Sha256Hasher& Update(std::span<const uint8_t> data);
  Sha256Hasher& Update(std::string_view data);
  // Returns the digest; the hasher is reset and may be reused.
  Hash Final();

 private:
  struct Impl;
  Impl* impl_;
};

// "sha256:" + 64 lowercase hex digits.
std::string FormatTaggedHash(const Hash& h);
// Parses the tagged form strictly (lowercase hex only). kInvalidArgument otherwise.
Result<Hash> ParseTaggedHash(std::string_view text);

}  // namespace aidtrace::crypto
