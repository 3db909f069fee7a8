#include "support/tls_nginx.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace candor::testing {
namespace {

constexpr const char* kOpenssl = "/usr/bin/openssl";
constexpr const char* kNginx = "/usr/sbin/nginx";

// A minimal configuration for `openssl req` and `openssl ca` (which, unlike
// `openssl x509 -req` in OpenSSL 3.0, can set a past validity window).
constexpr const char* kOpensslConf = R"(
[req]
distinguished_name = dn
prompt = no
[dn]
CN = candor-test
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ca]
default_ca = test_ca
[test_ca]
dir = @CADIR@
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir/issued
certificate = $dir/ca.crt
private_key = $dir/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
[policy_any]
commonName = supplied
[leaf_localhost]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[leaf_wrong_name]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
)";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Spit(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

bool Run(const std::vector<std::string>& argv) {
  CommandResult r = RunCommand(argv);
  return r.exit_code == 0;
}

// A CA (key + self-signed certificate) in `dir`, with an `openssl ca` database
// and its configuration `dir`/openssl.cnf.
bool MakeCa(const std::string& dir, const std::string& cn) {
  std::filesystem::create_directories(dir + "/issued");
  const std::string conf = dir + "/openssl.cnf";
  std::string text = kOpensslConf;
  text.replace(text.find("@CADIR@"), 7, dir);
  Spit(conf, text);
  Spit(dir + "/index.txt", "");
  Spit(dir + "/serial", "1000\n");
  return Run({kOpenssl,
              "req",
              "-x509",
              "-config",
              conf,
              "-extensions",
              "v3_ca",
              "-newkey",
              "ec",
              "-pkeyopt",
              "ec_paramgen_curve:P-256",
              "-nodes",
              "-keyout",
              dir + "/ca.key",
              "-out",
              dir + "/ca.crt",
              "-days",
              "3650",
              "-subj",
              "/CN=" + cn});
}

// Leaf `out_dir/name.{crt,key}` signed by the CA in `ca_dir`.
bool MakeLeaf(const std::string& ca_dir, const std::string& out_dir, const std::string& name,
              const std::string& extensions, const std::string& start, const std::string& end) {
  const std::string base = out_dir + "/" + name;
  const std::string conf = ca_dir + "/openssl.cnf";
  if (!Run({kOpenssl, "req", "-new", "-config", conf, "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", base + ".key", "-out", base + ".csr",
            "-subj", "/CN=" + name})) {
    return false;
  }
  return Run({kOpenssl, "ca", "-batch", "-notext", "-config", conf, "-extensions", extensions,
              "-startdate", start, "-enddate", end, "-in", base + ".csr", "-out", base + ".crt"});
}

bool Replace(std::string& text, const std::string& from, const std::string& to) {
  bool any = false;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
    any = true;
  }
  return any;
}

}  // namespace

TestPki::TestPki(std::string dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  const std::string other = dir_ + "/other";
  constexpr const char* kNow = "20200101000000Z";
  constexpr const char* kLater = "20991231000000Z";
  ok_ = MakeCa(dir_, "Candor Test CA") && MakeCa(other, "Unknown Test CA") &&
        MakeLeaf(dir_, dir_, "good", "leaf_localhost", kNow, kLater) &&
        MakeLeaf(dir_, dir_, "wrong-name", "leaf_wrong_name", kNow, kLater) &&
        MakeLeaf(dir_, dir_, "expired", "leaf_localhost", "20200101000000Z", "20210101000000Z") &&
        MakeLeaf(other, dir_, "unknown-ca", "leaf_localhost", kNow, kLater);
  if (ok_) std::filesystem::copy_file(other + "/ca.crt", other_ca());
}

