#include "cli.h"

namespace candor::cli {

std::string Usage() {
  return R"(usage: candor <command> [options]

Vendors:
  keygen          generate a signing key pair (PREFIX.key, PREFIX.pub)
  release create  sign a firmware release (image, changelog, disclosures) into a release entry
  release sign    add one signature of a k-of-n signer list to a release entry (offline)
  release show    print a release entry or bundle (--json for scripts)
  publish         submit a release entry (or a trust root) to the log, wait for a
                  cosigned checkpoint, verify the proof and write the device bundle
  bundle refresh  renew a bundle's proofs against the log's newest checkpoint, from its
                  tiles alone (any static copy of the log); many bundles with --out-dir
  trust create    write a trust root (device policy, root keys, expiry), first signature
  trust sign      add one root key's signature to a trust root, in place
  trust show      print a trust root and which root keys signed it (--json for scripts)

Devices, owners, auditors:
  verify          the device's offline verification of an image and its bundle
  observe create  sign an observation: what a device running a logged release was seen
                  to do (findings, evidence hash, summary), from the release's bundle
  observe publish submit an observation to the log and write its bundle (as publish)
  observe show    print an observation, its signature verified (--json for scripts)
  audit           mirror a log, recompute its tree, index, flag, find and export
                  releases
                  ('candor audit --help')

Run 'candor <command> --help' for the options of a command. Exit codes: docs/CLI.md.
)";
}

}  // namespace candor::cli
