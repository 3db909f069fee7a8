// `candor audit flags` changelog-silent matching (auditor/src/analysis.cc,
// ChangelogMentions): the first input line is a disclosure in CLI syntax
// (ParseDisclosureArg; invalid ones are skipped), the rest is a changelog
// (any bytes: the tokenizer must survive invalid UTF-8 too).
// Properties: no crash; ASCII case does not matter; a mention stays a mention
// when unrelated text is added before or after it, separated by a space; the
// kind written out between spaces is always a mention; one ASCII word of the
// value alone is never a mention unless the kind or its title contains it
// (docs/AUDIT.md "What counts as a changelog mention").
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

#include "candor/audit/analysis.h"
#include "candor/disclosure.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  const size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return 0;
  auto d = ParseDisclosureArg(text.substr(0, nl));
  if (!d.ok()) return 0;
  const std::string changelog(text.substr(nl + 1));

  const bool mentioned = audit::ChangelogMentions(changelog, *d);
  std::string upper = changelog;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CANDOR_FUZZ_CHECK(audit::ChangelogMentions(upper, *d) == mentioned);
  if (mentioned) {
    CANDOR_FUZZ_CHECK(audit::ChangelogMentions("Unrelated words. " + changelog, *d));
    CANDOR_FUZZ_CHECK(audit::ChangelogMentions(changelog + " Unrelated words.", *d));
  }
  CANDOR_FUZZ_CHECK(audit::ChangelogMentions(changelog + " " + d->kind + " ", *d));
  std::string names = d->kind;
  if (const DisclosureKindInfo* info = FindDisclosureKind(d->kind)) names += info->title;
  for (char& c : names) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t start = 0;
  while (start <= d->value.size()) {
    size_t end = d->value.find(' ', start);
    if (end == std::string::npos) end = d->value.size();
    std::string word = d->value.substr(start, end - start);
    start = end + 1;
    bool ascii_word = !word.empty();
    for (char& c : word) {
      ascii_word = ascii_word && std::isalnum(static_cast<unsigned char>(c)) != 0;
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (ascii_word && names.find(word) == std::string::npos) {
      CANDOR_FUZZ_CHECK(!audit::ChangelogMentions(word, *d));
    }
  }
  (void)audit::RestrictionFlag(d->kind);
  return 0;
}
