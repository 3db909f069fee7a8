// Writes the seed corpus of every fuzz target: make_corpus <dir> creates
// <dir>/<target>/<seed> files. Everything is deterministic (fixed keys,
// Ed25519 is deterministic), so re-running it reproduces the committed
// corpus byte for byte. Seeds are small valid inputs: the fixture's keys,
// notes, checkpoint, release entry and bundle (fuzz_util.h), the signed-note
// example from Go's golang.org/x/mod/sumdb/note documentation and the
// c2sp.org/tlog-checkpoint example body.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "candor/agent/state.h"
#include "candor/bundle.h"
#include "candor/consistency_proof.h"
#include "candor/device_report.h"
#include "candor/entry_bundle.h"
#include "candor/observation.h"
#include "candor/release.h"
#include "candor/release_signer.h"
#include "candor/ssh_agent.h"
#include "candor/tlog_proof.h"
#include "candor/trust_root.h"
#include "fuzz_util.h"

using namespace candor;

namespace {

std::string g_root;

void Write(const std::string& target, const std::string& name, std::string_view contents) {
  const std::string dir = g_root + "/" + target;
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    std::perror(dir.c_str());
    std::exit(1);
  }
  const std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(contents.data(), 1, contents.size(), f) != contents.size() ||
      std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
}
void Write(const std::string& target, const std::string& name, const Bytes& contents) {
  Write(target, name, AsChars(contents));
}

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "make_corpus: %s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

constexpr std::string_view kGoNote =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqd"
    "ngotpRZb6KE6RyyBwJnAM=\n";
