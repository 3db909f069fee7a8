// `candor publish`: submits a release entry, a trust root or an observation
// (the log's three entry types, told apart by their first line) to a
// candor-log, waits until a published (witness-cosigned) checkpoint covers
// it, verifies that proof itself, and writes the bundle (the same format for
// all three). `candor observe publish` is this command for observations only.
//
// The log is not trusted: the proof it returns is checked here exactly as a
// device will check it (log signature, witness quorum when a policy is given,
// inclusion of LeafHash(entry)), so a vendor never ships a bundle that devices
// would refuse. Network trouble is retried with bounded backoff; 429 honours
// Retry-After (bounded); every final failure is one clear message.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <ostream>
#include <thread>

#include <fmt/format.h>

#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/checkpoint_trust.h"
#include "candor/http/http_client.h"
#include "candor/merkle.h"
#include "candor/note.h"
#include "candor/observation.h"
#include "candor/policy.h"
#include "candor/release.h"
#include "candor/tlog_proof.h"
#include "candor/trust_root.h"
#include "cli.h"
#include "files.h"
#include "options.h"
#include "publish_consistency.h"

namespace candor::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kMaxRetryAfterSeconds = 60;  // never sleep longer on a server's word

// What the proof must be checked against.
struct Trust {
  std::optional<TrustPolicy> policy;   // with --policy
  std::optional<VerifierKey> log_key;  // with --log-key
};

struct RetrySettings {
  int max_attempts = 6;  // per request, for 429 / 503 / transport errors
  std::chrono::milliseconds first_backoff{500};
  std::chrono::milliseconds max_backoff{10000};
};

// First line of a refusal body, without its newline, for messages; cut at
// 1 KiB so a hostile server cannot fill the terminal, and long enough for the
// log's longest refusals (an observation's 409 names two 64-digit leaf hashes).
std::string FirstLine(std::string_view body) {
  constexpr size_t kMaxRefusalLine = 1024;
  std::string_view line = body.substr(0, body.find('\n'));
  if (line.size() > kMaxRefusalLine) line = line.substr(0, kMaxRefusalLine);
  return std::string(line);
}

// Retry-After in delta-seconds (RFC 9110 §10.2.3); HTTP dates and garbage
// fall back to 1 s. Capped at kMaxRetryAfterSeconds.
std::chrono::seconds RetryAfter(const HttpResponse& resp) {
  Result<uint64_t> s = ParseDecimalU64(resp.Header("retry-after"));
  uint64_t v = s.ok() ? *s : 1;
  if (v == 0) v = 1;
  if (v > kMaxRetryAfterSeconds) v = kMaxRetryAfterSeconds;
  return std::chrono::seconds(v);
}

// Runs `op` until it yields a response other than 429/503, retrying those and
// transport failures (kUnavailable) at most settings.max_attempts times.
template <typename Op>
Result<HttpResponse> WithRetry(Op op, const RetrySettings& settings, std::string_view what,
                               Context& ctx) {
  std::chrono::milliseconds backoff = settings.first_backoff;
  Status last = Status::Unavailable("no attempt made");
  for (int attempt = 1; attempt <= settings.max_attempts; ++attempt) {
    Result<HttpResponse> r = op();
    std::chrono::milliseconds sleep{0};
    if (r.ok() && r->status == 429) {
      auto after = RetryAfter(*r);
      last = Status::RateLimited(
          fmt::format("{}: rate limited by the log ({})", what, FirstLine(r->body)));
      sleep = std::chrono::duration_cast<std::chrono::milliseconds>(after);
      ctx.err << fmt::format("{}: rate limited, retrying in {} s ({}/{})\n", what, after.count(),
                             attempt, settings.max_attempts);
    } else if (r.ok() && r->status == 503) {
      last = Status::Unavailable(
          fmt::format("{}: log unavailable (HTTP 503: {})", what, FirstLine(r->body)));
      sleep = backoff;
    } else if (!r.ok() && r.status().code() == Code::kUnavailable) {
      last = r.status().WithContext(what);
      sleep = backoff;
    } else {
      return r;  // a definitive answer (or a non-retryable client error)
    }
    if (attempt == settings.max_attempts) break;
    if (sleep == backoff) {
      ctx.err << fmt::format("{}; retrying in {} ms ({}/{})\n", last.message(), sleep.count(),
                             attempt, settings.max_attempts);
      backoff = std::min(backoff * 2, settings.max_backoff);
    }
    std::this_thread::sleep_for(sleep);
  }
  return Status(last.code(), fmt::format("{} (gave up after {} attempts)", last.message(),
                                         settings.max_attempts));
}

