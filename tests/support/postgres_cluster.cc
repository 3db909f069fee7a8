#include "support/postgres_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "support/subprocess.h"

namespace candor::testing {
namespace {

namespace stdfs = std::filesystem;

// The newest /usr/lib/postgresql/<major>/bin with initdb, or "".
std::string FindBinDir() {
  std::error_code ec;
  int best = -1;
  std::string out;
  for (const auto& e : stdfs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const int major = std::stoi(name);
    if (major > best && stdfs::exists(e.path() / "bin" / "initdb")) {
      best = major;
      out = (e.path() / "bin").string();
    }
  }
  return out;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool PortOpen(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool open = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return open;
}

// True while `pid` runs. A killed postmaster is not our child (pg_ctl
// daemonized it) and may stay a zombie until some init reaps it, which
// kill(pid, 0) cannot tell from a live process: /proc can.
bool ProcessAlive(pid_t pid) {
  const std::string stat = Slurp("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  if (stat.empty() || paren == std::string::npos || paren + 2 >= stat.size()) return false;
  return stat[paren + 2] != 'Z' && stat[paren + 2] != 'X';
}

}  // namespace

bool PostgresRequired() {
  const char* v = std::getenv("CANDOR_REQUIRE_POSTGRES");
  return v != nullptr && std::string(v) == "1";
}

bool PostgresCluster::Run(const std::vector<std::string>& argv, std::string* output) const {
  std::vector<std::string> full;
  if (as_postgres_) full = {"/usr/sbin/runuser", "-u", "postgres", "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  CommandResult r = RunCommand(full);
  if (output != nullptr) *output = r.output;
  return r.exit_code == 0;
}

std::unique_ptr<PostgresCluster> PostgresCluster::Primary() {
  std::unique_ptr<PostgresCluster> c(new PostgresCluster());
  c->bin_ = FindBinDir();
  if (c->bin_.empty()) {
    c->why_ = "no PostgreSQL server (Debian postgresql): /usr/lib/postgresql/*/bin/initdb";
    return c;
  }
  char tmpl[] = "/tmp/candor-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    c->why_ = "mkdtemp failed";
    return c;
  }
  c->dir_ = tmpl;
  c->data_ = c->dir_ + "/data";
  c->as_postgres_ = ::geteuid() == 0;
  if (c->as_postgres_) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr || ::chown(c->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      c->why_ = "running as root, and no postgres user to own the cluster";
      return c;
    }
  }
  std::string out;
  if (!c->Run({c->bin_ + "/initdb", "-D", c->data_, "-U", "candor", "--auth=trust", "-E", "UTF8",
               "--locale=C", "--no-sync"},
              &out)) {
    c->why_ = "initdb failed: " + out.substr(0, 300);
    return c;
  }
  c->port_ = PickFreePort();
  // Loopback only; the socket in the cluster's own directory; enough WAL
  // senders and retained WAL for a standby made later.
  std::ofstream(c->data_ + "/postgresql.conf", std::ios::app)
      << "\n# candor test cluster\nlisten_addresses = '127.0.0.1'\nport = " << c->port_
      << "\nunix_socket_directories = '" << c->dir_
      << "'\nwal_level = replica\nmax_wal_senders = 8\nwal_keep_size = '128MB'\n"
         "hot_standby = on\nmax_connections = 100\nlogging_collector = off\n";
  std::ofstream(c->data_ + "/pg_hba.conf", std::ios::trunc)
      << "local all all trust\nhost all all 127.0.0.1/32 trust\n"
         "host replication all 127.0.0.1/32 trust\n";
  if (!c->Start()) {
    c->why_ = "the server did not start: " + c->Log().substr(0, 400);
    return c;
  }
  bool ok = false;
  c->Sql("CREATE DATABASE candor", &ok);
  if (!ok) {
    c->why_ = "CREATE DATABASE failed";
    return c;
  }
  c->available_ = true;
  return c;
}

std::unique_ptr<PostgresCluster> PostgresCluster::AddStandby(bool synchronous) {
  std::unique_ptr<PostgresCluster> s(new PostgresCluster());
  s->bin_ = bin_;
  s->as_postgres_ = as_postgres_;
  char tmpl[] = "/tmp/candor-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    s->why_ = "mkdtemp failed";
    return s;
  }
  s->dir_ = tmpl;
  s->data_ = s->dir_ + "/data";
  if (as_postgres_) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr || ::chown(s->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      s->why_ = "chown to postgres failed";
      return s;
    }
  }
  std::string out;
  if (!s->Run({bin_ + "/pg_basebackup", "-h", "127.0.0.1", "-p", std::to_string(port_), "-U",
               "candor", "-D", s->data_, "-R", "-X", "stream", "-c", "fast", "--no-sync"},
              &out)) {
    s->why_ = "pg_basebackup failed: " + out.substr(0, 300);
    return s;
  }
  s->port_ = PickFreePort();
  // The copied configuration is the primary's: later lines win. cluster_name
  // is the standby's application_name, which synchronous_standby_names names.
  std::ofstream(s->data_ + "/postgresql.conf", std::ios::app)
      << "\n# standby\nport = " << s->port_ << "\nunix_socket_directories = '" << s->dir_
      << "'\ncluster_name = 'candor_standby'\n";
  if (!s->Start()) {
    s->why_ = "the standby did not start: " + s->Log().substr(0, 400);
    return s;
  }
  if (synchronous) {
    bool ok = false;
    Sql("ALTER SYSTEM SET synchronous_standby_names = 'candor_standby'", &ok);
    if (ok) Sql("SELECT pg_reload_conf()", &ok);
    // Streaming and synchronous before anyone relies on it.
    for (int i = 0; ok && i < 300; ++i) {
      if (Sql("SELECT sync_state FROM pg_stat_replication") == "sync\n") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (i == 299) ok = false;
    }
    if (!ok) {
      s->why_ = "the standby did not become synchronous";
      return s;
    }
  }
  s->available_ = true;
  return s;
}

