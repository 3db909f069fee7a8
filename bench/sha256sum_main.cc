// candor-sha256 FILE: prints the SHA-256 of FILE ("<hex>  <file>"), streaming
// it through candor::Sha256 in 1 MiB reads (constant memory). A benchmark
// companion to `openssl dgst -sha256`, see bench/sha256_vs_openssl.sh.
#include <cstdio>
#include <vector>

#include "candor/bytes.h"
#include "candor/sha256.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: candor-sha256 FILE\n");
    return 2;
  }
  std::FILE* f = std::fopen(argv[1], "rb");
  if (f == nullptr) {
    std::perror(argv[1]);
    return 1;
  }
  std::vector<uint8_t> buf(1 << 20);
  candor::Sha256 sha;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    sha.Update(candor::ByteView(buf.data(), n));
  }
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) {
    std::fprintf(stderr, "%s: read error\n", argv[1]);
    return 1;
  }
  candor::Hash h = sha.Final();
  std::printf("%s  %s\n", candor::HexEncode(h).c_str(), argv[1]);
  return 0;
}