// A /add refusal: candor-log states the Code by name (Candor-Error); it is
// never guessed from the HTTP status (a refusal without the header is
// kUnavailable: not candor-log, or a proxy answered).
Status AddRefusal(const HttpResponse& resp) { return resp.CandorError("log refused the entry"); }

Result<Trust> LoadTrust(const po::variables_map& vm) {
  Trust trust;
  if (vm.count("policy")) {
    CANDOR_ASSIGN_OR_RETURN(TrustPolicy p,
                            ReadTrustPolicyFile(vm["policy"].as<std::string>(), std::cerr));
    if (p.logs.empty()) return Status::InvalidArgument("trust policy names no log");
    trust.policy = std::move(p);
  }
  if (vm.count("log-key")) {
    CANDOR_ASSIGN_OR_RETURN(std::string text,
                            fs::ReadFile(vm["log-key"].as<std::string>(), kMaxVerifierKeyFileSize));
    if (text.ends_with("\n")) text.pop_back();
    Result<VerifierKey> k = ParseVerifierKey(text);
    if (!k.ok()) return k.status().WithContext("log key");
    if (k->type != kKeyTypeEd25519) return Status::InvalidArgument("log key must be Ed25519");
    trust.log_key = std::move(k).value();
  }
  return trust;
}

// Checks a proof from the log. kPolicyUnsatisfied when only the witness
// quorum is missing (the caller may wait for more cosignatures).
Status CheckProof(const TlogProof& proof, uint64_t index, const Hash& leaf, const Trust& trust,
                  Checkpoint& out_checkpoint, std::vector<std::string>& out_cosigners) {
  if (proof.index != index) {
    return Status::Mismatch(
        fmt::format("log returned a proof for index {}, not {}", proof.index, index));
  }
  // With a policy: the one checkpoint-trust implementation devices use
  // (candor/checkpoint_trust.h), age included, so publish never writes a
  // bundle a device with this policy would refuse for its checkpoint.
  // With a bare --log-key, the checkpoint's origin must be the key's name (the
  // tlog-checkpoint convention candor-log follows).
  SignedCheckpoint cp;
  if (trust.policy) {
    CANDOR_ASSIGN_OR_RETURN(const PolicyLog* log, PolicyLogFor(proof.checkpoint, *trust.policy));
    if (trust.log_key && !(*trust.log_key == log->key)) {
      return Status::UntrustedKey("--log-key differs from the policy's key for " + log->key.name);
    }
    const auto now = static_cast<uint64_t>(std::max<std::time_t>(0, std::time(nullptr)));
    CANDOR_ASSIGN_OR_RETURN(
        TrustedCheckpoint trusted,
        VerifyTrustedCheckpoint(proof.checkpoint, log->key, *trust.policy, now));
    out_cosigners = trusted.cosigned_by;
    cp = std::move(trusted.signed_checkpoint);
  } else {
    Result<SignedCheckpoint> verified = VerifyCheckpoint(proof.checkpoint, *trust.log_key);
    if (!verified.ok()) return verified.status().WithContext("checkpoint");
    cp = std::move(verified).value();
  }
  Status inc = VerifyInclusion(index, cp.checkpoint.size, leaf, proof.inclusion_proof,
                               cp.checkpoint.root_hash);
  if (!inc.ok()) return inc.WithContext("inclusion proof");
  out_checkpoint = cp.checkpoint;
  return Status::Ok();
}

// What publish was asked: the parsed options and the settings among them.
struct PublishArgs {
  po::variables_map vm;
  RetrySettings retry;
  uint64_t timeout_s = 300;
  std::string out_path;
  bool force = false;
  std::string ca_file;
  bool observation_only = false;  // `candor observe publish`
};