PostgresCluster::~PostgresCluster() {
  // Immediate shutdown: nothing of a finished test's cluster is kept, so no
  // shutdown checkpoint to wait for.
  if (!data_.empty() && stdfs::exists(data_ + "/postmaster.pid") &&
      !Run({bin_ + "/pg_ctl", "-D", data_, "-m", "immediate", "-w", "-t", "30", "stop"})) {
    Kill9();
  }
  std::error_code ec;
  if (!dir_.empty()) stdfs::remove_all(dir_, ec);
}

std::string PostgresCluster::ConnectionString() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) +
         " user=candor dbname=candor connect_timeout=5";
}

std::string PostgresCluster::Uri() const {
  return "postgresql://candor@127.0.0.1:" + std::to_string(port_) + "/candor";
}

bool PostgresCluster::Start() {
  return Run(
      {bin_ + "/pg_ctl", "-D", data_, "-l", dir_ + "/server.log", "-w", "-t", "60", "start"});
}

bool PostgresCluster::Stop() {
  return Run({bin_ + "/pg_ctl", "-D", data_, "-m", "fast", "-w", "-t", "30", "stop"});
}

void PostgresCluster::Kill9() {
  const std::string pidfile = Slurp(data_ + "/postmaster.pid");
  const pid_t pid = static_cast<pid_t>(std::atol(pidfile.c_str()));
  if (pid <= 0) return;
  // The whole server at once, as a machine crash: the postmaster and its
  // backends, WAL senders and writers (its children).
  std::vector<pid_t> children;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const std::string stat = Slurp(e.path().string() + "/stat");
    const size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    // "pid (comm) state ppid ..."
    std::istringstream rest(stat.substr(paren + 2));
    char state = 0;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid == pid) children.push_back(static_cast<pid_t>(std::stol(name)));
  }
  ::kill(pid, SIGKILL);
  for (pid_t child : children) ::kill(child, SIGKILL);
  // The postmaster is not our child (pg_ctl daemonized it): wait until it is
  // dead and the port shut.
  for (int i = 0; i < 200; ++i) {
    if (!ProcessAlive(pid) && !PortOpen(port_)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // A dead postmaster may linger as a zombie until an init reaps it, and a
  // zombie's PID still "exists" for the next postmaster's lock-file check:
  // the stale lock files (data directory, socket) go, as an operator removes
  // them after a crash.
  if (!ProcessAlive(pid)) {
    stdfs::remove(data_ + "/postmaster.pid", ec);
    const std::string socket = dir_ + "/.s.PGSQL." + std::to_string(port_);
    stdfs::remove(socket + ".lock", ec);
    stdfs::remove(socket, ec);
  }
}

bool PostgresCluster::Promote() {
  return Run({bin_ + "/pg_ctl", "-D", data_, "-w", "-t", "60", "promote"});
}

std::string PostgresCluster::Sql(const std::string& statement, bool* ok) const {
  // Warnings and errors go to the output (merged), which a failure discards;
  // no notices, so a success's output is the rows alone.
  CommandResult r = RunCommand(
      {"/usr/bin/env", "PGOPTIONS=-c client_min_messages=warning", bin_ + "/psql", "-X", "-q", "-A",
       "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", std::to_string(port_), "-U",
       "candor", "-d", statement.starts_with("CREATE DATABASE") ? "postgres" : "candor", "-c",
       statement});
  if (ok != nullptr) *ok = r.exit_code == 0;
  return r.exit_code == 0 ? r.output : "";
}

std::string PostgresCluster::Log() const { return Slurp(dir_ + "/server.log"); }

}  // namespace candor::testing
