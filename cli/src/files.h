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
#include <span>
#include <string>
#include <string_view>

#include "candor/fs/read_file.h"
#include "candor/fs/sequential_file.h"
#include "candor/note.h"
#include "candor/status.h"

namespace candor::cli {

inline constexpr size_t kImageChunkSize = 64 * 1024;

// Writes `contents` to `path` atomically (see the header comment) with
// exactly `mode`. kConflict if `path` exists and !force ("use --force");
// kIo otherwise on failure.
Status WriteFileAtomic(const std::string& path, std::string_view contents, bool force,
                       unsigned mode = 0644);

// Reads a verifier key file (one key line, as `candor keygen` writes
// PREFIX.pub) and requires an Ed25519 key. `what` names the key in errors
// ("log key", "root key"): "reading <what> <path>: ...", "<what> <path>: ...".
Result<VerifierKey> ReadVerifierKeyFile(const std::string& path, std::string_view what);

// True if something (file, link, directory) exists at `path`.
bool PathExists(const std::string& path);

// A firmware image read sequentially in kImageChunkSize chunks.
using ImageFile = fs::SequentialFile;
// Opens an image for one front-to-back read.
inline Result<ImageFile> OpenImageFile(const std::string& path) {
  return fs::SequentialFile::Open(path, {.sequential_hint = true});
}

// A progress indicator on stderr for long reads: "\r<label>  42% 120/283 MiB",
// or for many inputs ("12/283 files", with ProgressUnit::kFiles).
// Silent unless enabled (an interactive stderr and a large enough total).
enum class ProgressUnit { kMiB, kFiles };
class Progress {
 public:
  Progress(std::ostream& err, std::string label, uint64_t total, bool enabled,
           ProgressUnit unit = ProgressUnit::kMiB);
  ~Progress();  // finishes the line if anything was drawn
  void Add(uint64_t n);

 private:
  void Draw();
  std::ostream& err_;
  std::string label_;
  uint64_t total_;
  uint64_t done_ = 0;
  bool enabled_;
  ProgressUnit unit_;
  int last_percent_ = -1;
};

// Images at least this big get a progress bar on an interactive stderr.
inline constexpr uint64_t kProgressThreshold = 8u << 20;

}  // namespace candor::cli

#endif  // CANDOR_CLI_FILES_H_
