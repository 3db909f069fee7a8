// The ssh-agent answers and OpenSSH public key lines (candor/ssh_agent.h):
// ParseSshAgentIdentities, ParseSshAgentEd25519Signature,
// ParseSshEd25519PublicKey. The first input byte picks the parser.
// Properties: only kMalformed (kInvalidArgument for another key type); an
// identities answer never yields more identities than fit in the body; a
// signature is 64 bytes and re-framed it parses to itself; a parsed public
// key's blob is SshEd25519KeyBlob of the key.
#include <cstddef>
#include <cstdint>
#include <string>

#include "candor/ssh_agent.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const ByteView body(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto ids = ParseSshAgentIdentities(body);
      if (!ids.ok()) {
        CANDOR_FUZZ_CHECK(ids.status().code() == Code::kMalformed);
        return 0;
      }
      CANDOR_FUZZ_CHECK(ids->size() * 8 + 4 <= body.size());
      return 0;
    }
    case 1: {
      auto sig = ParseSshAgentEd25519Signature(body);
      if (!sig.ok()) {
        CANDOR_FUZZ_CHECK(sig.status().code() == Code::kMalformed);
        return 0;
      }
      CANDOR_FUZZ_CHECK(sig->size() == 64);
      // string signature { string "ssh-ed25519", string sig[64] }, nothing after.
      CANDOR_FUZZ_CHECK(body.size() == 4 + 4 + 11 + 4 + 64);
      return 0;
    }
    default: {
      auto pk = ParseSshEd25519PublicKey(fuzz::AsText(body.data(), body.size()));
      if (!pk.ok()) {
        CANDOR_FUZZ_CHECK(pk.status().code() == Code::kMalformed ||
                          pk.status().code() == Code::kInvalidArgument);
        return 0;
      }
      const std::string line = "ssh-ed25519 " + Base64Encode(SshEd25519KeyBlob(*pk));
      auto again = ParseSshEd25519PublicKey(line);
      CANDOR_FUZZ_CHECK(again.ok() && *again == *pk);
      return 0;
    }
  }
}
