#include "screening/internal/csv.h"

#include <fstream>
#include <sstream>

namespace aidtrace::screening::internal {

Result<std::vector<CsvRow>> ParseCsv(std::string_view text, bool allow_comments) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  size_t line = 1;
  size_t i = 0;
  const size_t n = text.size();
  bool row_has_content = false;
  auto end_row = [&] {
    if (row_has_content || !field.empty() || !row.empty()) {
      row.push_back(std::move(field));
      rows.push_back(std::move(row));
    }
    row.clear();
    field.clear();
    row_has_content = false;
  };
  while (i < n) {
    // At the start of a field.
    if (allow_comments && row.empty() && field.empty() && !row_has_content && text[i] == '#') {
      while (i < n && text[i] != '\n') ++i;
      if (i < n) ++i;
      ++line;
      continue;
    }
    if (text[i] == '"') {
      const size_t start_line = line;
      ++i;
      row_has_content = true;
      for (;;) {
        if (i >= n) {
          return Status(ErrorCode::kInvalidArgument, "CSV: quoted field opened on line " +
                                                         std::to_string(start_line) +
                                                         " is never closed");
        }
        char c = text[i++];
        if (c == '"') {
          if (i < n && text[i] == '"') {
            field.push_back('"');
            ++i;
          } else {
            break;
          }
        } else {
          if (c == '\n') ++line;
          field.push_back(c);
        }
      }
      // After a closing quote: spaces (OFAC writes `"x" ,`), then a separator or line end.
      while (i < n && text[i] == ' ') ++i;
      if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        return Status(
            ErrorCode::kInvalidArgument,
            "CSV: unexpected character after a closing quote on line " + std::to_string(line));
      }
    } else {
      while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        if (text[i] == '"') {
          return Status(
              ErrorCode::kInvalidArgument,
              "CSV: stray quote inside an unquoted field on line " + std::to_string(line));
        }
        field.push_back(text[i++]);
        row_has_content = true;
      }
    }
    if (i >= n) break;
    if (text[i] == ',') {
      row.push_back(std::move(field));
      field.clear();
      row_has_content = true;
      ++i;
    } else {
      if (text[i] == '\r') ++i;
      if (i < n && text[i] == '\n') ++i;
      ++line;
      end_row();
    }
  }
  end_row();
  return rows;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kIoError, "cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status(ErrorCode::kIoError, "cannot read " + path);
  return ss.str();
}

}  // namespace aidtrace::screening::internal
