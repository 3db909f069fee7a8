#include "cli.h"

namespace candor::cli {

std::string Usage() {
  return R"(usage: candor <command> [options]

Vendors:
  keygen          generate a signing key pair (PREFIX.key, PREFIX.pub)
  release create  sign a firmware release (image, changelog, disclosures) into a release entry
  release show    print a release entry or bundle (--json for scripts)
  publish         submit a release entry to the log, wait for a cosigned checkpoint,
                  verify the proof and write the device bundle

Devices, owners, auditors:
  verify          the device's offline verification of an image and its bundle
  audit           mirror a log, recompute its tree, index and flag releases
                  ('candor audit --help')

Run 'candor <command> --help' for the options of a command. Exit codes: docs/CLI.md.
)";
}

}  // namespace candor::cli
