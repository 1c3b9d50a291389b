// Ed25519 (RFC 8032) signing and verification, through libsodium.
//
// A KeyPair is the 32-byte seed (the secret from which everything else is derived,
// and what key files store) plus the public key and the 64-byte secret key libsodium
// signs with. Signing is deterministic: the same key and message always give the same
// signature, which is what lets tests compare signed notes byte for byte.
//
// Verification is strict: besides the signature equation it rejects a non-canonical
// or small-order public key or R, and s >= L, so a signature has one valid encoding
// and every verifier of the protocol agrees on which signatures are valid (Wycheproof's
// malleability and encoding vectors all fail).
//
// Thread safety: all functions are pure and may be called from any thread. libsodium
// is initialised once, on first use, thread-safely. KeyPair is a value; it wipes its
// secret bytes on destruction.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace aidtrace {
class Env;
}  // namespace aidtrace

namespace aidtrace::crypto {

using PublicKey = std::array<uint8_t, 32>;
using Seed = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;

inline constexpr size_t kPublicKeySize = 32;
inline constexpr size_t kSeedSize = 32;
inline constexpr size_t kSignatureSize = 64;

struct KeyPair {
  Seed seed{};
  PublicKey public_key{};

  // An empty, all-zero pair: its signatures verify under no key. Build real pairs
  // with KeyPairFromSeed or GenerateKeyPair.
  KeyPair() = default;
  KeyPair(const KeyPair&) = default;
  KeyPair& operator=(const KeyPair&) = default;
  KeyPair(KeyPair&&) = default;
  KeyPair& operator=(KeyPair&&) = default;
  ~KeyPair();

  friend bool operator==(const KeyPair& a, const KeyPair& b) {
    return a.seed == b.seed && a.public_key == b.public_key;
  }

 private:
  friend KeyPair KeyPairFromSeed(const Seed& seed);
  friend Signature Sign(const KeyPair& pair, std::span<const uint8_t> msg);
  // libsodium's secret key (seed || public key), the form Sign consumes. It is kept
  // apart from the public members so that editing `public_key` can never make Sign
  // hash a public key that does not belong to the seed (which would leak the key).
  std::array<uint8_t, 64> secret_key_{};
};

// Derives the key pair of `seed` (RFC 8032 §5.1.5).
KeyPair KeyPairFromSeed(const Seed& seed);
// A fresh key pair whose seed comes from env.RandomBytes.
KeyPair GenerateKeyPair(Env& env);

// The deterministic RFC 8032 signature of `msg`.
Signature Sign(const KeyPair& pair, std::span<const uint8_t> msg);

// True when `sig` is a valid, canonically encoded signature of `msg` by `public_key`.
// False for anything else, including a `sig` that is not exactly 64 bytes.
bool Verify(const PublicKey& public_key, std::span<const uint8_t> msg,
            std::span<const uint8_t> sig);

// Aborts the process if libsodium cannot be initialised (no usable entropy source);
// every entry point of this layer calls it. Cheap after the first call.
void EnsureSodiumInitialized();

}  // namespace aidtrace::crypto
