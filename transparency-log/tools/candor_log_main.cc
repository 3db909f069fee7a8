// candor-log: the Candor transparency log server (docs/LOG.md).
//
//   candor-log init    --dir DATA --origin ORIGIN
//   candor-log serve   --dir DATA --listen 127.0.0.1:8080 [--policy FILE] [...]
//   candor-log vendors add|remove --dir DATA VENDOR.pub
//   candor-log vendors list --dir DATA
//   candor-log shard freeze --dir DATA --policy FILE [--json]
//   candor-log shard status --dir DATA [--policy FILE] [--json]
//   candor-log export  --storage URI|--from DATA --dir OUT [--log-key FILE] [--json]
#include <signal.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "candor/checkpoint_trust.h"
#include "candor/date.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/read_file.h"
#include "candor/json_string.h"
#include "candor/log/admission.h"
#include "candor/log/log_server.h"
#include "candor/log/shard.h"
#include "candor/log/export.h"
#include "candor/log/open_store.h"
#include "candor/log/storage.h"
#include "candor/options.h"

namespace po = boost::program_options;

namespace candor {
namespace {

constexpr const char* kUsage =
    "usage: candor-log <command> [options]\n"
    "commands:\n"
    "  init     --dir DATA --origin ORIGIN     create a new log (key, empty tree)\n"
    "  serve    --dir DATA --listen HOST:PORT  serve the log (see serve --help)\n"
    "  vendors  add|remove --dir DATA FILE.pub register / unregister a submitting key\n"
    "                                          (vendor, root or observer key)\n"
    "  vendors  list --dir DATA                list registered vendor keys\n"
    "  shard    freeze --dir DATA --policy F   final checkpoint, then read-only\n"
    "  shard    status --dir DATA [--policy F] origin, size, frozen state\n"
    "  export   --storage URI --dir OUT        the tiles as static files (incremental)\n";

int Fail(const Status& st) {
  std::fprintf(stderr, "candor-log: %s\n", st.ToString().c_str());
  return ExitCodeFor(st.code());
}

// The one usage-error line and exit code (candor/options.h), then the usage.
int Usage(const std::string& msg) { return ReportUsageError(std::cerr, msg, kUsage); }

// ParseOptions (no abbreviations); a parse error is a usage error.
bool ParseArgs(const po::options_description& desc, const std::vector<std::string>& args,
               po::variables_map& vm, const po::positional_options_description* pos = nullptr) {
  Status st = ParseOptions(args, desc, pos, vm);
  if (!st.ok()) ReportUsageError(std::cerr, st.message());
  return st.ok();
}

int CmdInit(const std::vector<std::string>& args) {
  std::string dir, origin, key_spec, storage;
  po::options_description desc("candor-log init");
  desc.add_options()("help,h", "show this help")("dir", po::value(&dir)->required(),
                                                 "data directory to create")(
      "storage", po::value(&storage),
      "where the tree, index and checkpoint live: the data directory (default) or a "
      "postgres://... URI shared by several candor-log processes (docs/LOG.md \"Storage\"); "
      "give the password through PGPASSFILE or PGPASSWORD, not the URI")(
      "origin", po::value(&origin)->required(),
      "log origin (also the log key name), e.g. log.example.org/firmware")(
      "key", po::value(&key_spec),
      "sign with this key instead of making DATA/log.key: pkcs11:URI or ssh-agent:VKEY "
      "(docs/SIGNING.md); named ORIGIN");
  po::variables_map vm;
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "-h") != args.end()) {
    std::cout << desc;
    return 0;
  }
  if (!ParseArgs(desc, args, vm)) return kExitUsage;
  Status st = InitLog(dir, origin, key_spec, storage);
  if (!st.ok()) return Fail(st);
  auto pub = fs::ReadFileBytes(dir + "/log.pub", kMaxVerifierKeyFileSize);
  std::printf("created log %s in %s\nverifier key: %s", origin.c_str(), dir.c_str(),
              pub.ok() ? std::string(AsChars(*pub)).c_str() : "?\n");
  return 0;
}

