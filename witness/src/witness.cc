#include "candor/witness/witness.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <utility>

#include "candor/checkpoint.h"
#include "candor/cosignature.h"
#include "candor/merkle.h"

namespace candor {

struct Witness::LogSlot {
  std::mutex mu;
  std::string origin;
  bool loaded = false;  // state mirrors the disk
  std::optional<WitnessLogState> state;
  uint64_t last_timestamp = 0;  // cosignature timestamps never go backwards
};

namespace {

uint64_t SystemClock() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  return secs < 0 ? 0 : static_cast<uint64_t>(secs);
}

AddCheckpointResult Fail(Status status) {
  AddCheckpointResult r;
  r.status = std::move(status);
  return r;
}

// What Create requires of a list of logs.
Status ValidateLogs(const std::vector<WitnessedLog>& logs) {
  std::set<std::string_view> seen;
  for (const auto& log : logs) {
    CANDOR_RETURN_IF_ERROR(ValidateWitnessOrigin(log.origin));
    if (!seen.insert(log.origin).second) {
      return Status::InvalidArgument("origin configured twice: " + log.origin);
    }
    for (size_t i = 0; i < log.keys.size(); ++i) {
      const VerifierKey& k = log.keys[i];
      if (k.type != kKeyTypeEd25519) {
        return Status::InvalidArgument("log key for " + log.origin + " is not Ed25519");
      }
      // VerifyNote cannot tell two keys with one (name, key ID) apart; refuse
      // the configuration rather than every checkpoint they sign.
      for (size_t j = 0; j < i; ++j) {
        if (log.keys[j].name == k.name && log.keys[j].key_id == k.key_id && !(log.keys[j] == k)) {
          return Status::InvalidArgument("two log keys for " + log.origin +
                                         " share the name and key ID of " + k.name);
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

WitnessHttpReply ToHttpReply(const AddCheckpointResult& result) {
  WitnessHttpReply reply;
  if (result.status.ok()) {
    reply.status = 200;
    reply.content_type = "text/plain; charset=utf-8";
    reply.body = result.cosignatures;
    return reply;
  }
  reply.status = HttpStatusFor(result.status.code());
  reply.candor_error = std::string(CodeName(result.status.code()));
  if (result.status.code() == Code::kConflict && result.stored_size.has_value()) {
    // §add-checkpoint: the body MUST be the latest cosigned size, text/x.tlog.size.
    reply.content_type = std::string(kTlogSizeContentType);
    reply.body = FormatTlogSize(*result.stored_size);
    return reply;
  }
  reply.content_type = "text/plain; charset=utf-8";
  std::string msg = result.status.message();
  std::replace(msg.begin(), msg.end(), '\n', ' ');
  reply.body = msg + "\n";
  return reply;
}

Witness::Witness(std::unique_ptr<Signer> key, std::vector<WitnessedLog> logs, std::string state_dir,
                 WitnessOptions options)
    : key_(std::move(key)),
      public_key_(key_->public_key()),
      store_(std::move(state_dir)),
      options_(std::move(options)),
      logs_(std::make_shared<const std::vector<WitnessedLog>>(std::move(logs))) {
  if (!options_.clock) options_.clock = SystemClock;
}

Witness::LogSlot& Witness::SlotLocked(const std::string& origin) {
  auto it = slots_.find(origin);
  if (it == slots_.end()) {
    auto slot = std::make_unique<LogSlot>();
    slot->origin = origin;
    it = slots_.emplace(origin, std::move(slot)).first;
  }
  return *it->second;
}

std::vector<WitnessedLog> Witness::logs() const {
  std::lock_guard<std::mutex> lock(config_mu_);
  return *logs_;
}

Status Witness::ReloadLogs(std::vector<WitnessedLog> logs) {
  CANDOR_RETURN_IF_ERROR(ValidateLogs(logs));
  auto next = std::make_shared<const std::vector<WitnessedLog>>(std::move(logs));
  std::lock_guard<std::mutex> lock(config_mu_);
  logs_ = std::move(next);
  return Status::Ok();
}

Status Witness::Reload() {
  if (dir_.empty()) return Status::InvalidArgument("this witness was not opened from a directory");
  CANDOR_ASSIGN_OR_RETURN(std::vector<WitnessedLog> logs, ReadWitnessLogs(dir_));
  return ReloadLogs(std::move(logs));
}

Witness::~Witness() = default;

Result<std::unique_ptr<Witness>> Witness::Create(SignerKey key, std::vector<WitnessedLog> logs,
                                                 std::string state_dir, WitnessOptions options) {
  return Create(MakeKeySigner(std::move(key)), std::move(logs), std::move(state_dir),
                std::move(options));
}

Result<std::unique_ptr<Witness>> Witness::Create(std::unique_ptr<Signer> key,
                                                 std::vector<WitnessedLog> logs,
                                                 std::string state_dir, WitnessOptions options) {
  if (key == nullptr) return Status::InvalidArgument("no witness key");
  if (key->public_key().type != kKeyTypeCosignatureV1) {
    return Status::InvalidArgument("the witness key must be a cosignature/v1 (0x04) key");
  }
  CANDOR_RETURN_IF_ERROR(ValidateLogs(logs));
  if (::access(state_dir.c_str(), W_OK | X_OK) != 0) {
    return Status::InvalidArgument("state directory " + state_dir +
                                   " is not a writable directory: " + std::strerror(errno));
  }
  return std::unique_ptr<Witness>(
      new Witness(std::move(key), std::move(logs), std::move(state_dir), std::move(options)));
}

Result<std::unique_ptr<Witness>> Witness::Open(const std::string& dir, WitnessOptions options) {
  // WitnessLockPath(dir) is DIR/lock, the DirectoryLock's file.
  auto lock = fs::DirectoryLock::Acquire(dir);
  if (!lock.ok()) {
    if (lock.status().code() != Code::kConflict) return lock.status();
    return Status::Conflict("another candor-witness is serving " + dir);
  }
  const std::string key_spec = options.key.empty() ? WitnessKeyPath(dir) : options.key;
  auto key = OpenSigner(key_spec, {.key_type = kKeyTypeCosignatureV1, .role = "witness key"});
  if (!key.ok()) return key.status().WithContext(DescribeKeySpec(key_spec));
  CANDOR_ASSIGN_OR_RETURN(std::vector<WitnessedLog> logs, ReadWitnessLogs(dir));
  auto witness =
      Create(std::move(key).value(), std::move(logs), WitnessStateDir(dir), std::move(options));
  if (!witness.ok()) return witness.status();
  (*witness)->lock_ = std::move(lock).value();
  (*witness)->dir_ = dir;
  return witness;
}

Status Witness::EnsureLoaded(LogSlot& slot) {
  if (slot.loaded) return Status::Ok();
  auto state = store_.Load(slot.origin);
  if (!state.ok()) {
    // Never treat an unreadable state as "no state": that would allow a rollback.
    return Status::Internal("witness state for " + slot.origin +
                            " unavailable: " + state.status().ToString());
  }
  slot.state = std::move(state).value();
  slot.loaded = true;
  return Status::Ok();
}

Result<std::optional<WitnessLogState>> Witness::State(std::string_view origin) {
  LogSlot* found = nullptr;
  {
    std::lock_guard<std::mutex> config(config_mu_);
    for (const auto& log : *logs_) {
      if (log.origin == origin) found = &SlotLocked(log.origin);
    }
  }
  if (found == nullptr) return Status::NotFound("unknown log origin");
  LogSlot& slot = *found;
  std::lock_guard<std::mutex> lock(slot.mu);
  CANDOR_RETURN_IF_ERROR(EnsureLoaded(slot));
  return slot.state;
}

AddCheckpointResult Witness::AddCheckpoint(std::string_view request_body) {
  auto request = ParseAddCheckpointRequest(request_body);
  if (!request.ok()) return Fail(request.status());
  return AddCheckpoint(*request);
}

AddCheckpointResult Witness::AddCheckpoint(const AddCheckpointRequest& request) {
  // Steps 1-2: the checkpoint must parse before anything else is looked at.
  auto unverified = ParseSignedCheckpointUnverified(request.checkpoint);
  if (!unverified.ok()) {
    return Fail(Status::Malformed("bad checkpoint: " + unverified.status().message()));
  }
  // Step 3: known origin, in the configuration current now (one snapshot
  // serves the whole request, so a reload never mixes two lists).
  const WitnessedLog* log = nullptr;
  LogSlot* found = nullptr;
  std::shared_ptr<const std::vector<WitnessedLog>> config;
  {
    std::lock_guard<std::mutex> lock(config_mu_);
    config = logs_;
    for (const auto& l : *config) {
      if (l.origin == unverified->checkpoint.origin) {
        log = &l;
        found = &SlotLocked(l.origin);
      }
    }
  }
  if (log == nullptr) return Fail(Status::NotFound("unknown log origin"));
  LogSlot& slot = *found;

  // Step 4: the one multi-key checkpoint check (candor/checkpoint.h) with
  // every key trusted for this origin: at least one signs, and a signature
  // line by any of them that does not verify refuses the checkpoint
  // (bad-signature), even when another trusted key's verifies. Lines by other
  // keys are ignored.
  auto verified = VerifyCheckpoint(request.checkpoint, log->keys, log->origin);
  if (!verified.ok()) {
    const Status& why = verified.status();
    return Fail(Status(why.code(), "checkpoint not signed by a trusted log key: " + why.message()));
  }
  // Step 5.
  if (request.old_size > verified->checkpoint.size) {
    return Fail(Status::Malformed("old size is larger than the checkpoint size"));
  }

  std::lock_guard<std::mutex> lock(slot.mu);
  AddCheckpointResult result = AddLocked(slot, request, *verified);
  result.origin = slot.origin;
  return result;
}

Status Witness::Health() const {
  if (draining_.load()) return Status::Unavailable("shutting down");
  return store_.CheckWritable();
}

void Witness::Drain() {
  draining_.store(true);
  std::lock_guard<std::mutex> config(config_mu_);
  for (auto& [origin, slot] : slots_) {
    std::lock_guard<std::mutex> lock(slot->mu);  // waits for an in-flight request
  }
}

AddCheckpointResult Witness::AddLocked(LogSlot& slot, const AddCheckpointRequest& request,
                                       const SignedCheckpoint& signed_cp) {
  if (draining_.load()) return Fail(Status::Unavailable("witness is shutting down"));
  Status loaded = EnsureLoaded(slot);
  if (!loaded.ok()) return Fail(loaded);
  const Checkpoint& cp = signed_cp.checkpoint;
  const uint64_t stored_size = slot.state ? slot.state->checkpoint.size : 0;
  const Hash stored_root = slot.state ? slot.state->checkpoint.root_hash : EmptyTreeHash();

  // Step 6: the client must know what we cosigned last.
  if (request.old_size != stored_size) {
    AddCheckpointResult r;
    r.status = Status::Conflict("old size does not match the latest cosigned checkpoint");
    r.stored_size = stored_size;
    return r;
  }

  // Step 7: consistency with OUR stored checkpoint (never with anything the
  // client claims about the old tree).
  bool changed = true;
  if (request.old_size == cp.size) {
    if (!request.proof.empty()) {
      return Fail(Status::Inconsistent("consistency proof must be empty for equal sizes"));
    }
    if (!HashEqual(stored_root, cp.root_hash)) {
      if (!slot.state.has_value()) {
        return Fail(Status::Inconsistent("a tree of size 0 must have the empty-tree root"));
      }
      return Fail(
          Status::Conflict("same tree size as the latest cosigned checkpoint, "
                           "different root hash"));
    }
    changed = !slot.state.has_value();
  } else {
    Status st =
        VerifyConsistency(request.old_size, cp.size, request.proof, stored_root, cp.root_hash);
    if (!st.ok()) {
      return Fail(Status::Inconsistent("consistency proof does not verify: " + st.message()));
    }
  }

  // Step 8: sign, persist, and only then answer.
  const uint64_t timestamp = std::max(options_.clock(), slot.last_timestamp);
  auto cosig = Cosign(*key_, signed_cp.body, timestamp);
  if (!cosig.ok()) return Fail(Status::Internal("cosign: " + cosig.status().message()));
  if (changed) {
    WitnessLogState next{cp, request.checkpoint};
    Status saved = store_.Save(next);
    if (!saved.ok()) {
      // The disk may or may not hold `next` now; it is the truth, so reload it.
      slot.loaded = false;
      slot.state.reset();
      return Fail(Status::Io("persisting witness state: " + saved.message()));
    }
    slot.state = std::move(next);
  }
  slot.last_timestamp = timestamp;
  AddCheckpointResult r;
  r.status = Status::Ok();
  r.cosignatures = FormatSignatureLine(*cosig);
  return r;
}

}  // namespace candor
