// LogIndex on LevelDB (see index.h).
//
// Keys (one tag byte, then the key proper; integers 8-byte big-endian so that
// entries sort by index):
//   'H'                 -> committed head: size (8) || root (32)
//   'F'                 -> flushed size (8)
//   'P' || index (8)    -> entry bytes (committed, not yet in tiles)
//   'L' || leaf (32)    -> index (8)
//   'R' || release key  -> index (8) || leaf (32)
#include "candor/log/index.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "candor/merkle.h"

namespace candor {
namespace {

Status DbError(const leveldb::Status& s, std::string_view what) {
  return Status::Io(std::string(what) + ": " + s.ToString());
}

std::string EncodeU64(uint64_t v) {
  Bytes out;
  AppendU64BE(out, v);
  return std::string(AsChars(out));
}

std::string U64Key(char tag, uint64_t v) { return std::string(1, tag) + EncodeU64(v); }

uint64_t ReadU64(const char* p) { return ReadU64BE(reinterpret_cast<const uint8_t*>(p)); }

std::string LeafKey(const Hash& leaf) {
  std::string k(1, 'L');
  k.append(reinterpret_cast<const char*>(leaf.data()), leaf.size());
  return k;
}

std::string ReleaseKey(std::string_view release_key) {
  std::string k(1, 'R');
  k.append(release_key);
  return k;
}

const std::string kHeadKey = "H";
const std::string kFlushedKey = "F";

}  // namespace

Result<std::unique_ptr<LogIndex>> LogIndex::Open(const std::string& path) {
  std::unique_ptr<LogIndex> idx(new LogIndex());
  idx->filter_.reset(leveldb::NewBloomFilterPolicy(10));
  idx->cache_.reset(leveldb::NewLRUCache(size_t{32} << 20));
  leveldb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;  // refuse to run on a corrupted index
  options.filter_policy = idx->filter_.get();
  options.block_cache = idx->cache_.get();
  options.write_buffer_size = size_t{32} << 20;
  options.max_file_size = size_t{8} << 20;  // fewer, larger tables to merge
  options.max_open_files = 512;
  // Hashes, signatures and keys do not compress: snappy only cost CPU.
  options.compression = leveldb::kNoCompression;
  leveldb::DB* db = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, path, &db);
  // Opening recovers LevelDB's log into a new table and manifest (written and
  // fsynced). A failed fsync there is like a crash during recovery, which
  // LevelDB is built to survive (the manifest switch is an atomic rename), so
  // a transient I/O error is retried, for about 5 s, before giving up.
  // (tests/faults/log_faults_test.cc restarts with 20 % of fsyncs failing.)
  for (int attempt = 1; s.IsIOError() && attempt < 30; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(20 * attempt, 200)));
    s = leveldb::DB::Open(options, path, &db);
  }
  if (!s.ok()) return DbError(s, "opening the index " + path);
  idx->db_.reset(db);
  auto head = idx->Head();
  if (!head.ok() && head.status().code() == Code::kNotFound) {
    leveldb::WriteBatch batch;
    Hash empty = EmptyTreeHash();
    batch.Put(kHeadKey,
              EncodeU64(0) + std::string(reinterpret_cast<const char*>(empty.data()), 32));
    batch.Put(kFlushedKey, EncodeU64(0));
    leveldb::WriteOptions sync;
    sync.sync = true;
    s = idx->db_->Write(sync, &batch);
    if (!s.ok()) return DbError(s, "initialising the index");
  } else if (!head.ok()) {
    return head.status();
  }
  return idx;
}

LogIndex::~LogIndex() {
  db_.reset();  // before the cache and filter it uses
}

Result<TreeHead> LogIndex::Head() {
  std::string v;
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), kHeadKey, &v);
  if (s.IsNotFound()) return Status::NotFound("no tree head");
  if (!s.ok()) return DbError(s, "reading the head");
  if (v.size() != 40) return Status::Internal("bad stored head");
  TreeHead head;
  head.size = ReadU64(v.data());
  std::memcpy(head.root.data(), v.data() + 8, 32);
  return head;
}

