// CSV output for `candor audit export` (docs/AUDIT.md "export"): RFC 4180
// records (fields separated by ",", records ended by CRLF, a field quoted when
// it holds a comma, a double quote, CR or LF, quotes inside doubled), UTF-8
// bytes as given, plus the spreadsheet formula-injection guard of the OWASP
// "CSV Injection" advice: a field starting with =, +, -, @, TAB or CR gets a
// leading apostrophe, so a spreadsheet shows it as text instead of evaluating
// it (a changelog starting "=HYPERLINK(...)" or "-2+3" stays text). A reader
// who needs the exact bytes uses the JSON export.
//
// Thread-safety: pure functions.
#ifndef CANDOR_CLI_CSV_H_
#define CANDOR_CLI_CSV_H_

#include <string>
#include <string_view>
#include <vector>

namespace candor::cli {

// Appends one field, guarded and quoted as above.
void AppendCsvField(std::string& out, std::string_view field);

// Appends one record: its fields separated by commas, then CRLF.
void AppendCsvRecord(std::string& out, const std::vector<std::string>& fields);

}  // namespace candor::cli

#endif  // CANDOR_CLI_CSV_H_