constexpr std::string_view kGoVkey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kGoSkey =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kSpecCheckpointBody =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr std::string_view kSpecCheckpoint =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
    "\xe2\x80\x94 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URY"
    "N7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus <corpus-dir>\n");
    return 2;
  }
  g_root = argv[1];
  mkdir(g_root.c_str(), 0755);
  const auto& fx = fuzz::Fixture();
  auto entry = Must(ParseReleaseEntry(fx.release_entry));

  // Signed notes and keys.
  Write("note", "go-example", kGoNote);
  Write("note", "checkpoint", fx.checkpoint_note);
  Write("note", "manifest", entry.signed_manifest_note);
  Write("note", "spec-checkpoint", kSpecCheckpoint);
  const fuzz::FixedKey* keys[] = {&fx.log_key, &fx.witness1, &fx.witness2, &fx.vendor_key};
  const char* key_names[] = {"log", "witness1", "witness2", "vendor"};
  for (int i = 0; i < 4; ++i) {
    Write("verifier_key", key_names[i], FormatVerifierKey(keys[i]->verifier));
    Write("signer_key", key_names[i], FormatSignerKey(keys[i]->signer));
  }
  Write("verifier_key", "go-example", kGoVkey);
  Write("signer_key", "go-example", kGoSkey);
  {
    // ssh_agent: selector byte 0 identities, 1 sign response, 2 key line.
    const Bytes blob = SshEd25519KeyBlob(fx.vendor_key.verifier.public_key);
    Bytes ids;
    AppendU32BE(ids, 1);
    AppendU32BE(ids, static_cast<uint32_t>(blob.size()));
    ids.insert(ids.end(), blob.begin(), blob.end());
    AppendU32BE(ids, 4);
    for (char c : std::string("test")) ids.push_back(static_cast<uint8_t>(c));
    Write("ssh_agent", "identities", std::string(1, '\0') + std::string(AsChars(ids)));
    Bytes sig;
    AppendU32BE(sig, 4 + 11 + 4 + 64);
    AppendU32BE(sig, 11);
    for (char c : std::string("ssh-ed25519")) sig.push_back(static_cast<uint8_t>(c));
    AppendU32BE(sig, 64);
    sig.resize(sig.size() + 64, 0x5a);
    Write("ssh_agent", "sign-response", std::string(1, '\1') + std::string(AsChars(sig)));
    Write("ssh_agent", "key-line", "\x02ssh-ed25519 " + Base64Encode(blob) + " user@host\n");
  }

  // Checkpoints and cosignatures.
  Write("checkpoint", "body", fx.checkpoint_body);
  Write("checkpoint", "note", fx.checkpoint_note);
  Write("checkpoint", "spec-body", kSpecCheckpointBody);
  Write("checkpoint", "spec-note", kSpecCheckpoint);
  Write("checkpoint", "extension", fx.checkpoint_body + "an extension line\n");
  Write("cosignature", "cosigned", fx.checkpoint_note);

  // Proofs and bundles.
  Write("bundle", "fixture", fx.bundle);
  Write("verify", "fixture", fx.bundle);
  Write("tlog_proof", "bundle", fx.bundle);
  TlogProof plain = Must(ParseTlogProof(fx.bundle));
  plain.extra.reset();
  Write("tlog_proof", "no-extra", FormatTlogProof(plain));

  // Policy.
  Write("policy", "fixture", fx.policy_text);
  Write("policy", "groups",
        "log " + FormatVerifierKey(fx.log_key.verifier) + " https://log.fuzz.example/\n" +
            "witness W1 " + FormatVerifierKey(fx.witness1.verifier) +
            " https://w1.fuzz.example/\nwitness W2 " + FormatVerifierKey(fx.witness2.verifier) +
            "\n\ngroup both all W1 W2\ngroup any-of 1 both W1\nquorum any-of\n");
  Write("policy", "none", "log " + FormatVerifierKey(fx.log_key.verifier) + "\nquorum none\n");
  // k-of-n vendor groups (docs/FORMATS.md "Trust policy").
  const fuzz::FixedKey cosigner_b =
      fuzz::MakeFixedKey("acme.example/release-b", kKeyTypeEd25519, 0x32);
  const fuzz::FixedKey cosigner_c =
      fuzz::MakeFixedKey("acme.example/release-c", kKeyTypeEd25519, 0x33);
  Write("policy", "vendor-group",
        "log " + FormatVerifierKey(fx.log_key.verifier) + "\nquorum none\nvendor-key k1 " +
            FormatVerifierKey(fx.vendor_key.verifier) + "\nvendor-key k2 " +
            FormatVerifierKey(cosigner_b.verifier) + "\nvendor-key k3 " +
            FormatVerifierKey(cosigner_c.verifier) +
            "\nvendor-group release-signers 2 k1 k2 k3\nvendor release-signers " + fx.product +
            "\nvendor k3 acme-printer-x9\n");

  // Trust root: the fixture's policy under two root keys (the vendor and log
  // keys, both Ed25519), threshold 1, signed by both; and its bare text.
  std::string trust_root_note;
  {
    TrustRoot root;
    root.domain = "acme.example/printers";
    root.version = 2;
    root.expires_unix = 1830297600;  // 2028-01-01T00:00:00Z
    root.root_threshold = 1;
    root.root_keys = {fx.vendor_key.verifier, fx.log_key.verifier};
    root.policy = fx.policy;
    const std::string text = FormatTrustRootText(root);
    const SignerKey* signers[] = {&fx.vendor_key.signer, &fx.log_key.signer};
    trust_root_note = Must(SignNote(text, signers));
    Write("trust_root", "signed", trust_root_note);
    Write("trust_root", "text", text);
  }

  // Observation: the fixture's release at its index in the fixture log,
  // signed by a fixed observer key; and its bare text.
  {
    const fuzz::FixedKey observer =
        fuzz::MakeFixedKey("lab.fuzz.example/research", kKeyTypeEd25519, 0x61);
    Observation o;
    o.observer = "lab.fuzz.example";
    o.observer_key = observer.verifier;
    o.log_origin = fx.log_key.verifier.name;
    o.release_index = fx.release_index;
    o.release_leaf = LeafHash(fx.release_entry);
    o.product = fx.product;
    o.observed = 1795000000;
    o.findings = {*ParseDisclosureArg("consumables.third-party=blocked"),
                  *ParseDisclosureArg("telemetry=location to metrics.fuzz.example")};
    o.summary = "blocks third-party cartridges — not disclosed";
    const std::string text = Must(FormatObservationText(o));
    const SignerKey* signers[] = {&observer.signer};
    Write("observation", "fixture", Must(SignNote(text, signers)));
    Write("observation", "fixture-text", text);
  }

  // Release entry, manifest, disclosures, dates.
  Write("release_entry", "fixture", fx.release_entry);
  // A k-of-n entry: a 3-key signer list signed by the creating key and one other.
  {
    const std::vector<VerifierKey> list = {fx.vendor_key.verifier, cosigner_b.verifier,
                                           cosigner_c.verifier};
    const ReleaseEntry& base = entry;
    ManifestFields fields;
    fields.vendor = base.manifest.vendor;
    fields.products = base.manifest.products;
    fields.version = base.manifest.version;
    fields.rollback = base.manifest.rollback;
    fields.image_sha256 = base.manifest.image_sha256;
    fields.image_size = base.manifest.image_size;
    fields.issued = base.manifest.issued;
    fields.disclosures = base.manifest.disclosures;
    const Bytes kofn = Must(CreateReleaseEntry(fields, base.changelog, list, fx.vendor_key.signer));
    const Bytes two = Must(AddReleaseSignature(kofn, cosigner_c.signer));
    Write("release_entry", "kofn-2-of-3", two);
    Write("manifest", "kofn-signed", Must(ParseReleaseEntry(two)).signed_manifest_note);
    Write("log_admission", "kofn-entry", two);
  }
  Write("manifest", "signed", entry.signed_manifest_note);
  Write("manifest", "text", Must(FormatManifestText(entry.manifest)));
  std::string list;
  for (size_t i = 0; i < entry.manifest.disclosures.size(); ++i) {
    const Disclosure& d = entry.manifest.disclosures[i];
    Write("disclosure", "line" + std::to_string(i), FormatDisclosureLine(d));
    Write("disclosure", "arg" + std::to_string(i), FormatDisclosureArg(d));
    list += (i ? "\n" : "") + FormatDisclosureLine(d);
  }
  Write("disclosure", "list", list);
  Write("disclosure", "end-of-support", "disclose end-of-support 2031-12-31");
  // Changelog matching (`candor audit flags`): a disclosure, then a changelog.
  for (size_t i = 0; i < entry.manifest.disclosures.size(); ++i) {
    Write("audit_changelog", "fixture" + std::to_string(i),
          FormatDisclosureArg(entry.manifest.disclosures[i]) + "\n" + entry.changelog);
  }
  Write("audit_changelog", "region-lock", "region-lock=DE,FR\nClock fixes. Region lock for DE.\n");
  Write("audit_changelog", "utf8",
        "feature-removal=Fernzugriff über Konto\nÜBER—Konto «Fernzugriff» entfernt.\n");
  Write("audit_changelog", "value-word",
        "subscription-required=remote print from the app\nImproved print quality.\n");
  Write("audit_changelog", "vendor-short-name", "x-acme.example/a=EU only\nImproved a lot.\n");
  Write("date", "date", "2026-09-13");
  Write("date", "leap-day", "2028-02-29");
  Write("date", "time", "2026-09-01T12:34:56Z");

  // Tiles and paths.
  Write("layout_path", "tile", "tile/0/x001/234/067");
  Write("layout_path", "partial", "tile/1/000.p/17");
  Write("layout_path", "entries", "tile/entries/x002/000");
  Write("layout_path", "entries-partial", "tile/entries/000.p/3");
  Bytes eb = {static_cast<uint8_t>(fx.entries.size() - 1)};
  const Bytes serialized = Must(SerializeEntryBundle(fx.entries));
  eb.insert(eb.end(), serialized.begin(), serialized.end());
  Write("entry_bundle", "fixture", eb);
  Write("entry_bundle", "one-empty", Bytes{0, 0, 0});
  // FuzzedDataProvider reads integers from the end: the last byte picks the mode.
  Write("merkle", "tree", Bytes{0x10, 0x20, 0x30, 0x40, 0x07, 0x03, 0x01, 0x02, 0x01});
  Write("merkle", "raw", Bytes(100, 0x5a));
  Write("tile_reader", "honest", Bytes{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x01, 0x01});
  Write("tile_reader", "hostile", Bytes(96, 0xa5));

  // Witness protocol (transparency-log) and device agent files.
  std::vector<Hash> leaves;
  for (const Bytes& e : fx.entries) leaves.push_back(LeafHash(e));
  auto proof = Must(ProveConsistency(2, leaves.size(), fuzz::MemoryNodeReader(&leaves)));
  std::string proof_lines;
  for (const Hash& h : proof) proof_lines += Base64Encode(h) + "\n";
  Write("witness_request", "old0", "old 0\n\n" + fx.checkpoint_note);
  Write("witness_request", "old2", "old 2\n" + proof_lines + "\n" + fx.checkpoint_note);
  Write("witness_request", "size", "3\n");
  Write("witness", "extend-2-to-3", "old 2\n" + proof_lines + "\n" + fx.checkpoint_note);
  Write("witness", "conflict", "old 0\n\n" + fx.checkpoint_note);
  const std::string cosig_lines = fx.checkpoint_note.substr(fx.checkpoint_note.find("\n\n") + 2);
  Write("witness_request", "cosignatures",
        cosig_lines.substr(cosig_lines.find('\n') + 1));  // drop the log's own line
  Write("witness_logs", "one",
        "# logs this witness cosigns\nlog log.fuzz.example " +
            FormatVerifierKey(fx.log_key.verifier) + "\n\nlog example.com/behind-the-sofa " +
            std::string(kGoVkey) + "\n");
  Write("log_admission", "entry", fx.release_entry);
  Write("log_admission", "vendors",
        "# vendors allowed to submit\n" + FormatVerifierKey(fx.vendor_key.verifier) + "\n\n" +
            std::string(kGoVkey) + "\n");
  {
    ConsistencyProofFile file;
    file.origin = fx.log_key.verifier.name;
    file.blocks.push_back(ConsistencyProofBlock{2, leaves.size(), proof});
    Write("consistency_proof", "one-block", FormatConsistencyProofFile(file));
    Write("consistency_proof", "hash-lines", proof_lines);
  }
  Write("agent_config", "target",
        "# candor-agent\npolicy /etc/candor/policy\nproduct acme-printer-x1\n"
        "state-dir /var/lib/candor\nflash-target /dev/mmcblk0p2\n");
  Write("agent_config", "command",
        "policy\t/etc/candor/policy\nproduct  acme-printer-x1\nstate-dir /var/lib/candor\n"
        "flash-command /usr/sbin/flash --verify\n");
  agent::DeviceState state;
  Write("agent_state", "empty", agent::FormatState(state));
  agent::SeenCheckpoint seen;
  seen.origin = fx.log_key.verifier.name;
  seen.size = leaves.size();
  seen.root_hash = RootFromLeafHashes(leaves);
  seen.note = fx.checkpoint_note;
  seen.quorum_time = fx.now_unix - 60;
  state.checkpoints[seen.origin] = seen;
  agent::InstalledRelease inst;
  inst.rollback = entry.manifest.rollback;
  inst.version = entry.manifest.version;
  inst.log_index = fx.release_index;
  inst.leaf_hash = LeafHash(fx.release_entry);
  inst.image_sha256 = entry.manifest.image_sha256;
  inst.image_size = entry.manifest.image_size;
  inst.installed_at = fx.now_unix;
  inst.entry = fx.release_entry;
  state.products[fx.product] = inst;
  Write("agent_state", "installed", agent::FormatState(state));
  // State file v3: the same, holding the device's trust root.
  state.trust_root = trust_root_note;
  Write("agent_state", "trust-root", agent::FormatState(state));
  // Device reports: the empty one, and one of the device above (its
  // checkpoint, framed by length, and its release).
  Write("device_report", "empty", FormatDeviceReport(DeviceReport{}));
  {
    DeviceReport report;
    report.checkpoints.push_back(ReportCheckpoint{seen.origin, seen.note});
    report.releases.push_back(
        ReportRelease{fx.product, inst.version, inst.rollback, inst.log_index, inst.leaf_hash});
    Write("device_report", "installed", FormatDeviceReport(report));
  }
  std::printf("seed corpus written to %s\n", g_root.c_str());
  return 0;
}
