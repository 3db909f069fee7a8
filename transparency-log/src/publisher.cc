// Publisher (see publisher.h).
#include "candor/log/publisher.h"

#include <cstdio>

#include "candor/checkpoint.h"
#include "candor/merkle.h"
#include "candor/tile_reader.h"

namespace candor {

NodeReader StorageNodeReader(const LogStore* storage, uint64_t size, uint64_t tiles_size) {
  return MakeTileNodeReader([storage](const TileId& t) { return storage->ReadTile(t); }, size,
                            tiles_size);
}

Publisher::Publisher(LogStore* store, Sequencer* sequencer, std::unique_ptr<Signer> key,
                     Cosigner cosigner, PublisherOptions options)
    : store_(store),
      sequencer_(sequencer),
      key_(std::move(key)),
      verifier_(key_->public_key()),
      cosigner_(std::move(cosigner)),
      options_(options) {}

Publisher::Publisher(LogStore* store, Sequencer* sequencer, SignerKey key, Cosigner cosigner,
                     PublisherOptions options)
    : Publisher(store, sequencer, MakeKeySigner(std::move(key)), std::move(cosigner), options) {}

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

Status Publisher::AdoptStored(const std::string& note, const Checkpoint& c, bool witnessed) {
  auto prev = Latest();
  if (prev && prev->size > c.size) {
    return Status::Inconsistent("the store's checkpoint (size " + std::to_string(c.size) +
                                ") is older than the one served (size " +
                                std::to_string(prev->size) + ")");
  }
  auto pub = std::make_shared<PublishedCheckpoint>();
  pub->size = c.size;
  pub->root = c.root_hash;
  pub->note = note;
  pub->published_at = std::chrono::system_clock::now();
  pub->witnessed = witnessed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    latest_ = std::move(pub);
  }
  cv_.notify_all();
  return Status::Ok();
}

Status Publisher::Start() {
  auto stored = store_->ReadCheckpoint();
  // The store's head, read after the checkpoint: another process sharing the
  // store may have committed (and published) since this one's sequencer
  // opened, and the head only grows.
  auto stored_head = store_->Head();
  if (!stored_head.ok()) return stored_head.status().WithContext("reading the committed head");
  TreeHead head = *stored_head;
  if (stored.ok()) {
    auto cp = VerifyCheckpoint(*stored, verifier_);
    if (!cp.ok()) return cp.status().WithContext("published checkpoint");
    const Checkpoint& c = cp->checkpoint;
    if (c.size > head.size) {
      return Status::Inconsistent("published checkpoint has size " + std::to_string(c.size) +
                                  " but only " + std::to_string(head.size) +
                                  " entries are committed: refusing to fork the log");
    }
    CANDOR_ASSIGN_OR_RETURN(Hash root, TreeHash(c.size, StorageNodeReader(store_, c.size)));
    if (!HashEqual(root, c.root_hash)) {
      return Status::Inconsistent("published checkpoint root differs from the stored tree");
    }
    CANDOR_RETURN_IF_ERROR(AdoptStored(*stored, c, /*witnessed=*/!cosigner_));
  } else if (stored.status().code() != Code::kNotFound) {
    return stored.status();
  }
  if (!Latest()) {
    auto held = store_->RenewIntegratorLease();
    if (held.ok() && *held) CANDOR_RETURN_IF_ERROR(PublishNow());
  }
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

bool Publisher::integrator() const {
  std::lock_guard<std::mutex> lock(mu_);
  return integrator_;
}

Status Publisher::AdoptPublished() {
  auto stored = store_->ReadCheckpoint();
  if (!stored.ok()) return stored.status();
  // Unchanged since the last tick (the common case): nothing to verify.
  if (auto prev = Latest(); prev && prev->note == *stored) return Status::Ok();
  auto cp = VerifyCheckpoint(*stored, verifier_);
  if (!cp.ok()) return cp.status().WithContext("published checkpoint");
  // The integrator publishes only a quorum's checkpoint.
  return AdoptStored(*stored, cp->checkpoint, /*witnessed=*/true);
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
      return ProveConsistency(old_size, new_size, StorageNodeReader(store_, new_size, head.size));
    };
    CANDOR_ASSIGN_OR_RETURN(note, cosigner_(note, prove));
  }
  CANDOR_RETURN_IF_ERROR(store_->WriteCheckpoint(note));
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
    // The lease is renewed every tick, so another process takes over within
    // the store's lease time when this one dies (log_store.h).
    auto held = store_->RenewIntegratorLease();
    {
      std::lock_guard<std::mutex> lock(mu_);
      integrator_ = held.ok() && *held;
    }
    if (!held.ok() || !*held) {
      Status st = AdoptPublished();
      if (!st.ok() && st.code() != Code::kNotFound) {
        std::fprintf(stderr, "candor-log: following the published checkpoint failed: %s\n",
                     st.ToString().c_str());
      }
      continue;
    }
    auto latest = Latest();
    // The store's head: other processes sharing the store commit too.
    auto stored_head = store_->Head();
    TreeHead head = stored_head.ok() ? *stored_head : sequencer_->Head();
    bool grew = !latest || head.size != latest->size;
    bool stale = cosigner_ && options_.republish.count() > 0 && latest &&
                 std::chrono::system_clock::now() - latest->published_at >= options_.republish;
    // A checkpoint read from disk at start is cosigned again rather than
    // trusted to carry a quorum: until then /healthz says "not witnessed".
    // (One adopted from the integrator while following was published by it
    // with a quorum.)
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