// Parses the command line into `a`. An Outcome when publish ends here (help,
// usage error, a bad setting, an existing --out without --force).
std::optional<Outcome> ParsePublishArgs(const Args& args, Context& ctx, PublishArgs& a) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("log", po::value<std::string>(),
                                                 "log base URL, e.g. https://log.example.com")(
      "policy", po::value<std::string>(),
      "trust policy: log key and witness quorum the proof must satisfy")(
      "log-key", po::value<std::string>(), "log verifier key file (when no policy is used)")(
      "out", po::value<std::string>(), "bundle to write")("force", "replace an existing bundle")(
      "timeout", po::value<std::string>()->default_value("300"),
      "seconds to wait for a cosigned checkpoint covering the entry")(
      "retries", po::value<std::string>()->default_value("6"),
      "attempts per request on 429, 503 or connection failures")(
      "entry", po::value<std::string>(), "the release entry, trust root or observation file");
  AddConsistencyOptions(desc);
  AddCaFileOption(desc, &a.ca_file);
  po::positional_options_description pos;
  pos.add("entry", 1);
  po::variables_map vm;
  CANDOR_CLI_USAGE_IF_ERROR(ParseArgs(args, desc, &pos, vm));
  if (vm.count("help")) {
    PrintCommandHelp(ctx,
                     a.observation_only
                         ? "observe publish --log URL (--policy trust.policy | --log-key log.pub) "
                           "F.observation --out F.observation.bundle [--ca-file FILE]"
                         : "publish --log URL (--policy trust.policy | --log-key log.pub) "
                           "(release.entry | N.root | F.observation) --out fw.bundle "
                           "[--ca-file FILE]",
                     desc);
    return Status::Ok();
  }
  CANDOR_CLI_USAGE_IF_ERROR(Require(vm, "log"));
  CANDOR_CLI_USAGE_IF_ERROR(Require(vm, "out"));
  if (!vm.count("entry")) {
    return UsageError(Status::InvalidArgument(
        a.observation_only ? "missing F.observation" : "missing release.entry (or N.root)"));
  }
  if (!vm.count("policy") && !vm.count("log-key")) {
    return UsageError(
        Status::InvalidArgument("give --policy or --log-key to verify the log's proof"));
  }
  RetrySettings retry;
  CANDOR_ASSIGN_OR_RETURN(uint64_t retries, GetU64(vm, "retries", 6));
  if (retries < 1 || retries > 100) return Status::InvalidArgument("--retries must be 1..100");
  retry.max_attempts = static_cast<int>(retries);
  CANDOR_ASSIGN_OR_RETURN(const uint64_t timeout_s, GetU64(vm, "timeout", 300));
  if (timeout_s > 86400) return Status::InvalidArgument("--timeout must be at most 86400");
  const std::string out_path = vm["out"].as<std::string>();
  const bool force = vm.count("force") > 0;
  if (!force && PathExists(out_path)) {
    return Status::Conflict(out_path + " already exists (use --force to replace it)");
  }

  a.vm = std::move(vm);
  a.retry = retry;
  a.timeout_s = timeout_s;
  a.out_path = out_path;
  a.force = force;
  return std::nullopt;
}

// The entry and what its proof must be checked against.
struct PublishInputs {
  Trust trust;
  std::optional<CompanionPlan> companion;
  std::string entry_text;
  Bytes entry;
  std::string what;  // "<vendor> <version>" or "trust root <domain> version <n>", for messages
  Hash leaf;
};

