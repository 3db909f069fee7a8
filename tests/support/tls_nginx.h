// Test support: a private PKI made with the `openssl` CLI, and real nginx
// (Debian nginx-light, /usr/sbin/nginx) terminating TLS on 127.0.0.1 with the
// shipped configuration examples/nginx/candor-tls.conf (ports and paths
// substituted), in front of a server the test started.
//
// Usage:
//   TestPki pki(dir + "/pki");             // ca.crt, other-ca.crt and leaves
//   REQUIRE(pki.ok());
//   TlsNginx nginx(dir + "/nginx", pki, "good", upstream_port);
//   REQUIRE(nginx.Start());
//   HttpClientOptions o; o.ca_file = pki.ca();
//   HttpClient::Create(nginx.url(), o) ...  // https://127.0.0.1:<port>
//
// Leaves (each <name>.crt / <name>.key in the PKI directory):
//   good        signed by ca.crt for IP 127.0.0.1 and DNS localhost, valid now
//   wrong-name  signed by ca.crt for DNS wrong.example only
//   expired     signed by ca.crt for 127.0.0.1, valid 2020-01-01..2021-01-01
//   unknown-ca  for 127.0.0.1, signed by other-ca.crt (which clients never trust)
//
// Thread-safety: owned by one thread; the destructor stops nginx.
#ifndef CANDOR_TESTS_SUPPORT_TLS_NGINX_H_
#define CANDOR_TESTS_SUPPORT_TLS_NGINX_H_

#include <memory>
#include <string>

#include "support/subprocess.h"

namespace candor::testing {

class TestPki {
 public:
  explicit TestPki(std::string dir);
  bool ok() const { return ok_; }
  const std::string& dir() const { return dir_; }
  std::string ca() const { return dir_ + "/ca.crt"; }
  std::string other_ca() const { return dir_ + "/other-ca.crt"; }

 private:
  std::string dir_;
  bool ok_ = false;
};

class TlsNginx {
 public:
  // `leaf` names the certificate nginx serves ("good", "expired", ...).
  // `plain_port` > 0 adds a plain-HTTP listener on it to the log's server
  // block (same proxy settings: the HTTPS-vs-HTTP comparison).
  TlsNginx(std::string dir, const TestPki& pki, const std::string& leaf, int upstream_port,
           int plain_port = 0);
  // Also fronts a candor-witness on `witness_upstream_port` with the file's
  // witness server block, on its own TLS port (witness_url()).
  void set_witness_upstream(int port) { witness_upstream_port_ = port; }
  ~TlsNginx();
  TlsNginx(const TlsNginx&) = delete;
  TlsNginx& operator=(const TlsNginx&) = delete;

  // Renders the configuration, starts nginx and waits until it answers.
  bool Start();
  int port() const { return port_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string witness_url() const { return "https://127.0.0.1:" + std::to_string(witness_port_); }
  // nginx's error log (for a failing test's message).
  std::string ErrorLog() const;

 private:
  std::string dir_;
  std::string pki_dir_;
  std::string leaf_;
  int upstream_port_;
  int plain_port_;
  int port_ = 0;
  int witness_upstream_port_ = 0;
  int witness_port_ = 0;
  std::unique_ptr<Subprocess> process_;
};

// The shipped configuration with the test's values: "listen 443 ssl;" ->
// 127.0.0.1:<port> (the witness block's: <witness_port> if not 0), the log
// upstream 127.0.0.1:8080 -> <upstream_port>, the witness upstream
// 127.0.0.1:8081 -> <witness_upstream_port> if not 0, /etc/ssl/candor/ ->
// <cert_dir>/. Empty if the file lacks a line the substitution expects (so a
// changed file fails the test loudly).
std::string RenderCandorTlsConf(int port, int upstream_port, const std::string& cert_dir,
                                int plain_port = 0, int witness_port = 0,
                                int witness_upstream_port = 0);

}  // namespace candor::testing

#endif  // CANDOR_TESTS_SUPPORT_TLS_NGINX_H_