Result<std::optional<uint64_t>> LogIndex::FindLeaf(const Hash& leaf) {
  std::string v;
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), LeafKey(leaf), &v);
  if (s.IsNotFound()) return std::optional<uint64_t>();
  if (!s.ok()) return DbError(s, "finding a leaf");
  if (v.size() != 8) return Status::Internal("bad stored leaf index");
  return std::optional<uint64_t>(ReadU64(v.data()));
}

Result<std::optional<ReleaseRecord>> LogIndex::FindRelease(const std::string& release_key) {
  std::string v;
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), ReleaseKey(release_key), &v);
  if (s.IsNotFound()) return std::optional<ReleaseRecord>();
  if (!s.ok()) return DbError(s, "finding a release");
  if (v.size() != 40) return Status::Internal("bad stored release");
  ReleaseRecord rec;
  rec.index = ReadU64(v.data());
  std::memcpy(rec.leaf.data(), v.data() + 8, 32);
  return std::optional<ReleaseRecord>(rec);
}

Status LogIndex::Commit(const std::vector<IndexRow>& rows, const TreeHead& head) {
  leveldb::WriteBatch batch;
  for (const IndexRow& row : rows) {
    const std::string index = EncodeU64(row.index);
    const std::string leaf(reinterpret_cast<const char*>(row.leaf.data()), row.leaf.size());
    batch.Put(LeafKey(row.leaf), index);
    for (const std::string& key : row.release_keys) batch.Put(ReleaseKey(key), index + leaf);
    batch.Put(U64Key('P', row.index),
              leveldb::Slice(reinterpret_cast<const char*>(row.entry.data()), row.entry.size()));
  }
  batch.Put(kHeadKey, EncodeU64(head.size) +
                          std::string(reinterpret_cast<const char*>(head.root.data()), 32));
  leveldb::WriteOptions sync;
  sync.sync = true;  // one fsync of LevelDB's log: the batch's commit point
  leveldb::Status s = db_->Write(sync, &batch);
  if (!s.ok()) return DbError(s, "committing a batch");
  return Status::Ok();
}

Result<uint64_t> LogIndex::FlushedSize() {
  std::string v;
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), kFlushedKey, &v);
  if (!s.ok()) return DbError(s, "reading the flushed size");
  if (v.size() != 8) return Status::Internal("bad stored flushed size");
  return ReadU64(v.data());
}

Result<std::vector<Bytes>> LogIndex::PendingEntries(uint64_t from) {
  std::vector<Bytes> out;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(U64Key('P', from)); it->Valid() && it->key()[0] == 'P'; it->Next()) {
    if (it->key().size() != 9 || ReadU64(it->key().data() + 1) != from + out.size()) {
      return Status::Inconsistent("committed entries are not contiguous from " +
                                  std::to_string(from));
    }
    const auto* p = reinterpret_cast<const uint8_t*>(it->value().data());
    out.emplace_back(p, p + it->value().size());
  }
  if (!it->status().ok()) return DbError(it->status(), "reading committed entries");
  return out;
}

Status LogIndex::MarkFlushed(uint64_t size) {
  CANDOR_ASSIGN_OR_RETURN(uint64_t previous, FlushedSize());
  if (size < previous) return Status::Internal("flushed size would go backwards");
  leveldb::WriteBatch batch;
  batch.Put(kFlushedKey, EncodeU64(size));
  for (uint64_t i = previous; i < size; ++i) batch.Delete(U64Key('P', i));
  // Not synced: if this is lost in a crash, the restart rebuilds from the
  // previous flushed size and the entries still pending, which is the same
  // tree; the next synced commit makes it durable anyway (one ordered log).
  leveldb::Status s = db_->Write(leveldb::WriteOptions(), &batch);
  if (!s.ok()) return DbError(s, "recording flushed tiles");
  return Status::Ok();
}

}  // namespace candor