// A release entry: parsed strictly, and checked against the policy's vendor
// lines (a warning: the vendor may publish before devices trust it).
Result<std::string> CheckReleaseEntry(const PublishInputs& in, const std::string& entry_path,
                                      Context& ctx) {
  Result<ReleaseEntry> release = ParseReleaseEntry(in.entry);
  if (!release.ok()) return release.status().WithContext(entry_path + ": invalid release entry");
  const Manifest& m = release->manifest;
  if (in.trust.policy) {
    for (const std::string& p : m.products) {
      const VendorSignersResult v = in.trust.policy->EvaluateVendorSigners(release->signed_by, p);
      if (v.satisfied) continue;
      if (v.met == 0) {
        ctx.err << fmt::format(
            "warning: the trust policy does not trust vendor key {} for product {}; devices "
            "with this policy will refuse the release\n",
            m.vendor_key.name, p);
      } else {
        ctx.err << fmt::format(
            "warning: {} of the {} signatures required by {} for product {}; devices with this "
            "policy will refuse the release (collect more with `candor release sign`)\n",
            v.met, v.required, v.signers, p);
      }
    }
  }
  return m.vendor + " " + m.version;
}

// A trust root: parsed strictly and signed by its own threshold, which is
// what a device given it at manufacture checks (the log checks that its root
// keys are registered). A root short of signatures is not worth logging: its
// version would be taken by a root no device accepts.
Result<std::string> CheckTrustRootEntry(const PublishInputs& in, const std::string& entry_path) {
  Result<SignedTrustRoot> root = ParseTrustAnchor(in.entry_text);
  if (!root.ok()) return root.status().WithContext(entry_path);
  return "trust root " + root->root.domain + " version " + std::to_string(root->root.version);
}

// An observation: its signature verified (the log checks its key and its
// target). Messages name it by observer and the release index it is about.
Result<std::string> CheckObservationEntry(const PublishInputs& in, const std::string& entry_path) {
  Result<SignedObservation> o = OpenObservation(in.entry_text);
  if (!o.ok()) return o.status().WithContext(entry_path);
  return fmt::format("observation by {} of index {}", o->observation.observer,
                     o->observation.release_index);
}

Result<PublishInputs> LoadPublishInputs(const PublishArgs& a, Context& ctx) {
  const po::variables_map& vm = a.vm;
  const bool force = a.force;
  PublishInputs in;
  CANDOR_ASSIGN_OR_RETURN(in.trust, LoadTrust(vm));
  const Trust& trust = in.trust;
  CANDOR_ASSIGN_OR_RETURN(
      in.companion, PlanConsistencyCompanion(vm, trust.policy ? &*trust.policy : nullptr,
                                             trust.log_key ? &*trust.log_key : nullptr, force));
  const std::string entry_path = vm["entry"].as<std::string>();
  CANDOR_ASSIGN_OR_RETURN(in.entry_text, fs::ReadFile(entry_path, kMaxReleaseEntrySize));
  in.entry.assign(in.entry_text.begin(), in.entry_text.end());
  if (a.observation_only && !IsObservationEntry(in.entry)) {
    return Status::InvalidArgument(entry_path +
                                   " is not an observation (`candor publish` logs releases "
                                   "and trust roots)");
  }
  if (IsTrustRootEntry(in.entry)) {
    CANDOR_ASSIGN_OR_RETURN(in.what, CheckTrustRootEntry(in, entry_path));
  } else if (IsObservationEntry(in.entry)) {
    CANDOR_ASSIGN_OR_RETURN(in.what, CheckObservationEntry(in, entry_path));
  } else {
    CANDOR_ASSIGN_OR_RETURN(in.what, CheckReleaseEntry(in, entry_path, ctx));
  }
  in.leaf = LeafHash(in.entry);
  return in;
}

// The server may hold a proof request up to `wait` seconds.
constexpr uint64_t kWaitPerRequest = 30;

Result<std::unique_ptr<HttpClient>> ConnectToLog(const PublishArgs& a) {
  const uint64_t timeout_s = a.timeout_s;
  // Every exchange ends by an absolute deadline (a log that trickles bytes
  // cannot hold publish past --timeout by much): the longest wait the server
  // may take, plus a grace that --timeout also bounds.
  HttpClientOptions options;
  const uint64_t grace_s = std::clamp<uint64_t>(timeout_s, 2, 15);
  options.deadline = std::chrono::seconds(std::min(timeout_s, kWaitPerRequest) + grace_s);
  options.read_timeout = std::chrono::seconds(kWaitPerRequest + grace_s);
  options.max_body_size = 4u << 20;
  options.ca_file = a.ca_file;
  return HttpClient::Create(a.vm["log"].as<std::string>(), options);
}

