// Publisher (see publisher.h).
#include "candor/log/publisher.h"

#include <cstdio>

#include "candor/checkpoint.h"
#include "candor/merkle.h"
#include "candor/tile_reader.h"

namespace candor {

NodeReader StorageNodeReader(const TileStorage* storage, uint64_t size, uint64_t tiles_size) {
  return MakeTileNodeReader([storage](const TileId& t) { return storage->ReadTile(t); }, size,
                            tiles_size);
}

Publisher::Publisher(TileStorage* storage, Sequencer* sequencer, std::unique_ptr<Signer> key,
                     Cosigner cosigner, PublisherOptions options)
    : storage_(storage),
      sequencer_(sequencer),
      key_(std::move(key)),
      verifier_(key_->public_key()),
      cosigner_(std::move(cosigner)),
      options_(options) {}

Publisher::Publisher(TileStorage* storage, Sequencer* sequencer, SignerKey key, Cosigner cosigner,
                     PublisherOptions options)
    : Publisher(storage, sequencer, MakeKeySigner(std::move(key)), std::move(cosigner), options) {}

Publisher::~Publisher() { Stop(); }

Result<std::string> Publisher::SignCheckpoint(const Signer& key, const TreeHead& head) {
  Checkpoint cp;
  cp.origin = key.public_key().name;
  cp.size = head.size;
  cp.root_hash = head.root;
  std::string body = FormatCheckpointBody(cp);
  const Signer* signers[] = {&key};
  return SignNote(body, signers);
}

Result<std::string> Publisher::SignCheckpoint(const SignerKey& key, const TreeHead& head) {
  return SignCheckpoint(*MakeKeySigner(key), head);
}

Status Publisher::Start() {
  auto stored = storage_->ReadCheckpoint();
  TreeHead head = sequencer_->Head();
  if (stored.ok()) {
    auto cp = VerifyCheckpoint(*stored, verifier_);
    if (!cp.ok()) return cp.status().WithContext("published checkpoint");
    const Checkpoint& c = cp->checkpoint;
    if (c.size > head.size) {
      return Status::Inconsistent("published checkpoint has size " + std::to_string(c.size) +
                                  " but only " + std::to_string(head.size) +
                                  " entries are committed: refusing to fork the log");
    }
    CANDOR_ASSIGN_OR_RETURN(Hash root, TreeHash(c.size, StorageNodeReader(storage_, c.size)));
    if (!HashEqual(root, c.root_hash)) {
      return Status::Inconsistent("published checkpoint root differs from the stored tree");
    }
    auto pub = std::make_shared<PublishedCheckpoint>();
    pub->size = c.size;
    pub->root = c.root_hash;
    pub->note = *stored;
    pub->published_at = std::chrono::system_clock::now();
    pub->witnessed = !cosigner_;
    std::lock_guard<std::mutex> lock(mu_);
    latest_ = std::move(pub);
  } else if (stored.status().code() != Code::kNotFound) {
    return stored.status();
  }
  if (!Latest()) CANDOR_RETURN_IF_ERROR(PublishNow());
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void Publisher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status Publisher::PublishNow() {
  Status st = PublishOnce();
  if (options_.on_publish) options_.on_publish(st);
  std::lock_guard<std::mutex> lock(mu_);
  last_error_ = st;
  return st;
}

Status Publisher::LastError() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

Status Publisher::PublishOnce() {
  std::lock_guard<std::mutex> publish_lock(publish_mu_);
  // Tiles first: a checkpoint is only ever signed over durable tiles.
  CANDOR_ASSIGN_OR_RETURN(TreeHead head, sequencer_->Flush());
  auto prev = Latest();
  if (prev && prev->size > head.size) return Status::Internal("committed head went backwards");
  CANDOR_ASSIGN_OR_RETURN(std::string note, SignCheckpoint(*key_, head));
  if (cosigner_) {
    // Tiles of head.size are durable (Flush above); a larger new_size fails
    // with kInvalidArgument (StorageNodeReader).
    ConsistencyProofFn prove = [this, head](uint64_t old_size, uint64_t new_size) {
      return ProveConsistency(old_size, new_size, StorageNodeReader(storage_, new_size, head.size));
    };
    CANDOR_ASSIGN_OR_RETURN(note, cosigner_(note, prove));
  }
  CANDOR_RETURN_IF_ERROR(storage_->WriteCheckpoint(note));
  auto pub = std::make_shared<PublishedCheckpoint>();
  pub->size = head.size;
  pub->root = head.root;
  pub->note = std::move(note);
  pub->published_at = std::chrono::system_clock::now();
  pub->witnessed = true;  // the cosigner returned a note satisfying the quorum, or none is needed
  {
    std::lock_guard<std::mutex> lock(mu_);
    latest_ = std::move(pub);
  }
  cv_.notify_all();
  return Status::Ok();
}

std::shared_ptr<const PublishedCheckpoint> Publisher::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

std::shared_ptr<const PublishedCheckpoint> Publisher::WaitCovering(
    uint64_t index, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_until(lock, deadline, [&] { return stopping_ || (latest_ && latest_->size > index); });
  return latest_;
}

void Publisher::Run() {
  auto next = std::chrono::steady_clock::now() + options_.interval;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_until(lock, next, [&] { return stopping_; })) return;
    }
    next = std::chrono::steady_clock::now() + options_.interval;
    auto latest = Latest();
    TreeHead head = sequencer_->Head();
    bool grew = !latest || head.size != latest->size;
    bool stale = cosigner_ && options_.republish.count() > 0 && latest &&
                 std::chrono::system_clock::now() - latest->published_at >= options_.republish;
    // A checkpoint read from disk at start is cosigned again rather than
    // trusted to carry a quorum: until then /healthz says "not witnessed".
    if (cosigner_ && latest && !latest->witnessed) stale = true;
    if (!grew && !stale) continue;
    Status st = PublishNow();
    if (!st.ok()) {
      std::fprintf(stderr, "candor-log: publishing checkpoint of size %llu failed: %s\n",
                   static_cast<unsigned long long>(head.size), st.ToString().c_str());
    }
  }
}

}  // namespace candor
