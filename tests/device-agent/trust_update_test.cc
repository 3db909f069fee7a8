// Trust roots on the device (agent.h UpdateTrustRoot, RootInEffect; docs/AGENT.md
// "Trust roots"): a provisioned root, rotation by trust-update (one version,
// a walk of several), installs under the root in effect, expiry, and the
// attack matrix of rotation: each attempt refused with its reason class and
// one-line reason, in-process and on the command line, and the state file
// byte-for-byte unchanged.
#include <doctest/doctest.h>

#include <functional>

#include "agent_fixture.h"
#include "candor/agent/cli.h"
#include "candor/note.h"

namespace candor::agent {
namespace {

using testing::Device;
using testing::Keys;
using testing::kNow;
using testing::MakeKey;
using testing::ProofFile;
using testing::Release;
using testing::World;

constexpr uint64_t kDay = 86400;

// A device's root chain as a vendor publishes it. Root 1 (provisioned): keys
// a, b, c, threshold 2. Roots 2 and 3: keys b, c, d, threshold 2; root 2 is
// signed by a, b (version 1's threshold) and b, d (its own). Their policy also
// trusts vendor2 for printer-x1, so an install shows which policy is in
// effect. The log holds root 2, root 3 and a filler: size 3, the size of both
// bundles.
struct Chain {
  World w;
  Keys a = MakeKey("root-a.example"), b = MakeKey("root-b.example"), c = MakeKey("root-c.example"),
       d = MakeKey("root-d.example"), e = MakeKey("root-e.example"), f = MakeKey("root-f.example"),
       g = MakeKey("root-g.example"), mallory = MakeKey("mallory.example");
  Keys vendor2 = MakeKey("acme.example/firmware-2027");
  std::string policy2 =
      w.PolicyText() + "vendor " + FormatVerifierKey(vendor2.vk) + " printer-x1\n";
  std::string root1 = World::SignRoot(w.Root(1, {&a, &b, &c}, 2), {&a, &b});
  std::string root2 = World::SignRoot(w.Root(2, {&b, &c, &d}, 2, policy2), {&a, &b, &d});
  std::string root3 = World::SignRoot(w.Root(3, {&b, &c, &d}, 2, policy2), {&b, &d});
  uint64_t index2 = 0, index3 = 0;
  std::string bundle2, bundle3;

  Chain() {
    index2 = w.AppendNote(root2);
    index3 = w.AppendNote(root3);
    w.AppendFiller(1);
    bundle2 = w.GoodBundle(index2);
    bundle3 = w.GoodBundle(index3);
  }