std::string RenderCandorTlsConf(int port, int upstream_port, const std::string& cert_dir,
                                int plain_port, int witness_port, int witness_upstream_port) {
  std::string text = Slurp(std::string(CANDOR_SOURCE_DIR) + "/examples/nginx/candor-tls.conf");
  const std::string listen = "listen 127.0.0.1:" + std::to_string(port) + " ssl;";
  const std::string witness_listen =
      "listen 127.0.0.1:" + std::to_string(witness_port > 0 ? witness_port : port) + " ssl;";
  // The log's server block comes first, the witness's second.
  const std::string tls_listen = "listen 443 ssl;";
  const size_t first = text.find(tls_listen);
  if (first == std::string::npos) return "";
  text.replace(first, tls_listen.size(), listen);
  bool ok = Replace(text, tls_listen, witness_listen) &&
            Replace(text, "server 127.0.0.1:8080;",
                    "server 127.0.0.1:" + std::to_string(upstream_port) + ";") &&
            Replace(text, "/etc/ssl/candor/", cert_dir + "/");
  if (witness_upstream_port > 0) {
    ok = ok && Replace(text, "server 127.0.0.1:8081;",
                       "server 127.0.0.1:" + std::to_string(witness_upstream_port) + ";");
  }
  if (!ok) return "";
  if (plain_port > 0) {
    // The log's server block also listens in plain HTTP.
    text.insert(first + listen.size(),
                "\n    listen 127.0.0.1:" + std::to_string(plain_port) + ";");
  }
  return text;
}

TlsNginx::TlsNginx(std::string dir, const TestPki& pki, const std::string& leaf, int upstream_port,
                   int plain_port)
    : dir_(std::move(dir)),
      pki_dir_(pki.dir()),
      leaf_(leaf),
      upstream_port_(upstream_port),
      plain_port_(plain_port) {}

TlsNginx::~TlsNginx() {
  if (process_) process_->Stop();
}

std::string TlsNginx::ErrorLog() const { return Slurp(dir_ + "/error.log"); }

bool TlsNginx::Start() {
  std::filesystem::create_directories(dir_ + "/certs");
  std::filesystem::create_directories(dir_ + "/tmp");
  // Both server blocks (log, witness) serve the chosen leaf.
  for (const char* who : {"log", "witness"}) {
    for (const char* ext : {".crt", ".key"}) {
      std::filesystem::copy_file(pki_dir_ + "/" + leaf_ + ext, dir_ + "/certs/" + who + ext,
                                 std::filesystem::copy_options::overwrite_existing);
    }
  }
  port_ = PickFreePort();
  witness_port_ = port_;
  while (witness_upstream_port_ > 0 && witness_port_ == port_) witness_port_ = PickFreePort();
  std::string site = RenderCandorTlsConf(port_, upstream_port_, dir_ + "/certs", plain_port_,
                                         witness_port_, witness_upstream_port_);
  if (site.empty()) return false;
  Spit(dir_ + "/candor-tls.conf", site);
  // The main configuration: in the foreground, everything under dir_. Run
  // as root (CI), the workers keep root so they can use the test's files.
  std::string main = "daemon off;\nworker_processes 1;\npid " + dir_ + "/nginx.pid;\n" +
                     "error_log " + dir_ + "/error.log warn;\n" +
                     (::geteuid() == 0 ? "user root;\n" : "") +
                     "events { worker_connections 512; }\n"
                     "http {\n  access_log off;\n"
                     "  client_body_temp_path " +
                     dir_ +
                     "/tmp/body;\n"
                     "  proxy_temp_path " +
                     dir_ +
                     "/tmp/proxy;\n"
                     "  fastcgi_temp_path " +
                     dir_ +
                     "/tmp/fastcgi;\n"
                     "  uwsgi_temp_path " +
                     dir_ +
                     "/tmp/uwsgi;\n"
                     "  scgi_temp_path " +
                     dir_ +
                     "/tmp/scgi;\n"
                     "  include " +
                     dir_ + "/candor-tls.conf;\n}\n";
  Spit(dir_ + "/nginx.conf", main);
  process_ = std::make_unique<Subprocess>(
      std::vector<std::string>{kNginx, "-p", dir_, "-e", dir_ + "/error.log", "-c",
                               dir_ + "/nginx.conf"},
      dir_ + "/stderr.log");
  if (!process_->Start()) return false;
  // Plain HTTP to the TLS port gets nginx's 400: an answer, so it is up.
  return WaitForHttp(port_, "/");
}

}  // namespace candor::testing
