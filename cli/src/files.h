// File helpers for the CLI over candor_fs: the output file policy (no
// clobbering unless --force) and the progress bar for long image reads.
//
// Output files are written with fs::WriteFileAtomically: a unique temporary
// file beside the destination, fsync'ed, then put in place with link(2)
// (which fails if the destination exists, so a concurrent writer cannot be
// clobbered) or, with `force`, rename(2); finally the directory is fsync'ed.
// A reader therefore sees either no file, the old file, or the complete new
// one, never a partial write. Inputs are read with fs::ReadFile (bounded) and
// images with fs::SequentialFile (64 KiB chunks, constant memory).
//
// Thread-safety: functions are thread-safe; a Progress is used by one thread.
#ifndef CANDOR_CLI_FILES_H_
#define CANDOR_CLI_FILES_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "candor/fs/read_file.h"
#include "candor/fs/sequential_file.h"
#include "candor/note.h"
#include "candor/policy.h"
#include "candor/signer.h"
#include "candor/signing_key.h"
#include "candor/status.h"

namespace candor::cli {

inline constexpr size_t kImageChunkSize = 64 * 1024;

// Writes `contents` to `path` atomically (see the header comment) with
// exactly `mode`. kConflict if `path` exists and !force ("use --force");
// kIo otherwise on failure.
Status WriteFileAtomic(const std::string& path, std::string_view contents, bool force,
                       unsigned mode = 0644);

// Opens the key a release is signed with (`--key` of `candor release create`
// and `release sign`: a key file, a PKCS#11 URI or ssh-agent:VKEY, through
// OpenSigner; Ed25519 note keys only). The one place the CLI turns a --key
// into a release signer; errors name the key without a URI's query.
Result<std::unique_ptr<Signer>> OpenReleaseSigner(const std::string& key_spec);

// Verifier key files: candor::ReadVerifierKeyFile (candor/signer.h).
using candor::ReadVerifierKeyFile;

// Reads and parses a trust policy file (c2sp.org/tlog-policy plus Candor's
// lines, candor/policy.h), at most kMaxPolicySize bytes; parse errors carry
// the context "trust policy". Warns on `err` when the quorum admits a split
// view (QuorumSplitViewWarning).
Result<TrustPolicy> ReadTrustPolicyFile(const std::string& path, std::ostream& err);

// True if something (file, link, directory) exists at `path`.
bool PathExists(const std::string& path);

// A firmware image read sequentially in kImageChunkSize chunks.
using ImageFile = fs::SequentialFile;
// Opens an image for one front-to-back read.
inline Result<ImageFile> OpenImageFile(const std::string& path) {
  return fs::SequentialFile::Open(path, {.sequential_hint = true});
}

// A progress indicator on stderr for long work: "\r<label>  42% 120/283 MiB"
// for bytes, or "\r<label>  42% 12/28 bundles" for a count of `unit`s.
// Silent unless enabled (an interactive stderr and a large enough total).
class Progress {
 public:
  // Counts bytes, shown in MiB.
  Progress(std::ostream& err, std::string label, uint64_t total, bool enabled);
  // Counts items, shown as "<done>/<total> <unit>".
  Progress(std::ostream& err, std::string label, uint64_t total, bool enabled, std::string unit);
  ~Progress();  // finishes the line if anything was drawn
  void Add(uint64_t n);

 private:
  void Draw();
  std::ostream& err_;
  std::string label_;
  uint64_t total_;
  uint64_t done_ = 0;
  bool enabled_;
  std::string unit_;  // empty: bytes, shown in MiB
  int last_percent_ = -1;
};

// Images at least this big get a progress bar on an interactive stderr.
inline constexpr uint64_t kProgressThreshold = 8u << 20;

struct Context;

// Streams the file at `path` through SHA-256 in kImageChunkSize chunks (an
// image, an observation's evidence), with a progress bar on an interactive
// stderr for large files. `what` names it in errors ("image fw.bin is
// empty": an empty file is refused, kInvalidArgument).
Status HashFile(const std::string& path, std::string_view what, Context& ctx, Hash& digest,
                uint64_t& size);

}  // namespace candor::cli

#endif  // CANDOR_CLI_FILES_H_