  // A version-3 root of the chain's domain and policy with these keys and signers.
  std::string Root3(const std::vector<const Keys*>& keys, const std::vector<const Keys*>& signers,
                    int64_t expires = static_cast<int64_t>(kNow) + 365 * kDay) const {
    return World::SignRoot(w.Root(3, keys, 2, policy2, expires), signers);
  }
};

struct Attempt {
  Attempt(std::string r, std::string b, std::optional<std::string> p = std::nullopt)
      : root(std::move(r)), bundle(std::move(b)), proof(std::move(p)) {}
  std::string root;
  std::string bundle;
  std::optional<std::string> proof;
  uint64_t now = kNow;
};

// `note` appended to the chain's log, its bundle under the whole log, and
// the proof from the device's last seen size 3.
Attempt Logged(Chain& c, const std::string& note) {
  uint64_t i = c.w.AppendNote(note);
  return Attempt{note, c.w.GoodBundle(i), ProofFile(c.w, {3}, c.w.entries.size())};
}

// Root 3's text with `from` replaced by `to` (`to` appended when `from` is
// empty), signed by b and d and logged: signed, but not canonical.
Attempt LoggedEdited(Chain& c, std::string_view from, std::string_view to) {
  std::string text = FormatTrustRootText(c.w.Root(3, {&c.b, &c.c, &c.d}, 2, c.policy2));
  if (from.empty()) {
    text += to;
  } else {
    text.replace(text.find(from), from.size(), to);
  }
  const SignerKey* signers[] = {&c.b.sk, &c.d.sk};
  auto note = SignNote(text, signers);
  REQUIRE(note.ok());
  return Logged(c, *note);
}

// `k` listed under another name: the same public key, another key ID.
Keys Alias(const Keys& k, std::string name) {
  Keys alias = k;
  alias.sk.name = std::move(name);
  alias.sk.key_id = KeyId(alias.sk.name, alias.sk.type, alias.vk.public_key);
  alias.vk = PublicKeyOf(alias.sk);
  return alias;
}

// `candor-agent trust-update` in-process against `d`'s provisioned root;
// {exit code, stdout, stderr}.
struct CliRun {
  int code;
  std::string out, err;
};
CliRun CliTrustUpdate(const Device& d, const std::vector<std::string>& update_args,
                      uint64_t now = kNow, std::string command = "trust-update") {
  std::vector<std::string> args = {"--trust-root",    d.Path("root.provisioned"),
                                   "--product",       testing::kProduct,
                                   "--state-dir",     d.state_dir,
                                   "--now",           std::to_string(now),
                                   std::move(command)};
  args.insert(args.end(), update_args.begin(), update_args.end());
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  REQUIRE((out && err));
  args.insert(args.begin(), {"--config", d.Path("agent.conf")});
  testing::WriteFile(d.Path("agent.conf"), "# flags configure this device\n");
  int code = RunAgentCli(args, out, err);
  auto read = [](std::FILE* f) {
    std::string text(1 << 16, '\0');
    std::rewind(f);
    text.resize(std::fread(text.data(), 1, text.size(), f));
    std::fclose(f);
    return text;
  };
  return CliRun{code, read(out), read(err)};
}

// The policy's split-view warning line (2 of 3 witnesses) that the command
// line prints before anything else once it has loaded the configuration.
std::string Warning(const Device& d) {
  return QuorumSplitViewWarning(PolicyOf(d.ctx, d.ctx.trust_root)) + "\n";
}

TEST_CASE("trust-update: 1 -> 2, then installs verify under root 2's policy") {
  Chain c;
  Device d(c.w);
  d.ProvisionRoot(c.root1);
  Release r = c.w.MakeRelease("2.0.0", 7, 100000, &c.vendor2);
  const uint64_t ri = c.w.Append(r.entry);

  // Root 1 does not trust vendor2.
  auto early = d.Install(r.image, c.w.GoodBundle(ri));
  REQUIRE_FALSE(early.ok());
  CHECK(early.status().code() == Code::kUntrustedKey);
  CHECK(d.StateBytes() == "<absent>");

  auto up = d.TrustUpdate({{c.root2, c.bundle2}});
  REQUIRE_MESSAGE(up.ok(), up.status().ToString());
  REQUIRE(up->size() == 1);
  CHECK((*up)[0].root.root.version == 2);
  CHECK((*up)[0].log_index == c.index2);
  auto state = LoadState(d.state_dir);
  REQUIRE(state.ok());
  CHECK(state->trust_root == c.root2);
  CHECK(state->checkpoints.at(testing::kOrigin).size == 3);
  CHECK(state->checkpoints.at(testing::kOrigin).quorum_time == kNow - 60);
  CHECK(d.StateBytes().starts_with("candor-agent-state v3\ntrust-root "));
  auto effective = RootInEffect(d.ctx.trust_root, *state);
  REQUIRE(effective.ok());
  CHECK((*effective)->root.version == 2);

  // The install's checkpoint (size 4) must extend the one trust-update saw.
  auto ok = d.Install(r.image, c.w.GoodBundle(ri), ProofFile(c.w, {3}, 4));
  REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
  CHECK(d.TargetBytes() == r.image);
  state = LoadState(d.state_dir);
  REQUIRE(state.ok());
  CHECK(state->trust_root == c.root2);  // an install keeps the root
  CHECK(state->RollbackFor(testing::kProduct) == 7);

  // status shows the root in effect.
  CHECK(FormatStatusText(*state, &(*effective)->root, kNow)
            .starts_with("trust root: printer.acme.example version 2, expires "
                         "2027-09-21T14:13:20Z\n"));
  CHECK(FormatStatusJson(*state, &(*effective)->root, kNow)
            .ends_with(",\"trust_root\":{\"domain\":\"printer.acme.example\",\"version\":2,"
                       "\"expires\":\"2027-09-21T14:13:20Z\",\"expired\":false}}\n"));
}

// The split-view warning names the policy in effect: root 1's 2-of-3 quorum
// warns, and once root 2 (all three witnesses) is committed, it does not.
TEST_CASE("trust-update: the command line warns about the policy in effect") {
  Chain c;
  std::string strict = c.w.PolicyText();
  const std::string two_of_three = "group witnesses 2 w1 w2 w3";
  REQUIRE(strict.find(two_of_three) != std::string::npos);
  strict.replace(strict.find(two_of_three), two_of_three.size(), "group witnesses all w1 w2 w3");
  const std::string root2 =
      World::SignRoot(c.w.Root(2, {&c.b, &c.c, &c.d}, 2, strict), {&c.a, &c.b, &c.d});
  const uint64_t index = c.w.AppendNote(root2);
  Device d(c.w);
  d.ProvisionRoot(c.root1);
  testing::WriteFile(d.Path("strict.root"), root2);
  testing::WriteFile(d.Path("strict.root.bundle"), c.w.GoodBundle(index));
  const std::vector<std::string> args = {"--root", d.Path("strict.root"), "--bundle",
                                         d.Path("strict.root.bundle")};
  const std::string warning = Warning(d);
  REQUIRE_FALSE(warning == "\n");
  auto first = CliTrustUpdate(d, args);
  REQUIRE_MESSAGE(first.code == 0, first.err);
  CHECK(first.err == warning);
  auto again = CliTrustUpdate(d, args);
  CHECK(again.code == ExitCodeFor(Code::kRollback));
  CHECK(again.err.starts_with("refused: "));
}

TEST_CASE("trust-update: a walk 1 -> 2 -> 3 in one run, committed once or not at all") {
  Chain c;
  {
    Device d(c.w);
    d.ProvisionRoot(c.root1);
    auto up = d.TrustUpdate({{c.root2, c.bundle2}, {c.root3, c.bundle3}});
    REQUIRE_MESSAGE(up.ok(), up.status().ToString());
    REQUIRE(up->size() == 2);
    CHECK((*up)[0].root.root.version == 2);
    CHECK((*up)[1].root.root.version == 3);
    CHECK(LoadState(d.state_dir)->trust_root == c.root3);

    // The command line prints one line per applied version; now at 3, both are old.
    auto again =
        CliTrustUpdate(d, {"--root", d.Path("0.root"), "--bundle", d.Path("0.root.bundle")});
    CHECK(again.code == ExitCodeFor(Code::kRollback));
    CHECK(again.err.starts_with(Warning(d) + "refused: "));
  }
  {
    // Out of order: 3 before 2 skips a version; nothing is committed.
    Device d(c.w);
    d.ProvisionRoot(c.root1);
    auto up = d.TrustUpdate({{c.root3, c.bundle3}, {c.root2, c.bundle2}});
    REQUIRE_FALSE(up.ok());
    CHECK(up.status().message().find("skips version 2") != std::string::npos);
    CHECK(d.StateBytes() == "<absent>");
  }
  {
    // The second step fails: the first one is not committed either.
    Device d(c.w);
    d.ProvisionRoot(c.root1);
    auto up = d.TrustUpdate({{c.root2, c.bundle2}, {c.root3, c.bundle2}});
    REQUIRE_FALSE(up.ok());
    CHECK(up.status().code() == Code::kMismatch);
    CHECK(d.StateBytes() == "<absent>");
  }
  {
    // The command line: repeated groups, one output line per version.
    Device d(c.w);
    d.ProvisionRoot(c.root1);
    testing::WriteFile(d.Path("2.root"), c.root2);
    testing::WriteFile(d.Path("2.root.bundle"), c.bundle2);
    testing::WriteFile(d.Path("3.root"), c.root3);
    testing::WriteFile(d.Path("3.root.bundle"), c.bundle3);
    auto run = CliTrustUpdate(d, {"--root", d.Path("2.root"), "--bundle", d.Path("2.root.bundle"),
                                  "--root", d.Path("3.root"), "--bundle", d.Path("3.root.bundle")});
    CHECK_MESSAGE(run.code == 0, run.err);
    CHECK(run.out ==
          "trust root updated: printer.acme.example version 2 (expires 2027-09-21T14:13:20Z), "
          "log index 0, checkpoint log.candor.example/firmware size 3, cosigned by w1, w2\n"
          "trust root updated: printer.acme.example version 3 (expires 2027-09-21T14:13:20Z), "
          "log index 1, checkpoint log.candor.example/firmware size 3, cosigned by w1, w2\n");
    CHECK(LoadState(d.state_dir)->trust_root == c.root3);
    auto status = CliTrustUpdate(d, {"--json"}, kNow, "status");
    CHECK(status.code == 0);
    CHECK(status.out.find("\"trust_root\":{\"domain\":\"printer.acme.example\",\"version\":3,") !=
          std::string::npos);
  }
}

TEST_CASE(
    "trust-update: an expired root refuses installs (exit 16) and still accepts its successor") {
  Chain c;
  // Root 1 expired a minute ago.
  c.root1 = World::SignRoot(c.w.Root(1, {&c.a, &c.b, &c.c}, 2, "", static_cast<int64_t>(kNow) - 60),
                            {&c.a, &c.b});
  Device d(c.w);
  d.ProvisionRoot(c.root1);
  Release r = c.w.MakeRelease("1.0.0", 5);
  const uint64_t ri = c.w.Append(r.entry);
  const std::string target_before = d.TargetBytes();

  auto refused = d.Install(r.image, c.w.GoodBundle(ri));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Code::kExpired);
  CHECK(refused.status().message().find("expired at") != std::string::npos);
  CHECK(d.TargetBytes() == target_before);
  CHECK(d.StateBytes() == "<absent>");
  testing::WriteFile(d.Path("fw.bin"), r.image);
  testing::WriteFile(d.Path("fw.bundle"), c.w.GoodBundle(ri));
  auto cli = CliTrustUpdate(
      d, {"--image", d.Path("fw.bin"), "--bundle", d.Path("fw.bundle"), "--flash-target", d.target},
      kNow, "install");
  CHECK(cli.code == 16);
  CHECK(cli.err.starts_with(Warning(d) +
                            "refused: trust root printer.acme.example version 1 expired"));
  CHECK(d.TargetBytes() == target_before);
  CHECK(d.StateBytes() == "<absent>");
  auto status = CliTrustUpdate(d, {}, kNow, "status");
  CHECK(
      status.out.starts_with("trust root: printer.acme.example version 1, expires "
                             "2026-09-21T14:12:20Z (expired)\n"));

