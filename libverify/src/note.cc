// Signed notes: strict parsing, formatting and verification
// (c2sp.org/signed-note §Format and §Signatures).
#include "candor/note.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <utility>

#include "candor/cosignature.h"
#include "candor/ed25519.h"
#include "note_internal.h"
#include "candor/utf8.h"

namespace candor {
namespace {

// "— " : U+2014 EM DASH, then a space.
constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";

// UTF-8 is decoded by the one strict decoder, NextCodePoint.
bool DecodeRune(std::string_view s, size_t& i, char32_t& out) {
  uint32_t cp = 0;
  if (!NextCodePoint(s, &i, &cp)) return false;
  out = cp;
  return true;
}

// Go's unicode.IsSpace: ASCII whitespace, U+0085, U+00A0 and category Zs/Zl/Zp.
bool IsUnicodeSpace(char32_t c) {
  switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

// True iff all 8 bytes at p are printable ASCII or DEL (0x20..0x7F): no high
// bit set and no byte below 0x20 ("hasless(x, 0x20)", exact for bytes < 0x80).
bool AllPrintableAscii8(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  constexpr uint64_t kOnes = 0x0101010101010101, kHigh = 0x8080808080808080;
  return ((w & kHigh) | ((w - 0x20 * kOnes) & ~w & kHigh)) == 0;
}

// Valid UTF-8 and no ASCII control character other than "\n" (§Format).
Status CheckNoteChars(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // Eight printable ASCII bytes at a time: each is accepted on its own below.
    while (s.size() - i >= 8 && AllPrintableAscii8(s.data() + i)) i += 8;
    if (i == s.size()) break;
    // ASCII fast path (notes are mostly ASCII): the same rule DecodeRune's
    // one-byte case leads to below, without decoding.
    const auto b = static_cast<uint8_t>(s[i]);
    if (b >= 0x20 && b < 0x80) {
      ++i;
      continue;
    }
    char32_t c;
    if (!DecodeRune(s, i, c)) return Status::Malformed("note is not valid UTF-8");
    if (c < 0x20 && c != '\n') return Status::Malformed("note contains a control character");
  }
  return Status::Ok();
}

// Parses one signature line without its "\n".
Result<NoteSignature> ParseSignatureLine(std::string_view line) {
  if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
    return Status::Malformed("signature line does not start with an em dash and a space");
  }
  line.remove_prefix(kSigPrefix.size());
  const size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return Status::Malformed("signature line has no signature");
  std::string_view name = line.substr(0, sp), b64 = line.substr(sp + 1);
  if (!IsValidKeyName(name)) return Status::Malformed("invalid key name in signature line");
  if (b64.empty()) return Status::Malformed("empty signature");
  auto raw = Base64Decode(b64);
  if (!raw.ok()) return raw.status().WithContext("signature");
  if (raw->size() < 5) return Status::Malformed("signature shorter than key ID + 1 byte");
  NoteSignature sig;
  sig.name = std::string(name);
  sig.key_id = ReadU32BE(raw->data());
  sig.signature.assign(raw->begin() + 4, raw->end());
  return sig;
}

Status CheckSignatureList(const std::vector<NoteSignature>& sigs) {
  if (sigs.empty()) return Status::Malformed("note has no signature");
  if (sigs.size() > kMaxNoteSignatures) return Status::TooLarge("too many note signatures");
  // Few signatures (one on a manifest, a handful on a checkpoint): compare
  // pairwise without allocating; a set beyond that. Either way the first line
  // that repeats an earlier (name, key ID) is the one reported.
  constexpr size_t kPairwiseMax = 16;
  if (sigs.size() <= kPairwiseMax) {
    for (size_t i = 1; i < sigs.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (sigs[j].key_id == sigs[i].key_id && sigs[j].name == sigs[i].name) {
          return Status::Malformed("duplicate signature by key " + sigs[i].name);
        }
      }
    }
    return Status::Ok();
  }
  std::set<std::pair<std::string_view, uint32_t>> seen;
  for (const auto& s : sigs) {
    if (!seen.emplace(s.name, s.key_id).second) {
      return Status::Malformed("duplicate signature by key " + s.name);
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  size_t i = 0;
  while (i < name.size()) {
    // ASCII fast path: printable, not space or '+' (IsUnicodeSpace's only
    // printable ASCII member is ' ').
    const auto b = static_cast<uint8_t>(name[i]);
    if (b > 0x20 && b < 0x80 && b != '+') {
      ++i;
      continue;
    }
    char32_t c;
    if (!DecodeRune(name, i, c)) return false;
    if (c < 0x20 || c == '+' || IsUnicodeSpace(c)) return false;
  }
  return true;
}

Status ValidateNoteText(std::string_view text) {
  if (text.empty()) return Status::Malformed("empty note text");
  if (text.size() > kMaxNoteSize) return Status::TooLarge("note text too large");
  if (text.back() != '\n') return Status::Malformed("note text does not end in a newline");
  return CheckNoteChars(text);
}

Result<Note> ParseNote(std::string_view message) {
  if (message.empty()) return Status::Malformed("empty note");
  if (message.size() > kMaxNoteSize) return Status::TooLarge("note too large");
  CANDOR_RETURN_IF_ERROR(CheckNoteChars(message));
  // The text is separated from the signatures by the last blank line.
  const size_t split = message.rfind("\n\n");
  if (split == std::string_view::npos) return Status::Malformed("note has no signature block");
  Note note;
  note.text = std::string(message.substr(0, split + 1));
  std::string_view block = message.substr(split + 2);
  if (block.empty()) return Status::Malformed("note has no signature");
  if (block.back() != '\n') return Status::Malformed("signature block does not end in a newline");
  while (!block.empty()) {
    const size_t nl = block.find('\n');  // found: block ends in '\n'
    if (note.signatures.size() == kMaxNoteSignatures) {
      return Status::TooLarge("too many note signatures");
    }
    CANDOR_ASSIGN_OR_RETURN(auto sig, ParseSignatureLine(block.substr(0, nl)));
    note.signatures.push_back(std::move(sig));
    block.remove_prefix(nl + 1);
  }
  CANDOR_RETURN_IF_ERROR(CheckSignatureList(note.signatures));
  return note;
}

std::string FormatSignatureLine(const NoteSignature& sig) {
  Bytes raw;
  raw.reserve(4 + sig.signature.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    raw.push_back(static_cast<uint8_t>(sig.key_id >> shift));
  raw.insert(raw.end(), sig.signature.begin(), sig.signature.end());
  std::string line(kSigPrefix);
  line += sig.name;
  line += ' ';
  line += Base64Encode(raw);
  line += '\n';
  return line;
}

Result<std::string> FormatNote(const Note& note) {
  CANDOR_RETURN_IF_ERROR(ValidateNoteText(note.text));
  CANDOR_RETURN_IF_ERROR(CheckSignatureList(note.signatures));
  std::string out = note.text;
  out += '\n';
  for (const auto& sig : note.signatures) {
    if (!IsValidKeyName(sig.name)) return Status::Malformed("invalid key name " + sig.name);
    if (sig.signature.empty()) return Status::Malformed("empty signature by " + sig.name);
    out += FormatSignatureLine(sig);
  }
  if (out.size() > kMaxNoteSize) return Status::TooLarge("note too large");
  return out;
}

Result<VerifiedNote> VerifyNote(std::string_view message, std::span<const VerifierKey> known_keys) {
  CANDOR_ASSIGN_OR_RETURN(Note note, ParseNote(message));
  return internal::VerifyParsedNote(std::move(note), known_keys);
}

Result<VerifiedNote> internal::VerifyParsedNote(Note note,
                                                std::span<const VerifierKey> known_keys) {
  VerifiedNote out;
  bool any_known = false;
  for (const auto& sig : note.signatures) {
    const VerifierKey* key = nullptr;
    for (const auto& k : known_keys) {
      if (k.name != sig.name || k.key_id != sig.key_id) continue;
      if (key != nullptr && !(*key == k)) {
        return Status::InvalidArgument("ambiguous known keys for " + sig.name);
      }
      key = &k;
    }
    if (key == nullptr) continue;  // unknown signer: ignored (§Signatures)
    any_known = true;
    VerifiedSigner signer{*key, std::nullopt};
    if (key->type == kKeyTypeEd25519) {
      if (!Ed25519Verify(key->public_key, AsBytes(note.text), sig.signature)) {
        return Status::BadSignature("signature by " + key->name + " does not verify");
      }
    } else if (key->type == kKeyTypeCosignatureV1) {
      auto ts = VerifyCosignature(*key, note.text, sig);
      if (!ts.ok()) {
        return Status::BadSignature("cosignature by " + key->name +
                                    " does not verify: " + ts.status().message());
      }
      signer.timestamp = *ts;
    } else {
      return Status::InvalidArgument("unsupported key type for " + key->name);
    }
    out.verified.push_back(std::move(signer));
  }
  if (!any_known) return Status::UntrustedKey("note is not signed by any known key");
  out.text = std::move(note.text);
  out.signatures = std::move(note.signatures);
  return out;
}

}  // namespace candor
