// The log's admission of POST /add bodies and its vendors file
// (candor/log/admission.h AdmitEntry, ParseVendorsFile / FormatVendorsFile).
// The registry holds the fixture's vendor key (written once to a temporary
// file); the input is tried both as an /add body and as a vendors file.
// Properties: an admitted entry is the body itself, its leaf hash is
// LeafHash(body), it parses as a release entry signed by a registered key and
// its equivocation keys name its products; vendors files round-trip
// (parse(format(v)) == v) and hold only Ed25519 keys, without duplicates.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "candor/log/admission.h"
#include "candor/merkle.h"
#include "candor/release.h"
#include "fuzz_util.h"

using namespace candor;

namespace {

// The fixture's vendor key and the k-of-n corpus entry's other two keys
// (make_corpus.cc, "kofn-entry").
const std::vector<VerifierKey>& RegisteredKeys() {
  static const std::vector<VerifierKey> keys = {
      fuzz::Fixture().vendor_key.verifier,
      fuzz::MakeFixedKey("acme.example/release-b", kKeyTypeEd25519, 0x32).verifier,
      fuzz::MakeFixedKey("acme.example/release-c", kKeyTypeEd25519, 0x33).verifier};
  return keys;
}

VendorRegistry& Registry() {
  static VendorRegistry* registry = [] {
    char path[] = "/tmp/candor-fuzz-vendors-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0) std::abort();
    const std::string text = FormatVendorsFile(RegisteredKeys());
    if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::abort();
    close(fd);
    auto* r = new VendorRegistry(path);
    if (!r->Refresh().ok() || r->size() != 3) std::abort();
    return r;
  }();
  return *registry;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView body(data, size);
  AdmissionOptions options;
  auto admitted = AdmitEntry(body, Registry(), options);
  if (admitted.ok()) {
    CANDOR_FUZZ_CHECK(admitted->entry == Bytes(data, data + size));
    CANDOR_FUZZ_CHECK(HashEqual(admitted->leaf, LeafHash(body)));
    auto entry = ParseReleaseEntry(body);
    CANDOR_FUZZ_CHECK(entry.ok());
    // Every key of the signer list, not only the creating one.
    for (const VerifierKey& k : SignerList(entry->manifest)) {
      CANDOR_FUZZ_CHECK(Registry().IsRegistered(k));
    }
    CANDOR_FUZZ_CHECK(admitted->vendor == entry->manifest.vendor);
    CANDOR_FUZZ_CHECK(admitted->release_keys.size() == entry->manifest.products.size());
  } else {
    CANDOR_FUZZ_CHECK(admitted.status().code() != Code::kInternal);
    // Whatever the signature, an unregistered key is refused as such: the
    // registration check comes before the verification.
    auto entry = ParseReleaseEntry(body);
    if (entry.ok() && !Registry().IsRegistered(entry->manifest.vendor_key)) {
      CANDOR_FUZZ_CHECK(admitted.status().code() == Code::kUntrustedKey);
    }
  }
  // With a rate limiter that has no tokens left, the same answer, except that
  // a registered key is refused for its rate before its signature is checked.
  {
    static RateLimiter* exhausted = [] {
      auto* l = new RateLimiter(1e-9, 1);
      for (const VerifierKey& k : RegisteredKeys()) l->Take(FormatVerifierKey(k));
      return l;
    }();
    uint64_t retry = 0;
    auto limited = AdmitEntry(body, Registry(), options, exhausted, &retry);
    if (limited.ok()) {
      CANDOR_FUZZ_CHECK(false);  // no registered key has tokens
    } else if (limited.status().code() == Code::kRateLimited) {
      CANDOR_FUZZ_CHECK(retry >= 1);
      CANDOR_FUZZ_CHECK(admitted.ok() || admitted.status().code() == Code::kBadSignature ||
                        admitted.status().code() == Code::kMismatch ||
                        admitted.status().code() == Code::kMalformed);
    } else {
      CANDOR_FUZZ_CHECK(limited.status().code() == admitted.status().code());
    }
  }

  auto vendors = ParseVendorsFile(fuzz::AsText(data, size));
  if (vendors.ok()) {
    for (size_t i = 0; i < vendors->size(); ++i) {
      CANDOR_FUZZ_CHECK((*vendors)[i].type == kKeyTypeEd25519);
      for (size_t j = 0; j < i; ++j) CANDOR_FUZZ_CHECK(!((*vendors)[i] == (*vendors)[j]));
    }
    auto again = ParseVendorsFile(FormatVendorsFile(*vendors));
    CANDOR_FUZZ_CHECK(again.ok() && *again == *vendors);
  }
  return 0;
}