  // Recovery: root 2 (not expired) is accepted from the expired root 1.
  auto up = d.TrustUpdate({{c.root2, c.bundle2}});
  REQUIRE_MESSAGE(up.ok(), up.status().ToString());
  auto installed = d.Install(r.image, c.w.GoodBundle(ri), ProofFile(c.w, {3}, 4));
  REQUIRE_MESSAGE(installed.ok(), installed.status().ToString());
  CHECK(d.TargetBytes() == r.image);
}

TEST_CASE("trust roots: configuration and the root in effect") {
  Chain c;
  Device d(c.w);
  // A provisioned root below its own threshold is refused at start.
  testing::WriteFile(d.Path("weak.root"),
                     World::SignRoot(c.w.Root(1, {&c.a, &c.b, &c.c}, 2), {&c.a}));
  auto weak = LoadProvisionedRoot(d.Path("weak.root"));
  CHECK(weak.status().code() == Code::kBadSignature);
  CHECK(weak.status().message().find("(1 of 2)") != std::string::npos);

  d.ProvisionRoot(c.root1);
  DeviceState state;
  state.trust_root = c.root2;
  CHECK((*RootInEffect(d.ctx.trust_root, state))->note == c.root2);
  CHECK((*RootInEffect(d.ctx.trust_root, DeviceState{}))->note == c.root1);
  CHECK(RootInEffect(std::nullopt, state).status().code() == Code::kInvalidArgument);
  CHECK_FALSE(RootInEffect(std::nullopt, DeviceState{}).value().has_value());
  // The state's root must not be older than the provisioned one.
  Device newer(c.w);
  newer.ProvisionRoot(c.root2);
  state.trust_root = c.root1;
  CHECK(RootInEffect(newer.ctx.trust_root, state).status().code() == Code::kRollback);
  // Nor for another domain.
  TrustRoot other = c.w.Root(2, {&c.b, &c.c, &c.d}, 2);
  other.domain = "scanner.acme.example";
  state.trust_root = World::SignRoot(other, {&c.b, &c.d});
  CHECK(RootInEffect(d.ctx.trust_root, state).status().code() == Code::kMismatch);
  // Nor another root of the provisioned version: the same version must be
  // the same bytes (the same root with one more signature line differs too).
  state.trust_root = World::SignRoot(c.w.Root(1, {&c.a, &c.b, &c.c}, 2), {&c.a, &c.b, &c.c});
  CHECK(state.trust_root != c.root1);
  CHECK(RootInEffect(d.ctx.trust_root, state).status().code() == Code::kConflict);
  state.trust_root = c.root1;
  CHECK((*RootInEffect(d.ctx.trust_root, state))->note == c.root1);

  // trust-update needs a root: a bare-policy device has none to rotate.
  Device bare(c.w);
  auto up = bare.TrustUpdate({{c.root2, c.bundle2}});
  CHECK(up.status().code() == Code::kInvalidArgument);

  // The config file: trust-root is exclusive with policy.
  CHECK(ParseAgentConfig("trust-root /etc/candor/root\npolicy /etc/candor/policy\n")
            .status()
            .code() == Code::kMalformed);
  auto config = ParseAgentConfig("trust-root /etc/candor/root\nproduct x\nstate-dir /s\n");
  REQUIRE(config.ok());
  CHECK(config->trust_root_path == "/etc/candor/root");
  CHECK(CheckComplete(*config, false).ok());
  config->policy_path = "/etc/candor/policy";  // as --policy would
  CHECK(CheckComplete(*config, false).message() == "both policy and trust-root configured");
}

TEST_CASE("trust-update: command-line groups and usage errors") {
  Chain c;
  Device d(c.w);
  d.ProvisionRoot(c.root1);
  struct Case {
    std::vector<std::string> args;
    std::string command;
    const char* err;
  } cases[] = {
      {{}, "trust-update", "usage error: trust-update needs --root and --bundle"},
      {{"--bundle", "b", "--root", "r"},
       "trust-update",
       "usage error: --bundle before the first --root"},
      {{"--root", "r"}, "trust-update", "usage error: --root r needs a --bundle"},
      {{"--root", "r", "--bundle", "b", "--bundle", "c"},
       "trust-update",
       "usage error: two --bundle for --root r"},
      {{"--root", "r", "--bundle", "b", "--consistency-proof", "p", "--consistency-proof", "q"},
       "trust-update",
       "usage error: two --consistency-proof for --root r"},
      {{"--root", "r", "--bundle", "b", "--image", "i"},
       "trust-update",
       "usage error: --image is not an option of trust-update"},
      {{"--root", "r", "--bundle", "b", "--json"},
       "trust-update",
       "usage error: --json is not an option of trust-update"},
      {{"--root", "r", "--image", "i", "--bundle", "b"},
       "install",
       "usage error: --root is not an option of install"},
      {{"--image", "i", "--bundle", "b", "--bundle", "c"},
       "verify",
       "usage error: --bundle given twice"},
  };
  for (const Case& k : cases) {
    CAPTURE(k.err);
    CliRun run = CliTrustUpdate(d, k.args, kNow, k.command);
    CHECK(run.code == kExitUsage);
    CHECK(run.err.starts_with(k.err));
    CHECK(d.StateBytes() == "<absent>");
  }
  // A device configured with both anchors is refused before anything is read.
  testing::WriteFile(d.Path("policy"), c.w.PolicyText());
  CliRun both = CliTrustUpdate(d, {"--policy", d.Path("policy"), "--root", "r", "--bundle", "b"});
  CHECK(both.code == ExitCodeFor(Code::kInvalidArgument));
  CHECK(both.err == "error: both policy and trust-root configured\n");
}

struct Attack {
  const char* name;
  Code code;
  const char* reason;  // substring of the one-line reason
  std::function<Attempt(Chain&)> setup;
};

const std::vector<Attack>& Attacks() {
  static const auto* attacks = new std::vector<Attack>{
      {"rollback to an older root", Code::kRollback,
       "version 1 is not newer than the trusted version 2",
       [](Chain& c) { return Logged(c, c.root1); }},
      {"the current root again", Code::kRollback, "version 2 is not newer",
       [](Chain& c) {
         return Attempt{c.root2, c.bundle2};
       }},
      {"skipping a version", Code::kPolicyUnsatisfied, "version 4 skips version 3",
       [](Chain& c) {
         return Logged(
             c, World::SignRoot(c.w.Root(4, {&c.b, &c.c, &c.d}, 2, c.policy2), {&c.b, &c.d}));
       }},
      {"threshold of the old root's keys missing", Code::kBadSignature,
       "root keys of version 2 (1 of 2)",
       [](Chain& c) {
         return Logged(c, c.Root3({&c.e, &c.f, &c.g}, {&c.b, &c.e, &c.f}));
       }},
      {"threshold of the new root's own keys missing", Code::kBadSignature,
       "root keys of version 3 itself (1 of 2)",
       [](Chain& c) {
         return Logged(c, c.Root3({&c.e, &c.f, &c.g}, {&c.b, &c.c, &c.e}));
       }},
      {"signed by a non-root key only", Code::kBadSignature, "(0 of 2)",
       [](Chain& c) {
         return Logged(c, c.Root3({&c.b, &c.c, &c.d}, {&c.mallory}));
       }},
      {"one key's signature line twice", Code::kMalformed, "duplicate signature by key root-b",
       [](Chain& c) {
         std::string note = c.Root3({&c.b, &c.c, &c.d}, {&c.b});
         const std::string line = note.substr(note.rfind("\n\xe2\x80\x94 ") + 1);
         return Logged(c, note + line);
       }},
      {"one key signing under two names", Code::kBadSignature, "(1 of 2)",
       [](Chain& c) {
         Keys alias = Alias(c.b, "root-b-alias.example");
         return Logged(c, c.Root3({&c.b, &c.c, &c.d}, {&c.b, &alias}));
       }},
      {"one key listed twice under two names", Code::kMalformed, "the same root key twice",
       [](Chain& c) {
         Keys alias = Alias(c.d, "root-d-alias.example");
         return Logged(c, c.Root3({&c.b, &c.d, &alias}, {&c.b, &c.d, &alias}));
       }},
      {"a root for another domain", Code::kMismatch, "domain scanner.acme.example",
       [](Chain& c) {
         TrustRoot r = c.w.Root(3, {&c.b, &c.c, &c.d}, 2, c.policy2);
         r.domain = "scanner.acme.example";
         return Logged(c, World::SignRoot(r, {&c.b, &c.d}));
       }},
      {"a root not in the log (bad inclusion proof)", Code::kNotIncluded,
       "inclusion proof does not verify",
       [](Chain& c) {
         // A valid version 3 that was never logged, with root 3's proof.
         std::string unlogged = c.Root3({&c.b, &c.c, &c.d}, {&c.b, &c.c, &c.d});
         Bundle b;
         b.entry = Bytes(unlogged.begin(), unlogged.end());
         b.index = c.index3;
         b.inclusion_proof = c.w.tree.Inclusion(c.index3, 3);
         b.checkpoint_note = c.w.GoodCheckpoint(3);
         return Attempt{unlogged, FormatBundle(b)};
       }},
      {"a checkpoint of a log the current root does not trust", Code::kUntrustedKey,
       "checkpoint from unknown log \"evil.example/log\"",
       [](Chain& c) {
         World other = c.w.SecondLog("evil.example/log");
         std::string note = c.Root3({&c.b, &c.c, &c.d}, {&c.b, &c.c});
         other.AppendNote(note);
         return Attempt{note, other.GoodBundle(0)};
       }},
      {"a stale checkpoint", Code::kPolicyUnsatisfied,
       "stale checkpoint: tree size 2 < last seen 3",
       [](Chain& c) {
         return Attempt{c.root3, c.w.BundleText(c.index3, 2, c.w.GoodCheckpoint(2))};
       }},
      {"an unwitnessed checkpoint", Code::kPolicyUnsatisfied, "witness quorum not met",
       [](Chain& c) {
         Attempt a = Logged(c, c.Root3({&c.b, &c.c, &c.d}, {&c.c, &c.d}));
         const uint64_t size = c.w.entries.size();
         a.bundle = c.w.BundleText(size - 1, size, c.w.CheckpointNote(size, {&c.w.w1}));
         return a;
       }},
      {"a checkpoint too old", Code::kPolicyUnsatisfied, "checkpoint too old",
       [](Chain& c) {
         Attempt a = Logged(c, c.Root3({&c.b, &c.c, &c.d}, {&c.c, &c.d}));
         const uint64_t size = c.w.entries.size();
         a.bundle = c.w.BundleText(size - 1, size,
                                   c.w.CheckpointNote(size, {&c.w.w1, &c.w.w2}, kNow - 2 * kDay));
         return a;
       }},
      {"a bigger checkpoint without a consistency proof", Code::kConsistencyRequired,
       "consistency proof required",
       [](Chain& c) {
         Attempt a = Logged(c, c.Root3({&c.b, &c.c, &c.d}, {&c.c, &c.d}));
         a.proof.reset();
         return a;
       }},
      {"a bundle for a different entry", Code::kMismatch, "proves a different log entry",
       [](Chain& c) {
         return Attempt{c.root3, c.bundle2};
       }},
      {"a truncated root", Code::kMalformed, "note has no signature block",
       [](Chain& c) { return Logged(c, c.root3.substr(0, c.root3.size() / 2)); }},
      {"a non-canonical root (version 03)", Code::kMalformed, "expected: version",
       [](Chain& c) { return LoggedEdited(c, "version 3\n", "version 03\n"); }},
      {"a non-canonical root (policy comment)", Code::kMalformed, "not in canonical form",
       [](Chain& c) { return LoggedEdited(c, "", "# a comment\n"); }},
      {"an oversized root", Code::kTooLarge, "larger than the limit of 65535 bytes",
       [](Chain& c) {
         Attempt a{c.root3, c.bundle3};
         a.root.append(kMaxTrustRootSize, 'x');
         return a;
       }},
  };
  return *attacks;
}

TEST_CASE("trust-update attack matrix: every attempt refused, state byte-for-byte unchanged") {
  for (const Attack& attack : Attacks()) {
    const std::string name = attack.name;
    CAPTURE(name);
    Chain c;
    Device d(c.w);
    d.ProvisionRoot(c.root1);
    auto base = d.TrustUpdate({{c.root2, c.bundle2}});
    REQUIRE_MESSAGE(base.ok(), base.status().ToString());
    const std::string state_before = d.StateBytes();
    REQUIRE(state_before.starts_with("candor-agent-state v3\n"));

    Attempt a = attack.setup(c);
    auto got = d.TrustUpdate({{a.root, a.bundle}}, a.proof, a.now);
    REQUIRE_FALSE(got.ok());
    CHECK_MESSAGE(got.status().code() == attack.code, got.status().ToString());
    CHECK_MESSAGE(got.status().message().find(attack.reason) != std::string::npos,
                  got.status().ToString());
    CHECK(got.status().message().find('\n') == std::string::npos);
    CHECK(d.StateBytes() == state_before);

    std::vector<std::string> args = {"--root", d.Path("0.root"), "--bundle",
                                     d.Path("0.root.bundle")};
    if (a.proof) {
      args.push_back("--consistency-proof");
      args.push_back(d.Path("root-proof.txt"));
    }
    CliRun run = CliTrustUpdate(d, args, a.now);
    CHECK(run.code == ExitCodeFor(attack.code));
    CHECK(run.err == Warning(d) + "refused: " + got.status().message() + "\n");
    CHECK(run.out.empty());
    CHECK(d.StateBytes() == state_before);
  }
}

TEST_CASE("trust-update attack matrix: the honest control is accepted") {
  // Guards against a matrix that passes because the fixtures are broken.
  Chain c;
  Device d(c.w);
  d.ProvisionRoot(c.root1);
  REQUIRE(d.TrustUpdate({{c.root2, c.bundle2}}).ok());
  auto up = d.TrustUpdate({{c.root3, c.bundle3}});
  REQUIRE_MESSAGE(up.ok(), up.status().ToString());
  // A root at a bigger checkpoint, with its consistency proof.
  Chain c2;
  Device d2(c2.w);
  d2.ProvisionRoot(c2.root1);
  REQUIRE(d2.TrustUpdate({{c2.root2, c2.bundle2}}).ok());
  Attempt a = Logged(c2, c2.Root3({&c2.b, &c2.c, &c2.d}, {&c2.c, &c2.d}));
  auto up2 = d2.TrustUpdate({{a.root, a.bundle}}, a.proof);
  REQUIRE_MESSAGE(up2.ok(), up2.status().ToString());
  CHECK(LoadState(d2.state_dir)->checkpoints.at(testing::kOrigin).size == 4);
}

}  // namespace
}  // namespace candor::agent
