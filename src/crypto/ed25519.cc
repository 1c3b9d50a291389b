#include "crypto/ed25519.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

#include "base/env.h"

namespace aidtrace::crypto {

void EnsureSodiumInitialized() {
  // A function-local static is initialised exactly once even under concurrent first
  // calls (C++11 "magic statics"); sodium_init itself is also idempotent.
  static const bool kInitialized = [] {
    if (sodium_init() < 0) {
      std::fputs("aidtrace: libsodium initialisation failed\n", stderr);
      std::abort();
    }
    return true;
  }();
  (void)kInitialized;
}

KeyPair::~KeyPair() {
  sodium_memzero(seed.data(), seed.size());
  sodium_memzero(secret_key_.data(), secret_key_.size());
}

KeyPair KeyPairFromSeed(const Seed& seed) {
  EnsureSodiumInitialized();
  KeyPair pair;
  pair.seed = seed;
  // Cannot fail for a 32-byte seed.
  crypto_sign_seed_keypair(pair.public_key.data(), pair.secret_key_.data(), seed.data());
  return pair;
}

KeyPair GenerateKeyPair(Env& env) {
  Seed seed;
  env.RandomBytes(seed);
  KeyPair pair = KeyPairFromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return pair;
}

Signature Sign(const KeyPair& pair, std::span<const uint8_t> msg) {
  EnsureSodiumInitialized();
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), pair.secret_key_.data());
  return sig;
}

bool Verify(const PublicKey& public_key, std::span<const uint8_t> msg,
            std::span<const uint8_t> sig) {
  EnsureSodiumInitialized();
  if (sig.size() != kSignatureSize) return false;
  // libsodium 1.0.18 (built without ED25519_NONDETERMINISTIC/compat options) already
  // rejects s >= L, a small-order or non-canonical public key, and a small-order R;
  // the Wycheproof suite in tests/crypto pins that behaviour down.
  return crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), public_key.data()) == 0;
}

}  // namespace aidtrace::crypto
