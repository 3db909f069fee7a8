// OpenSigner: the one place a `--key` spec becomes a Signer (candor/signing_key.h).
#include <string>

#include "candor/pkcs11_signer.h"
#include "candor/signing_key.h"
#include "candor/ssh_agent.h"

namespace candor {

std::string DescribeKeySpec(std::string_view key_spec) {
  if (key_spec.substr(0, kPkcs11Scheme.size()) == kPkcs11Scheme) {
    return std::string(key_spec.substr(0, key_spec.find('?')));
  }
  return std::string(key_spec);
}

Result<std::unique_ptr<Signer>> OpenSigner(std::string_view key_spec,
                                           const OpenSignerOptions& options) {
  if (key_spec.substr(0, kPkcs11Scheme.size()) == kPkcs11Scheme) {
    return OpenPkcs11Signer(key_spec, options.key_type);
  }
  if (key_spec.substr(0, kSshAgentScheme.size()) == kSshAgentScheme) {
    return OpenSshAgentSigner(key_spec.substr(kSshAgentScheme.size()), options.key_type);
  }
  const std::string path(key_spec);
  CANDOR_ASSIGN_OR_RETURN(SignerKey key, ReadPrivateKeyFile(path));
  if (key.type != options.key_type) {
    return Status::InvalidArgument(path +
                                   (key.type == kKeyTypeCosignatureV1
                                        ? " is a witness (cosignature) key, not a "
                                        : " is an Ed25519 note key, not a ") +
                                   options.role);
  }
  return MakeKeySigner(std::move(key));
}

}  // namespace candor