int CmdServe(const std::vector<std::string>& args) {
  LogServerOptions o;
  std::string listen;
  double interval_s = 1.0;
  uint64_t republish_s = 300;
  size_t max_batch = o.sequencer.max_batch;
  size_t max_queue = o.sequencer.max_queue;
  size_t max_entry = o.admission.max_entry_size;
  uint64_t max_wait = 60;
  uint64_t request_timeout_s = 30;
  uint64_t healthz_max_age_s = 0;
  po::options_description desc("candor-log serve");
  desc.add_options()("help,h", "show this help")("dir", po::value(&o.dir)->required(),
                                                 "data directory (created by init)")(
      "storage", po::value(&o.storage),
      "where the tree, index and checkpoint live: the data directory (default) or a "
      "postgres://... URI shared by several candor-log processes (docs/LOG.md \"Storage\"); "
      "give the password through PGPASSFILE or PGPASSWORD, not the URI")(
      "listen", po::value(&listen)->default_value("127.0.0.1:8080"), "HOST:PORT to listen on")(
      "key", po::value(&o.key),
      "the log key: a key file, pkcs11:URI or ssh-agent:VKEY (docs/SIGNING.md); "
      "default DATA/log.key")(
      "policy", po::value(&o.policy_path),
      "tlog-policy file naming witnesses (with URLs) and a quorum; checkpoints are "
      "published only with cosignatures satisfying it")(
      "checkpoint-interval", po::value(&interval_s)->default_value(1.0),
      "seconds between checkpoints (when the tree grew)")(
      "republish-interval", po::value(&republish_s)->default_value(300),
      "with witnesses: re-cosign the checkpoint this often even if unchanged (0 = never)")(
      "max-batch", po::value(&max_batch)->default_value(max_batch), "entries per group commit")(
      "max-queue", po::value(&max_queue)->default_value(max_queue),
      "queued entries before answering 503")("max-entry-size",
                                             po::value(&max_entry)->default_value(max_entry),
                                             "largest accepted entry in bytes (<= 65535)")(
      "rate", po::value(&o.rate_per_vendor)->default_value(o.rate_per_vendor),
      "entries per second per vendor (0 = unlimited)")(
      "burst", po::value(&o.burst_per_vendor)->default_value(o.burst_per_vendor),
      "rate limit burst per vendor")(
      "refusal-rate", po::value(&o.refusals_per_address)->default_value(o.refusals_per_address),
      "refused submissions per second per client address before 429 (0 = unlimited)")(
      "refusal-burst",
      po::value(&o.refusal_burst_per_address)->default_value(o.refusal_burst_per_address),
      "refused submissions burst per client address")(
      "threads", po::value(&o.threads)->default_value(o.threads),
      "HTTP event loops (each serves many connections; ~ cores)")(
      "max-connections", po::value(&o.max_connections)->default_value(o.max_connections),
      "open HTTP connections at most")(
      "max-connections-per-ip",
      po::value(&o.max_connections_per_ip)->default_value(o.max_connections_per_ip),
      "open HTTP connections per client IP (0 = no limit, e.g. behind a proxy)")(
      "request-timeout", po::value(&request_timeout_s)->default_value(30),
      "seconds a client has to send a whole request (headers and body); 0 = no limit")(
      "max-wait", po::value(&max_wait)->default_value(60), "longest ?wait= for proofs, seconds")(
      "healthz-max-age", po::value(&healthz_max_age_s),
      "GET /healthz answers 503 when the published checkpoint is older than this many seconds "
      "(0 = no bound); default: 3 x --republish-interval with --policy, else 0");
  AddCaFileOption(desc, &o.witness_ca_file);
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "-h") != args.end()) {
    std::cout << desc;
    return 0;
  }
  po::variables_map vm;
  if (!ParseArgs(desc, args, vm)) return kExitUsage;
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Usage("--listen must be HOST:PORT");
  o.host = listen.substr(0, colon);
  auto port = ParseDecimalU64(listen.substr(colon + 1));
  if (!port.ok() || *port > 65535) return Usage("--listen port must be 0..65535");
  o.port = static_cast<int>(*port);
  if (interval_s <= 0 || interval_s > 3600) return Usage("--checkpoint-interval out of range");
  if (max_entry == 0 || max_entry > 65535) return Usage("--max-entry-size must be 1..65535");
  if (max_batch == 0 || max_queue == 0) return Usage("--max-batch/--max-queue must be > 0");
  o.publisher.interval = std::chrono::milliseconds(static_cast<int64_t>(interval_s * 1000));
  o.publisher.republish = std::chrono::seconds(republish_s);
  o.sequencer.max_batch = max_batch;
  o.sequencer.max_queue = max_queue;
  o.admission.max_entry_size = max_entry;
  o.max_wait = std::chrono::seconds(std::min<uint64_t>(max_wait, 600));
  if (request_timeout_s > 3600) return Usage("--request-timeout must be 0..3600");
  o.request_deadline = std::chrono::seconds(request_timeout_s);
  // A witnessed log re-cosigns an unchanged checkpoint every republish
  // interval, so three intervals without one means publication is failing.
  // Without witnesses a quiet log's checkpoint legitimately ages: no bound.
  if (vm.count("healthz-max-age") == 0 && !o.policy_path.empty()) {
    healthz_max_age_s = 3 * republish_s;
  }
  if (healthz_max_age_s > 365ull * 86400) return Usage("--healthz-max-age out of range");
  o.healthz_max_age = std::chrono::seconds(healthz_max_age_s);

  // Block SIGINT/SIGTERM in every thread; a dedicated thread waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = LogServer::Open(o);
  if (!server.ok()) return Fail(server.status());
  std::fprintf(stderr, "candor-log: serving %s on %s:%d\n", o.dir.c_str(), o.host.c_str(),
               (*server)->port());
  LogServer* s = server->get();
  std::thread waiter([s, set] {
    int sig = 0;
    sigwait(&set, &sig);
    // Stops accepting, lets the sequencer finish its batch (acknowledged
    // entries are durable), answers what is in flight, stops the publisher.
    s->Stop();
    std::fprintf(stderr, "candor-log: stopped\n");
    std::fflush(nullptr);
    std::_Exit(0);
  });
  waiter.detach();
  s->Serve();
  s->Stop();
  return 0;
}