// Submits the entry; its index in the log.
Result<uint64_t> Submit(HttpClient& client, const PublishArgs& a, const PublishInputs& in,
                        Context& ctx) {
  const std::string log_url = client.base().ToString();
  Result<HttpResponse> added =
      WithRetry([&] { return client.Post("add", in.entry_text, "application/octet-stream"); },
                a.retry, "submitting to " + log_url, ctx);
  if (!added.ok()) return added.status();
  if (added->status != 200) return AddRefusal(*added);
  std::string_view index_text = added->body;
  if (index_text.ends_with("\n")) index_text.remove_suffix(1);
  Result<uint64_t> index = ParseDecimalU64(index_text);
  if (!index.ok()) {
    return Status::Malformed("log answered /add with a malformed index: " + FirstLine(added->body));
  }
  ctx.err << fmt::format("submitted {} to {}: index {}\n", in.what, log_url, *index);
  return *index;
}

// A proof of the entry's inclusion, checked as a device checks it.
struct ProvenEntry {
  TlogProof proof;
  Checkpoint checkpoint;
  std::vector<std::string> cosigners;
};

// Waits (up to --timeout) for a published checkpoint that covers entry
// `index`, and checks the proof.
Result<ProvenEntry> WaitForProof(HttpClient& client, uint64_t index, const PublishArgs& a,
                                 const PublishInputs& in, Context& ctx) {
  const uint64_t timeout_s = a.timeout_s;
  const Trust& trust = in.trust;
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  Status last = Status::NotFound("entry not yet covered by a published checkpoint");
  bool told_waiting = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now());
    uint64_t wait = left.count() <= 0 ? 0 : std::min<uint64_t>(left.count(), kWaitPerRequest);
    std::string path = fmt::format("candor/v1/proof?index={}&wait={}", index, wait);
    Result<HttpResponse> r =
        WithRetry([&] { return client.Get(path); }, a.retry, "fetching the inclusion proof", ctx);
    if (!r.ok()) return r.status();
    if (r->status == 200) {
      Result<TlogProof> parsed = ParseTlogProof(r->body);
      if (!parsed.ok()) return parsed.status().WithContext("log returned a malformed proof");
      Checkpoint cp;
      std::vector<std::string> names;
      Status st = CheckProof(*parsed, index, in.leaf, trust, cp, names);
      if (st.ok()) return ProvenEntry{std::move(parsed).value(), cp, std::move(names)};
      // Only a missing quorum may improve by waiting; anything else means the
      // log served a proof devices must refuse.
      if (st.code() != Code::kPolicyUnsatisfied) return st;
      last = st;
    } else {
      // Not covered yet (kNotFound), or the log cannot publish because its
      // witness quorum is not met (kPolicyUnsatisfied): both may improve by
      // waiting. Any other stated Code is final.
      Status st = r->CandorError("proof request");
      if (st.code() != Code::kNotFound && st.code() != Code::kPolicyUnsatisfied) return st;
      if (!told_waiting) {
        ctx.err << fmt::format(
            "waiting for a published{} checkpoint covering index {} (up to {} s)\n",
            trust.policy ? ", cosigned" : "", index, timeout_s);
        told_waiting = true;
      }
      last = st.code() == Code::kNotFound
                 ? Status::NotFound(
                       fmt::format("entry {} not yet covered by a published checkpoint", index))
                 : Status::PolicyUnsatisfied(
                       fmt::format("entry {} not yet covered by a published checkpoint (log: {})",
                                   index, FirstLine(r->body)));
    }
    if (Clock::now() >= deadline) {
      return Status(last.code(), fmt::format("{} after {} s (entry is at index {}; run publish "
                                             "again to resume waiting)",
                                             last.message(), timeout_s, index));
    }
    if (wait == 0) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

