// Directories: ParentDirectory, MakeDirectory / MakeDirectories (mkdir -p,
// durable), RemoveFile (durable unlink), SyncDirectory (fsync of a directory, which makes the
// entries created, renamed or removed in it durable), ListFiles (the regular files in a directory,
// for commands that take a directory of inputs).
//
// Thread-safety: reentrant; concurrent MakeDirectories of one path is safe
// (EEXIST is success when the path is a directory).
#ifndef CANDOR_FS_DIRECTORY_H_
#define CANDOR_FS_DIRECTORY_H_

#include <string>
#include <vector>

#include "candor/status.h"

namespace candor::fs {

// The directory part of `path`: "a/b" -> "a", "b" -> ".", "/b" -> "/".
std::string ParentDirectory(const std::string& path);

// fsyncs the directory `path`. kIo (naming the path) on failure.
Status SyncDirectory(const std::string& path);

// Removes the file `path` and fsyncs its directory, so the removal survives
// a crash. OK if there is no such file (removing is idempotent); kIo naming
// the path otherwise (a directory is not removed).
Status RemoveFile(const std::string& path);

// Creates one directory with `mode` (subject to the umask, like mkdir(1)) if
// it does not exist, then fsyncs its parent. OK if it already is a directory;
// kIo if the path exists and is something else, or mkdir fails (the parent
// must exist).
Status MakeDirectory(const std::string& path, unsigned mode = 0755);

// mkdir -p: creates `path` and any missing parents with `mode`, fsyncing the
// parent of every directory it creates. Idempotent. kIo naming the path.
Status MakeDirectories(const std::string& path, unsigned mode = 0755);

// The names of the regular files in directory `path` (symbolic links
// followed), sorted bytewise; not subdirectories, not names starting with "."
// (hidden files, and the temporary files of tools that copy files in place,
// such as rsync's, which are not complete inputs yet). kNotFound if `path`
// does not exist; kInvalidArgument if it is not a directory; kIo otherwise.
Result<std::vector<std::string>> ListFiles(const std::string& path);

}  // namespace candor::fs

#endif  // CANDOR_FS_DIRECTORY_H_