int CmdVendors(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("vendors needs add, remove or list");
  std::string action = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  std::string dir, file;
  po::options_description desc("candor-log vendors " + action);
  desc.add_options()("help,h", "show this help")("dir", po::value(&dir)->required(),
                                                 "data directory")(
      "key", po::value(&file), "vendor verifier key file (VENDOR.pub)");
  po::positional_options_description pos;
  pos.add("key", 1);
  if (std::find(rest.begin(), rest.end(), "--help") != rest.end()) {
    std::cout << desc;
    return 0;
  }
  po::variables_map vm;
  if (!ParseArgs(desc, rest, vm, &pos)) return kExitUsage;
  std::string path = dir + "/vendors";
  std::vector<VerifierKey> keys;
  auto existing = fs::ReadFileBytes(path, kMaxVendorsFileSize);
  if (existing.ok()) {
    auto parsed = ParseVendorsFile(AsChars(*existing));
    if (!parsed.ok()) return Fail(parsed.status());
    keys = std::move(*parsed);
  } else if (existing.status().code() != Code::kNotFound) {
    return Fail(existing.status());
  }
  if (action == "list") {
    for (const auto& k : keys) std::printf("%s\n", FormatVerifierKey(k).c_str());
    return 0;
  }
  if (action != "add" && action != "remove") return Usage("unknown vendors action " + action);
  if (file.empty()) return Usage("vendors " + action + " needs a key file");
  auto key = ReadVerifierKeyFile(file, "vendor key");
  if (!key.ok()) return Fail(key.status());
  auto it = std::find(keys.begin(), keys.end(), *key);
  if (action == "add") {
    if (it != keys.end()) {
      std::printf("already registered: %s\n", FormatVerifierKey(*key).c_str());
      return 0;
    }
    keys.push_back(*key);
  } else {
    if (it == keys.end()) return Fail(Status::NotFound("key is not registered"));
    keys.erase(it);
  }
  Status st = fs::WriteFileAtomically(path, AsBytes(FormatVendorsFile(keys)));
  if (!st.ok()) return Fail(st);
  std::printf("%s %s\n", action == "add" ? "registered" : "removed",
              FormatVerifierKey(*key).c_str());
  return 0;
}

bool WantsHelp(const std::vector<std::string>& args) {
  return std::find(args.begin(), args.end(), "--help") != args.end() ||
         std::find(args.begin(), args.end(), "-h") != args.end();
}

