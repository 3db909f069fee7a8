#include "candor/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace candor {
namespace {

// With OpenSSL 3, passing EVP_sha256() makes every EVP_DigestInit_ex (and
// EVP_Digest) look the implementation up again, under a lock; for a leaf or
// node hash that costs as much as the hashing itself. Fetch it once.
const EVP_MD* Md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) std::abort();
  return md;
}

}  // namespace

// EVP_MD_CTX is opaque; a failure of the digest primitives themselves means
// the process is unusable (out of memory, broken provider), so we abort rather
// than return a digest that is not one. That keeps the API value-returning.
struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
  Ctx() : md(EVP_MD_CTX_new()) {
    if (md == nullptr || EVP_DigestInit_ex(md, Md(), nullptr) != 1) std::abort();
  }
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::Update(ByteView data) {
  if (data.empty()) return;
  if (EVP_DigestUpdate(ctx_->md, data.data(), data.size()) != 1) std::abort();
}

Hash Sha256::Final() {
  Hash out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->md, out.data(), &len) != 1 || len != out.size()) std::abort();
  if (EVP_DigestInit_ex(ctx_->md, Md(), nullptr) != 1) std::abort();
  return out;
}

Hash Sha256Digest(ByteView data) {
  Hash out;
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, Md(), nullptr) != 1 ||
      len != out.size()) {
    std::abort();
  }
  return out;
}

}  // namespace candor
