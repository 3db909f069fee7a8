// candor-witness: a c2sp.org/tlog-witness server (see docs/WITNESS.md).
//
//   candor-witness init  --dir DIR --name NAME
//   candor-witness logs add  --dir DIR --origin ORIGIN --key VKEY
//   candor-witness logs list --dir DIR
//   candor-witness serve --dir DIR --listen HOST:PORT [--prefix /PATH]
//     (SIGHUP: re-read DIR/logs.conf; SIGTERM/SIGINT: stop)
//
// Exit codes: 0 success, 1 usage error, otherwise ExitCodeFor(code)
// (docs/EXIT_CODES.md).
#include <fmt/core.h>
#include <signal.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "candor/bytes.h"
#include "candor/note.h"
#include "candor/options.h"
#include "candor/status.h"
#include "candor/witness/witness.h"
#include "candor/witness/witness_metrics.h"
#include "candor/witness/witness_routes.h"
#include "candor/witness/witness_store.h"

namespace po = boost::program_options;

namespace candor {
namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  candor-witness init --dir DIR --name NAME\n"
    "  candor-witness logs add --dir DIR --origin ORIGIN --key VKEY\n"
    "  candor-witness logs list --dir DIR\n"
    "  candor-witness serve --dir DIR --listen HOST:PORT [--prefix /PATH]\n";

int Fail(const Status& status) {
  fmt::print(stderr, "candor-witness: {}\n", status.ToString());
  return ExitCodeFor(status.code());
}

// The one usage-error line and exit code (candor/options.h), then the usage.
int Usage(const std::string& why) { return ReportUsageError(std::cerr, why, kUsage); }

// ParseOptions (no abbreviations); on failure `error` is the parser's message.
bool ParseArgs(const std::vector<std::string>& args, const po::options_description& desc,
               po::variables_map& vm, std::string& error) {
  Status st = ParseOptions(args, desc, nullptr, vm);
  if (!st.ok()) error = st.message();
  return st.ok();
}

int CmdInit(const std::vector<std::string>& args) {
  std::string dir, name, key_spec;
  po::options_description desc("init");
  desc.add_options()("dir", po::value(&dir)->required(), "witness directory")(
      "name", po::value(&name)->required(), "witness key name, e.g. witness.example/w1")(
      "key", po::value(&key_spec),
      "use this key instead of making DIR/witness.key: pkcs11:URI or ssh-agent:VKEY "
      "(docs/SIGNING.md), named NAME");
  po::variables_map vm;
  std::string error;
  if (!ParseArgs(args, desc, vm, error)) return Usage(error);
  auto vkey = InitWitnessDir(dir, name, key_spec);
  if (!vkey.ok()) return Fail(vkey.status());
  fmt::print("{}\n", FormatVerifierKey(*vkey));
  return 0;
}

int CmdLogsAdd(const std::vector<std::string>& args) {
  std::string dir, origin, key_text;
  po::options_description desc("logs add");
  desc.add_options()("dir", po::value(&dir)->required(), "witness directory")(
      "origin", po::value(&origin)->required(), "checkpoint origin line of the log")(
      "key", po::value(&key_text)->required(), "the log's Ed25519 vkey");
  po::variables_map vm;
  std::string error;
  if (!ParseArgs(args, desc, vm, error)) return Usage(error);
  auto key = ParseVerifierKey(key_text);
  if (!key.ok()) return Fail(key.status().WithContext("--key"));
  auto added = AddWitnessLog(dir, origin, *key);
  if (!added.ok()) return Fail(added.status());
  fmt::print("{} {} {}\n", *added ? "added" : "already present:", origin, key_text);
  if (*added) {
    fmt::print(
        "send SIGHUP to candor-witness serve (or restart it) for the change to take effect\n");
  }
  return 0;
}

int CmdLogsList(const std::vector<std::string>& args) {
  std::string dir;
  po::options_description desc("logs list");
  desc.add_options()("dir", po::value(&dir)->required(), "witness directory");
  po::variables_map vm;
  std::string error;
  if (!ParseArgs(args, desc, vm, error)) return Usage(error);
  auto logs = ReadWitnessLogs(dir);
  if (!logs.ok()) return Fail(logs.status());
  WitnessStateStore store(WitnessStateDir(dir));
  for (const auto& log : *logs) {
    fmt::print("log {}\n", log.origin);
    for (const auto& key : log.keys) fmt::print("  key {}\n", FormatVerifierKey(key));
    auto state = store.Load(log.origin);
    if (!state.ok()) {
      fmt::print("  state ERROR {}\n", state.status().ToString());
    } else if (!state->has_value()) {
      fmt::print("  state none (nothing cosigned yet)\n");
    } else {
      const auto& cp = (*state)->checkpoint;
      fmt::print("  state size {} root {}\n", cp.size, Base64Encode(cp.root_hash));
    }
  }
  return 0;
}

bool ParseListen(const std::string& listen, std::string& host, int& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  auto p = ParseDecimalU64(listen.substr(colon + 1));
  if (!p.ok() || *p > 65535) return false;
  port = static_cast<int>(*p);
  return true;
}

int CmdServe(const std::vector<std::string>& args) {
  std::string dir, listen, prefix;
  unsigned per_ip = 64;
  uint64_t request_timeout_s = 10;
  po::options_description desc("serve");
  WitnessOptions witness_options;
  desc.add_options()("dir", po::value(&dir)->required(), "witness directory")(
      "key", po::value(&witness_options.key),
      "the witness key: a key file, pkcs11:URI or ssh-agent:VKEY (docs/SIGNING.md); default "
      "DIR/witness.key")("listen", po::value(&listen)->required(),
                         "HOST:PORT (PORT 0 picks a free port)")(
      "prefix", po::value(&prefix)->default_value(""), "submission prefix, e.g. /witness")(
      "max-connections-per-ip", po::value(&per_ip)->default_value(per_ip),
      "open HTTP connections per client IP (0 = no limit)")(
      "request-timeout", po::value(&request_timeout_s)->default_value(request_timeout_s),
      "seconds a client has to send a whole request (headers and body); 0 = no limit");
  po::variables_map vm;
  std::string error;
  if (!ParseArgs(args, desc, vm, error)) return Usage(error);
  std::string host;
  int port = 0;
  if (!ParseListen(listen, host, port)) return Usage("--listen must be HOST:PORT");
  if (!prefix.empty() && (prefix.front() != '/' || prefix.back() == '/')) {
    return Usage("--prefix must start with '/' and not end with '/'");
  }

  // Block the stop signals and SIGHUP (reload logs.conf) in every thread; the
  // main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto witness = Witness::Open(dir, std::move(witness_options));
  if (!witness.ok()) return Fail(witness.status());

  if (request_timeout_s > 3600) return Usage("--request-timeout must be 0..3600");
  HttpServerOptions http = WitnessHttpOptions(host, port);
  http.max_connections_per_ip = per_ip;
  http.request_deadline = std::chrono::seconds(request_timeout_s);
  auto server = HttpServer::Bind(http);
  if (!server.ok()) return Fail(server.status());
  WitnessMetrics metrics((*witness)->logs());
  WitnessRoutesOptions options;
  options.prefix = prefix;
  options.metrics = &metrics;
  InstallWitnessRoutes(**server, **witness, options);
  if (Status st = (*server)->Start(); !st.ok()) return Fail(st);
  fmt::print("candor-witness: {} ({} logs) listening on http://{}:{}{}\n",
             FormatVerifierKey((*witness)->public_key()), (*witness)->logs().size(), host,
             (*server)->port(), prefix);
  std::fflush(stdout);

  int sig = 0;
  while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
    // The new list replaces the old one whole; a file that does not parse
    // (or names an origin twice, ...) leaves the old list serving.
    Status reloaded = (*witness)->Reload();
    if (reloaded.ok()) {
      fmt::print(stderr, "candor-witness: reloaded {} ({} logs)\n", WitnessLogsPath(dir),
                 (*witness)->logs().size());
    } else {
      fmt::print(stderr, "candor-witness: reload failed, keeping the {} logs served: {}\n",
                 (*witness)->logs().size(), reloaded.ToString());
    }
  }
  fmt::print(stderr, "candor-witness: signal {}, shutting down\n", sig);
  // Stop changing state first: after Drain() every cosignature we returned is
  // on disk and no new one will be made. Then close the connections.
  (*witness)->Drain();
  (*server)->Stop();
  return 0;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 1 : 0;
  }
  const std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "init") return CmdInit(args);
  if (cmd == "serve") return CmdServe(args);
  if (cmd == "logs") {
    if (args.empty()) return Usage("logs needs a subcommand: add or list");
    const std::string sub = args[0];
    args.erase(args.begin());
    if (sub == "add") return CmdLogsAdd(args);
    if (sub == "list") return CmdLogsList(args);
    return Usage("unknown logs subcommand: " + sub);
  }
  return Usage("unknown command: " + cmd);
}

}  // namespace
}  // namespace candor

int main(int argc, char** argv) { return candor::Main(argc, argv); }
