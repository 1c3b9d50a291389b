// RFC 8785 (JCS) serialisation of the strict subset. With no floats, JCS reduces to:
// members sorted by UTF-16 code units, minimal string escaping, decimal integers.
#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/encoding.h"
#include "json/json.h"

namespace aidtrace::json {
namespace {

using Member = Value::object_t::value_type;

// For each byte: 0 if written literally, else the character after the backslash ('u'
// meaning \u00xx). JCS escapes only '"', '\\' and the controls below 0x20.
constexpr std::array<char, 256> kEscape = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = 'u';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}();
constexpr char kHexDigits[] = "0123456789abcdef";

void AppendString(std::string_view s, std::string& out) {
  out.push_back('"');
  const char* run = s.data();
  const char* const end = s.data() + s.size();
  for (const char* p = run; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    const char e = kEscape[c];
    if (e == 0) [[likely]] {
      continue;
    }
    out.append(run, p);
    if (e == 'u') {
      const char esc[6] = {'\\', 'u', '0', '0', kHexDigits[c >> 4], kHexDigits[c & 0xF]};
      out.append(esc, sizeof esc);
    } else {
      const char esc[2] = {'\\', e};
      out.append(esc, sizeof esc);
    }
    run = p + 1;
  }
  out.append(run, end);
  out.push_back('"');
}

template <typename Int>
void AppendInteger(Int v, std::string& out) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Sort rank of the code point at s[i] (advancing i), such that comparing rank sequences
// compares UTF-16 code unit sequences. Supplementary characters become surrogate pairs
// starting D800..DBFF, so they rank after U+D7FF but before U+E000..U+FFFF; within each
// class the order is code point order (pairs compare like their code points). Ill-formed
// bytes rank as themselves: the result is then meaningless but still a strict weak order
// (each string maps to one rank sequence), which keeps std::sort memory-safe.
uint32_t NextRank(std::string_view s, size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = 1;
  uint32_t cp = c;
  if (c >= 0xC0) {
    n = c < 0xE0 ? 2 : (c < 0xF0 ? 3 : 4);
    if (i + n > s.size()) {
      n = 1;
    } else {
      cp = c & (0x7Fu >> n);
      for (size_t k = 1; k < n; ++k) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
      }
    }
  }
  i += n;
  if (cp >= 0x10000) return 0xD800 + (cp - 0x10000);  // D800 .. 10D7FF
  if (cp >= 0xE000) return cp + 0x100000;             // 10E000 .. 10FFFF
  return cp;
}

// Byte (= code point) order equals UTF-16 order unless keys hold both U+E000..U+FFFF
// (lead byte EE or EF) and supplementary characters (lead F0..F4). A key without any
// byte >= 0xEE holds neither, so one scan of the keys decides the fast path.
bool NeedsUtf16Sort(const Value::object_t& members) {
  if (members.size() < 2) return false;
  for (const auto& [k, v] : members) {
    for (char ch : k) {
      if (static_cast<unsigned char>(ch) >= 0xEE) return true;
    }
  }
  return false;
}

void AppendMember(const Member& m, bool first, std::string& out);

void AppendValue(const Value& v, std::string& out) {
  switch (v.type()) {
    case Value::value_t::null:
      out.append("null");
      return;
    case Value::value_t::boolean:
      out.append(v.get_ref<const Value::boolean_t&>() ? "true" : "false");
      return;
    case Value::value_t::number_integer:
      AppendInteger(v.get_ref<const Value::number_integer_t&>(), out);
      return;
    case Value::value_t::number_unsigned:
      AppendInteger(v.get_ref<const Value::number_unsigned_t&>(), out);
      return;
    case Value::value_t::string:
      AppendString(v.get_ref<const Value::string_t&>(), out);
      return;
    case Value::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const Value& e : v.get_ref<const Value::array_t&>()) {
        if (!first) out.push_back(',');
        first = false;
        AppendValue(e, out);
      }
      out.push_back(']');
      return;
    }
    case Value::value_t::object: {
      const auto& members = v.get_ref<const Value::object_t&>();
      out.push_back('{');
      if (!NeedsUtf16Sort(members)) [[likely]] {
        bool first = true;
        for (const Member& m : members) {
          AppendMember(m, first, out);
          first = false;
        }
      } else {
        std::vector<const Member*> sorted;
        sorted.reserve(members.size());
        for (const Member& m : members) sorted.push_back(&m);
        std::sort(sorted.begin(), sorted.end(), [](const Member* a, const Member* b) {
          return CompareUtf16(a->first, b->first) < 0;
        });
        bool first = true;
        for (const Member* m : sorted) {
          AppendMember(*m, first, out);
          first = false;
        }
      }
      out.push_back('}');
      return;
    }
    case Value::value_t::number_float:
    case Value::value_t::binary:
    case Value::value_t::discarded:
      // Precondition violated; Canonical() rejects these. Write a placeholder.
      out.append("null");
      return;
  }
}

