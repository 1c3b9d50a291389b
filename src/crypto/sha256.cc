#include "crypto/sha256.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <memory>
#include <stdexcept>

#include "base/encoding.h"

namespace aidtrace::crypto {

namespace {

// OpenSSL 3's one-shot SHA256() fetches the algorithm on every call (about 2/3 of the
// cost of hashing a 65-byte Merkle node); fetch once and keep one context per thread.
const EVP_MD* Md() {
  static const EVP_MD* md = [] {
    const EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) throw std::runtime_error("OpenSSL has no SHA-256");
    return m;
  }();
  return md;
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

EVP_MD_CTX* ThreadCtx() {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) throw std::runtime_error("OpenSSL cannot allocate a digest context");
  return ctx.get();
}

}  // namespace

Hash Sha256(std::span<const uint8_t> data) {
  Hash h;
  EVP_MD_CTX* ctx = ThreadCtx();
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx, Md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, h.data(), &len) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  return h;
}

Hash Sha256(std::string_view data) { return Sha256(AsBytes(data)); }

struct Sha256Hasher::Impl {
  EVP_MD_CTX* ctx;
};

Sha256Hasher::Sha256Hasher() : impl_(new Impl{EVP_MD_CTX_new()}) {
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 initialisation failed");
  }
}

Sha256Hasher::~Sha256Hasher() {
  EVP_MD_CTX_free(impl_->ctx);
  delete impl_;
}

Sha256Hasher& Sha256Hasher::Update(std::span<const uint8_t> data) {
  EVP_DigestUpdate(impl_->ctx, data.data(), data.size());
  return *this;
}

Sha256Hasher& Sha256Hasher::Update(std::string_view data) { return Update(AsBytes(data)); }

Hash Sha256Hasher::Final() {
  Hash h;
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, h.data(), &len);
  EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr);
  return h;
}

std::string FormatTaggedHash(const Hash& h) { return "sha256:" + HexEncode(h); }

Result<Hash> ParseTaggedHash(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256:";
  if (text.size() != kPrefix.size() + 64 || text.substr(0, kPrefix.size()) != kPrefix) {
    return Status(ErrorCode::kInvalidArgument, "expected sha256:<64 lowercase hex digits>");
  }
  for (char c : text.substr(kPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return Status(ErrorCode::kInvalidArgument, "expected sha256:<64 lowercase hex digits>");
    }
  }
  ASSIGN_OR_RETURN(Bytes b, HexDecode(text.substr(kPrefix.size())));
  Hash h;
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

}  // namespace aidtrace::crypto
