// A small RFC 4180 CSV reader (quoted fields, doubled quotes, CR LF or LF line ends,
// newlines inside quotes) used by the OFAC and benchmark-file importers. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace aidtrace::screening::internal {

using CsvRow = std::vector<std::string>;

// Parses all records of `text`. Blank lines are skipped; lines whose first character is
// '#' are skipped when `allow_comments`. Returns kInvalidArgument naming the line of an
// unterminated quote or of a stray quote inside an unquoted field.
Result<std::vector<CsvRow>> ParseCsv(std::string_view text, bool allow_comments = false);

// Reads a whole file; kIoError naming the path when it cannot.
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace aidtrace::screening::internal