void AppendMember(const Member& m, bool first, std::string& out) {
  if (!first) out.push_back(',');
  AppendString(m.first, out);
  out.push_back(':');
  AppendValue(m.second, out);
}

// "/" + token, spelt out: GCC 12 gives a false -Wrestrict for operator+(const char*, string&&).
std::string Slash(std::string_view token) {
  std::string s;
  s.reserve(token.size() + 1);
  s.push_back('/');
  s.append(token);
  return s;
}

Status Rejected(std::string message) { return Status(ErrorCode::kBadJson, std::move(message)); }

// Checks Canonical()'s preconditions. Returns OK or the first violation, with a path
// relative to `v` (paths are only built on failure, while unwinding).
Status Check(const Value& v, int depth) {
  switch (v.type()) {
    case Value::value_t::null:
    case Value::value_t::boolean:
      return Status::Ok();
    case Value::value_t::number_integer: {
      const auto i = v.get_ref<const Value::number_integer_t&>();
      if (i < -kMaxSafeInteger || i > kMaxSafeInteger) {
        return Rejected(
            fmt::format("integer {} is out of range: integers must lie in "
                        "[-(2^53-1), 2^53-1]",
                        i));
      }
      return Status::Ok();
    }
    case Value::value_t::number_unsigned: {
      const auto u = v.get_ref<const Value::number_unsigned_t&>();
      if (u > static_cast<Value::number_unsigned_t>(kMaxSafeInteger)) {
        return Rejected(
            fmt::format("integer {} is out of range: integers must lie in "
                        "[-(2^53-1), 2^53-1]",
                        u));
      }
      return Status::Ok();
    }
    case Value::value_t::number_float:
      return Rejected("floating-point number: only integers are allowed");
    case Value::value_t::string:
      if (!IsValidUtf8(v.get_ref<const Value::string_t&>())) {
        return Rejected("string is not valid UTF-8");
      }
      return Status::Ok();
    case Value::value_t::binary:
      return Rejected("binary value: not representable in JSON");
    case Value::value_t::discarded:
      return Rejected("discarded value: not representable in JSON");
    case Value::value_t::array:
    case Value::value_t::object:
      break;
  }
  if (depth + 1 > kMaxDepthLimit) {
    return Rejected(fmt::format("nested deeper than {} levels", kMaxDepthLimit));
  }
  if (v.is_array()) {
    size_t index = 0;
    for (const Value& e : v.get_ref<const Value::array_t&>()) {
      if (Status s = Check(e, depth + 1); !s.ok()) {
        return s.WithPathPrefix(Slash(std::to_string(index)));
      }
      ++index;
    }
    return Status::Ok();
  }
  for (const Member& m : v.get_ref<const Value::object_t&>()) {
    if (!IsValidUtf8(m.first)) {
      return Rejected("object key is not valid UTF-8")
          .WithPathPrefix(Slash(PointerToken(SanitizeUtf8(m.first))));
    }
    if (Status s = Check(m.second, depth + 1); !s.ok()) {
      return s.WithPathPrefix(Slash(PointerToken(m.first)));
    }
  }
  return Status::Ok();
}

}  // namespace

int CompareUtf16(std::string_view a, std::string_view b) {
  // Lexicographic comparison of the rank sequences. A shared ASCII prefix decodes to the
  // same ranks one byte at a time, so it is skipped; the rest is decoded from there, which
  // keeps this a function of each string's own sequence (a strict weak order even for
  // ill-formed input).
  const size_t limit = std::min(a.size(), b.size());
  size_t ia = 0;
  while (ia < limit && a[ia] == b[ia] && static_cast<unsigned char>(a[ia]) < 0x80) ++ia;
  size_t ib = ia;
  while (ia < a.size() && ib < b.size()) {
    const uint32_t ra = NextRank(a, ia);
    const uint32_t rb = NextRank(b, ib);
    if (ra != rb) return ra < rb ? -1 : 1;
  }
  if (ia < a.size()) return 1;
  if (ib < b.size()) return -1;
  return 0;
}

void AppendCanonical(const Value& v, std::string& out) { AppendValue(v, out); }

Result<std::string> Canonical(const Value& v) {
  RETURN_IF_ERROR(Check(v, 0));
  std::string out;
  out.reserve(512);
  AppendValue(v, out);
  return out;
}

Result<std::string> CanonicalizeText(std::string_view text, const ParseOptions& options) {
  ASSIGN_OR_RETURN(const Value doc, Parse(text, options));
  std::string out;
  out.reserve(text.size());
  AppendValue(doc, out);
  return out;
}

}  // namespace aidtrace::json
