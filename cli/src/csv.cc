// RFC 4180 fields and records with the formula-injection guard (csv.h).
#include "csv.h"

namespace candor::cli {

void AppendCsvField(std::string& out, std::string_view field) {
  // OWASP "CSV Injection": the characters a spreadsheet reads as the start of
  // a formula (or, TAB and CR, that it strips before looking for one).
  const bool formula = !field.empty() && (field[0] == '=' || field[0] == '+' || field[0] == '-' ||
                                          field[0] == '@' || field[0] == '\t' || field[0] == '\r');
  const bool quote = formula || field.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(field);
    return;
  }
  out += '"';
  if (formula) out += '\'';
  for (char c : field) {
    if (c == '"') out += '"';  // RFC 4180 §2.7: a quote inside is doubled
    out += c;
  }
  out += '"';
}

void AppendCsvRecord(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    AppendCsvField(out, fields[i]);
  }
  out += "\r\n";  // RFC 4180 §2.1
}

}  // namespace candor::cli
