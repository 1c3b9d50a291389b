#include "base/ids.h"

namespace aidtrace {

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(id[0])) return false;
  for (char c : id.substr(1)) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool IsValidTypeName(std::string_view type) {
  if (type.empty() || type.size() > 64) return false;
  bool word_start = true;
  for (char c : type) {
    if (c == '.') {
      if (word_start) return false;
      word_start = true;
    } else if (c >= 'a' && c <= 'z') {
      word_start = false;
    } else {
      return false;
    }
  }
  return !word_start;
}

}  // namespace aidtrace