// Consistency proofs from the earlier bundles' sizes (candor-log's GET
// /candor/v1/consistency), verified before anything is written.
Result<std::optional<ConsistencyProofFile>> FetchCompanion(HttpClient& client,
                                                           const CompanionPlan& companion,
                                                           const Checkpoint& checkpoint,
                                                           const PublishArgs& a, Context& ctx) {
  ConsistencyProofFn prove = [&](uint64_t from, uint64_t to) -> Result<std::vector<Hash>> {
    const std::string path = fmt::format("candor/v1/consistency?from={}&to={}", from, to);
    Result<HttpResponse> r =
        WithRetry([&] { return client.Get(path); }, a.retry, "fetching a consistency proof", ctx);
    if (!r.ok()) return r.status();
    if (r->status != 200) {
      return Status::Unavailable(
          fmt::format("log answered {} with HTTP {}: {}", path, r->status, FirstLine(r->body)));
    }
    Result<std::vector<Hash>> hashes = ParseProofHashLines(r->body);
    if (!hashes.ok()) return hashes.status().WithContext("log returned a malformed proof");
    return hashes;
  };
  return MakeConsistencyProofFile(companion.previous, checkpoint, prove, ctx.err);
}

// Writes the bundle (and the consistency companion), then says what was
// published.
Status WriteOutputs(const PublishArgs& a, const PublishInputs& in, uint64_t index,
                    const ProvenEntry& proven,
                    const std::optional<ConsistencyProofFile>& companion_file, Context& ctx) {
  const std::string& out_path = a.out_path;
  const bool force = a.force;
  const Checkpoint& checkpoint = proven.checkpoint;
  const std::optional<CompanionPlan>& companion = in.companion;
  Bundle bundle;
  bundle.entry = in.entry;
  bundle.index = index;
  bundle.inclusion_proof = proven.proof.inclusion_proof;
  bundle.checkpoint_note = proven.proof.checkpoint;
  std::string text = FormatBundle(bundle);
  Result<Bundle> reparsed = ParseBundle(text);
  if (!reparsed.ok() || !(*reparsed == bundle)) {
    return Status::Internal("formatted bundle does not parse back");
  }
  CANDOR_RETURN_IF_ERROR(WriteFileAtomic(out_path, text, force));
  ctx.out << fmt::format("published: {} at index {} of {} (tree size {})\n", in.what, index,
                         checkpoint.origin, checkpoint.size);
  if (!proven.cosigners.empty()) {
    ctx.out << fmt::format("  cosigned by {}\n", fmt::join(proven.cosigners, ", "));
  }
  ctx.out << fmt::format("  bundle written to {}\n", out_path);
  if (companion) {
    CANDOR_RETURN_IF_ERROR(
        WriteConsistencyCompanion(*companion, checkpoint, companion_file, force, ctx.out));
  }
  return Status::Ok();
}

// The whole command; `observation_only` for `candor observe publish`.
Outcome Publish(const Args& args, Context& ctx, bool observation_only) {
  PublishArgs a;
  a.observation_only = observation_only;
  if (auto stop = ParsePublishArgs(args, ctx, a)) return *stop;
  CANDOR_ASSIGN_OR_RETURN(PublishInputs in, LoadPublishInputs(a, ctx));
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> client, ConnectToLog(a));
  // 1. Submit.
  CANDOR_ASSIGN_OR_RETURN(const uint64_t index, Submit(*client, a, in, ctx));
  // 2. Wait for a published checkpoint that covers it, and check the proof.
  CANDOR_ASSIGN_OR_RETURN(ProvenEntry proven, WaitForProof(*client, index, a, in, ctx));
  // 2b. The consistency companion's proofs.
  std::optional<ConsistencyProofFile> companion_file;
  if (in.companion) {
    CANDOR_ASSIGN_OR_RETURN(companion_file,
                            FetchCompanion(*client, *in.companion, proven.checkpoint, a, ctx));
  }
  // 3. Write the bundle.
  return WriteOutputs(a, in, index, proven, companion_file, ctx);
}

}  // namespace

Outcome RunPublish(const Args& args, Context& ctx) { return Publish(args, ctx, false); }

Outcome RunObservePublish(const Args& args, Context& ctx) { return Publish(args, ctx, true); }

}  // namespace candor::cli