// "frozen": the frozen state as JSON members (no braces), or text lines.
std::string FrozenJson(const FrozenShard& f) {
  return "\"frozen\":true,\"frozen_at\":" + JsonQuote(FormatUtcTime(f.frozen_at_unix)) +
         ",\"final_size\":" + std::to_string(f.size) +
         ",\"final_root\":" + JsonQuote(Base64Encode(f.root));
}
std::string FrozenText(const FrozenShard& f) {
  return "frozen since " + FormatUtcTime(f.frozen_at_unix) + "\nfinal checkpoint size " +
         std::to_string(f.size) + " root " + Base64Encode(f.root) + "\n";
}

int CmdShardFreeze(const std::vector<std::string>& args) {
  FreezeOptions o;
  po::options_description desc("candor-log shard freeze");
  desc.add_options()("help,h", "show this help")("dir", po::value(&o.dir)->required(),
                                                 "data directory (no server running on it)")(
      "policy", po::value(&o.policy_path)->required(),
      "the tlog-policy `serve --policy` uses: the final checkpoint is cosigned as it requires "
      "(a `quorum none` policy for an unwitnessed log)")(
      "key", po::value(&o.key), "the log key, as for serve; default DATA/log.key")(
      "json", "print the result as one JSON object");
  AddCaFileOption(desc, &o.witness_ca_file);
  if (WantsHelp(args)) {
    std::cout << desc;
    return 0;
  }
  po::variables_map vm;
  if (!ParseArgs(desc, args, vm)) return kExitUsage;
  auto out = FreezeLog(o);
  if (!out.ok()) return Fail(out.status());
  const FrozenShard& f = out->shard;
  if (vm.count("json")) {
    std::printf("{\"origin\":%s,\"already_frozen\":%s,%s}\n", JsonQuote(f.origin).c_str(),
                out->already_frozen ? "true" : "false", FrozenJson(f).c_str());
  } else {
    std::printf("%s %s\n%s", out->already_frozen ? "already frozen:" : "frozen:", f.origin.c_str(),
                FrozenText(f).c_str());
  }
  return 0;
}

int CmdShardStatus(const std::vector<std::string>& args) {
  std::string dir, policy_path;
  po::options_description desc("candor-log shard status");
  desc.add_options()("help,h", "show this help")("dir", po::value(&dir)->required(),
                                                 "data directory (a server may run on it)")(
      "policy", po::value(&policy_path),
      "a tlog-policy naming the witnesses and quorum: check the final (or, not frozen, the "
      "published) checkpoint's cosignatures against it")("json",
                                                         "print the status as one JSON object");
  if (WantsHelp(args)) {
    std::cout << desc;
    return 0;
  }
  po::variables_map vm;
  if (!ParseArgs(desc, args, vm)) return kExitUsage;
  auto key = ReadVerifierKeyFile(dir + "/log.pub", "log key");
  if (!key.ok()) return Fail(key.status());
  auto note = fs::ReadFileBytes(dir + "/checkpoint", kMaxNoteSize);
  if (!note.ok()) return Fail(note.status());
  auto published = VerifyCheckpoint(AsChars(*note), *key);
  if (!published.ok()) return Fail(published.status().WithContext(dir + "/checkpoint"));
  auto frozen = ReadFrozenShard(dir, *key);
  if (!frozen.ok()) return Fail(frozen.status());
  // The quorum, if asked: of the final checkpoint (what the shard ends with),
  // else of the published one. Freshness is not judged: a frozen shard's
  // final checkpoint only ages.
  std::string quorum = "unchecked", quorum_detail;
  if (!policy_path.empty()) {
    auto text = fs::ReadFileBytes(policy_path, kMaxPolicySize);
    if (!text.ok()) return Fail(text.status());
    auto policy = ParseTrustPolicy(AsChars(*text));
    if (!policy.ok()) return Fail(policy.status().WithContext(policy_path));
    const std::string& checked = *frozen ? (*frozen)->note : std::string(AsChars(*note));
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    auto trusted = VerifyCheckpointQuorum(checked, *key, *policy, static_cast<uint64_t>(now));
    if (trusted.ok()) {
      quorum = "satisfied";
      for (const auto& w : trusted->cosigned_by)
        quorum_detail += (quorum_detail.empty() ? "" : " ") + w;
    } else {
      quorum = "not-satisfied";
      quorum_detail = trusted.status().ToString();
    }
  }
  const Checkpoint& cp = published->checkpoint;
  if (vm.count("json")) {
    std::printf(
        "{\"origin\":%s,\"size\":%llu,\"root\":%s,%s,\"quorum\":%s,"
        "\"quorum_detail\":%s}\n",
        JsonQuote(cp.origin).c_str(), static_cast<unsigned long long>(cp.size),
        JsonQuote(Base64Encode(cp.root_hash)).c_str(),
        *frozen ? FrozenJson(**frozen).c_str() : "\"frozen\":false", JsonQuote(quorum).c_str(),
        JsonQuote(quorum_detail).c_str());
    return 0;
  }
  std::printf("origin %s\ntree size %llu root %s\n", cp.origin.c_str(),
              static_cast<unsigned long long>(cp.size), Base64Encode(cp.root_hash).c_str());
  std::printf("%s", *frozen ? FrozenText(**frozen).c_str() : "not frozen\n");
  std::printf("%s quorum %s%s%s\n", *frozen ? "final checkpoint" : "checkpoint", quorum.c_str(),
              quorum_detail.empty() ? "" : ": ", quorum_detail.c_str());
  return 0;
}

