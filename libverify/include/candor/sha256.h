// SHA-256, streaming and one-shot, backed by OpenSSL's libcrypto EVP interface,
// which dispatches to SHA-NI / ARMv8 crypto extensions where the CPU has them.
//
// Thread-safety: a Sha256 object is not thread-safe; distinct objects may be
// used concurrently. The free functions are thread-safe.
#ifndef CANDOR_SHA256_H_
#define CANDOR_SHA256_H_

#include <memory>

#include "candor/bytes.h"

namespace candor {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(ByteView data);
  void Update(std::string_view data) { Update(AsBytes(data)); }
  // Returns the digest and resets the object for a new message.
  Hash Final();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

Hash Sha256Digest(ByteView data);
inline Hash Sha256Digest(std::string_view data) { return Sha256Digest(AsBytes(data)); }

}  // namespace candor

#endif  // CANDOR_SHA256_H_
