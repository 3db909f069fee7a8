/* failing_fsync: an LD_PRELOAD shim that makes fsync(2) and fdatasync(2) fail
 * with EIO, to test that servers never acknowledge data whose flush failed,
 * and that SIGKILLs the process at a chosen durability step, to test that a
 * crash between any two of them leaves a consistent file.
 *
 * Controlled by environment variables, read once at the first call:
 *   CANDOR_FSYNC_FAIL_AFTER=N   calls after the N-th succeed no more (fail)
 *   CANDOR_FSYNC_FAIL_PROB=P    each call fails with probability P (0..1)
 *   CANDOR_FSYNC_FAIL_FILE=PATH every call fails while PATH exists (checked at
 *                               each call, so a test can switch failures on
 *                               and off in a running process)
 *   CANDOR_FSYNC_FAIL_SEED=S    seed of the probability draws (default 1)
 *   CANDOR_FSYNC_FAIL_LOG=PATH  one line "fail <fn> <fd>" is appended per
 *                               injected failure (the test counts them)
 *   CANDOR_KILL_AT_CALL=N       SIGKILL the process just before its N-th
 *                               fsync, fdatasync or rename (1-based): the
 *                               steps of an atomic file replacement
 *                               (candor/fs/atomic_write.h), so N = 1, 2, ...
 *                               kills at each boundary between them
 * Any one condition suffices for a call to fail. A failing call does NOT call
 * the real function: like a real EIO, the data may or may not be on disk.
 *
 * Thread-safety: counters are atomics; the PRNG state is an atomic xorshift.
 * Built as a plain shared library, without sanitizers (tests set
 * ASAN_OPTIONS=verify_asan_link_order=0 for sanitized children).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef int (*sync_fn)(int);

static atomic_long g_calls;
static atomic_long g_steps;
static atomic_uint_fast64_t g_rng;
static atomic_int g_init;
static long g_fail_after = -1;
static double g_prob = 0.0;
static const char* g_file = NULL;
static const char* g_log = NULL;
static long g_kill_at = -1;

static void init_once(void) {
  if (atomic_load(&g_init)) return;
  const char* s = getenv("CANDOR_FSYNC_FAIL_AFTER");
  if (s && *s) g_fail_after = strtol(s, NULL, 10);
  s = getenv("CANDOR_FSYNC_FAIL_PROB");
  if (s && *s) g_prob = strtod(s, NULL);
  s = getenv("CANDOR_FSYNC_FAIL_FILE");
  if (s && *s) g_file = s;
  s = getenv("CANDOR_FSYNC_FAIL_LOG");
  if (s && *s) g_log = s;
  s = getenv("CANDOR_KILL_AT_CALL");
  if (s && *s) g_kill_at = strtol(s, NULL, 10);
  uint64_t seed = 1;
  s = getenv("CANDOR_FSYNC_FAIL_SEED");
  if (s && *s) seed = strtoull(s, NULL, 10);
  atomic_store(&g_rng, seed * 0x9e3779b97f4a7c15ull + 1);
  atomic_store(&g_init, 1);
}

static double next_uniform(void) {
  uint64_t x = atomic_load(&g_rng), y;
  do {
    y = x;
    y ^= y << 13;
    y ^= y >> 7;
    y ^= y << 17;
  } while (!atomic_compare_exchange_weak(&g_rng, &x, y));
  return (double)(y >> 11) / 9007199254740992.0; /* 2^53 */
}

static int should_fail(void) {
  init_once();
  long n = atomic_fetch_add(&g_calls, 1) + 1;
  if (g_fail_after >= 0 && n > g_fail_after) return 1;
  if (g_prob > 0 && next_uniform() < g_prob) return 1;
  if (g_file) {
    struct stat st;
    if (stat(g_file, &st) == 0) return 1;
  }
  return 0;
}

static void note_failure(const char* fn, int fd) {
  if (!g_log) return;
  int lfd = open(g_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (lfd < 0) return;
  char line[64];
  int len = snprintf(line, sizeof line, "fail %s %d\n", fn, fd);
  if (len > 0) (void)!write(lfd, line, (size_t)len);
  close(lfd);
}

/* The kill point: counts every durability step, kills at the chosen one. */
static void step(void) {
  init_once();
  long n = atomic_fetch_add(&g_steps, 1) + 1;
  if (g_kill_at > 0 && n == g_kill_at) raise(SIGKILL);
}

static int intercept(const char* name, int fd) {
  step();
  if (should_fail()) {
    note_failure(name, fd);
    errno = EIO;
    return -1;
  }
  sync_fn real = (sync_fn)dlsym(RTLD_NEXT, name);
  if (!real) {
    errno = ENOSYS;
    return -1;
  }
  return real(fd);
}

int fsync(int fd) { return intercept("fsync", fd); }
int fdatasync(int fd) { return intercept("fdatasync", fd); }

typedef int (*rename_fn)(const char*, const char*);
int rename(const char* from, const char* to) {
  step();
  rename_fn real = (rename_fn)dlsym(RTLD_NEXT, "rename");
  if (!real) {
    errno = ENOSYS;
    return -1;
  }
  return real(from, to);
}