// `candor-log export`: a store's tlog-tiles tree into a directory for nginx
// or a CDN (export.h), incrementally.
int CmdExport(const std::vector<std::string>& args) {
  std::string storage, from, out, log_key_path;
  po::options_description desc("candor-log export");
  desc.add_options()("help,h", "show this help")(
      "storage", po::value(&storage),
      "the log's store: a postgres://... URI (as serve --storage)")(
      "from", po::value(&from),
      "or the data directory of a log on the POSIX store (no server running on it)")(
      "dir", po::value(&out)->required(),
      "directory to write the tiles, entry bundles and checkpoint into (created if absent)")(
      "log-key", po::value(&log_key_path),
      "the log's verifier key file (log.pub): both checkpoints must verify with it; default "
      "--from's log.pub")("json", "print the result as one JSON object");
  if (WantsHelp(args)) {
    std::cout << desc;
    return 0;
  }
  po::variables_map vm;
  if (!ParseArgs(desc, args, vm)) return kExitUsage;
  if (storage.empty() == from.empty()) return Usage("export needs exactly one of --storage, --from");
  if (log_key_path.empty() && !from.empty()) log_key_path = from + "/log.pub";
  ExportOptions options;
  if (!log_key_path.empty()) {
    auto key = ReadVerifierKeyFile(log_key_path, "log key");
    if (!key.ok()) return Fail(key.status());
    options.log_key = *key;
  }
  auto opened = OpenLogStore(from, storage);
  if (!opened.ok()) return Fail(opened.status());
  // Progress on an interactive stderr only: quiet and parseable otherwise.
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  if (tty) {
    options.progress = [](uint64_t done, uint64_t total) {
      std::fprintf(stderr, "\rexport: %llu/%llu files", static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(total));
    };
  }
  auto outcome = ExportTiles(*opened->store, out, options);
  if (tty && outcome.ok() && outcome->files > 0) std::fprintf(stderr, "\n");
  if (!outcome.ok()) return Fail(outcome.status());
  if (vm.count("json")) {
    std::printf("{\"from_size\":%llu,\"to_size\":%llu,\"files\":%llu,\"bytes\":%llu}\n",
                static_cast<unsigned long long>(outcome->from_size),
                static_cast<unsigned long long>(outcome->to_size),
                static_cast<unsigned long long>(outcome->files),
                static_cast<unsigned long long>(outcome->bytes));
  } else {
    std::printf("exported tree size %llu -> %llu: %llu files, %llu bytes\n",
                static_cast<unsigned long long>(outcome->from_size),
                static_cast<unsigned long long>(outcome->to_size),
                static_cast<unsigned long long>(outcome->files),
                static_cast<unsigned long long>(outcome->bytes));
  }
  return 0;
}

int CmdShard(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("shard needs freeze or status");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "freeze") return CmdShardFreeze(rest);
  if (args[0] == "status") return CmdShardStatus(rest);
  return Usage("unknown shard action " + args[0]);
}

}  // namespace
}  // namespace candor

int main(int argc, char** argv) {
  if (argc < 2) return candor::Usage("missing command");
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(candor::kUsage, stdout);
    return 0;
  }
  if (cmd == "init") return candor::CmdInit(args);
  if (cmd == "serve") return candor::CmdServe(args);
  if (cmd == "vendors") return candor::CmdVendors(args);
  if (cmd == "shard") return candor::CmdShard(args);
  if (cmd == "export") return candor::CmdExport(args);
  return candor::Usage("unknown command " + cmd);
}
