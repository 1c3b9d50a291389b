// Strict parsing: nlohmann's SAX parser does the lexing and grammar (it already rejects
// ill-formed UTF-8, lone surrogate escapes, comments and trailing data in strict mode);
// StrictBuilder below builds the DOM and enforces the rest of EVENTS.md as values
// arrive, so a violation stops the parse at once with the pointer of the offender.
#include <algorithm>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "base/encoding.h"
#include "json/json.h"

namespace aidtrace::json {
namespace {

constexpr int kNlohmannNumberOverflow = 406;  // nlohmann out_of_range.406
constexpr size_t kMaxTokenInMessage = 40;

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool HasFractionOrExponent(std::string_view number) {
  return number.find_first_of(".eE") != std::string_view::npos;
}

// Numbers are ASCII (the lexer accepted them), but may be very long.
std::string Abbreviate(std::string_view token) {
  if (token.size() <= kMaxTokenInMessage) return SanitizeUtf8(token);
  return SanitizeUtf8(token.substr(0, kMaxTokenInMessage)) + "...";
}

Status BadJson(std::string message, std::string path) {
  return Status(ErrorCode::kBadJson, std::move(message), std::move(path));
}

Status NumberRejected(std::string_view token, std::string path) {
  if (HasFractionOrExponent(token)) {
    return BadJson(fmt::format("number {} has a fraction or exponent: only integers are allowed",
                               Abbreviate(token)),
                   std::move(path));
  }
  return BadJson(fmt::format("integer {} is out of range: integers must lie in "
                             "[-(2^53-1), 2^53-1]",
                             Abbreviate(token)),
                 std::move(path));
}

// nlohmann's message is "[json.exception.parse_error.101] parse error at line 1, column 3:
// syntax error while parsing value - invalid literal; last read: '{}x'; expected end of
// input". Keep the context ("while parsing value") and the reason; drop the line/column
// (we give the byte offset) and the echoed token (it can be megabytes of untrusted text).
std::string DescribeSyntaxError(const std::string& what, const std::string& last_token) {
  std::string detail = what;
  constexpr std::string_view kSyntax = "syntax error ";
  if (const size_t s = detail.find(kSyntax); s != std::string::npos) {
    detail.erase(0, s + kSyntax.size());  // "while parsing value - ..."
    if (const size_t dash = detail.find(" - "); dash != std::string::npos) {
      detail.replace(dash, 3, ": ");
    }
  } else if (const size_t colon = detail.find(": "); colon != std::string::npos) {
    detail.erase(0, colon + 2);
  }
  const std::string echo = "; last read: '" + last_token + "'";
  if (const size_t e = detail.find(echo); e != std::string::npos) detail.erase(e, echo.size());
  return SanitizeUtf8(detail);
}

// The SAX handler. Frames mirror the open containers; each knows where its next child
// goes, which is also how the JSON pointer of any error is computed (lazily, only on
// failure, so the happy path pays nothing for paths).
class StrictBuilder {
 public:
  StrictBuilder(std::string_view text, const ParseOptions& options)
      : text_(text), max_depth_(static_cast<size_t>(options.max_depth)) {
    stack_.reserve(std::min<size_t>(max_depth_, 16));
  }

  Value TakeRoot() { return std::move(root_); }
  // Set when a handler callback returned false.
  const Status& status() const { return status_; }

  // --- nlohmann SAX interface ---
  bool null() { return Scalar(Value(nullptr)); }
  bool boolean(bool b) { return Scalar(Value(b)); }
  bool number_integer(Value::number_integer_t v) {
    // The lexer only reports negative integers here.
    if (v < -kMaxSafeInteger || v > kMaxSafeInteger) {
      return Fail(NumberRejected(std::to_string(v), CurrentPath()));
    }
    return Scalar(Value(v));
  }
  bool number_unsigned(Value::number_unsigned_t v) {
    if (v > static_cast<Value::number_unsigned_t>(kMaxSafeInteger)) {
      return Fail(NumberRejected(std::to_string(v), CurrentPath()));
    }
    return Scalar(Value(v));
  }
  // Any number with a fraction or exponent, and integers that overflow 64 bits.
  bool number_float(Value::number_float_t /*unused*/, const std::string& token) {
    return Fail(NumberRejected(token, CurrentPath()));
  }
  bool string(std::string& s) { return Scalar(Value(std::move(s))); }
  bool binary(Value::binary_t& /*unused*/) {
    return Fail(BadJson("binary values are not JSON", CurrentPath()));
  }
  bool start_object(std::size_t /*unused*/) { return Open(Value::value_t::object); }
  bool end_object() { return Close(); }
  bool start_array(std::size_t /*unused*/) { return Open(Value::value_t::array); }
  bool end_array() { return Close(); }

  bool key(std::string& k) {
    Frame& f = stack_.back();
    auto& members = f.container->get_ref<Value::object_t&>();
    // try_emplace leaves `k` untouched when the key exists, so it can name the duplicate.
    auto [it, inserted] = members.try_emplace(std::move(k));
    if (!inserted) {
      return Fail(BadJson("duplicate object key: each member name may appear only once",
                          PathTo(stack_.size() - 1).append("/").append(PointerToken(k))));
    }
    f.key = &it->first;
    f.member = &it->second;
    return true;
  }

  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) {
    if (ex.id == kNlohmannNumberOverflow) {
      // A number too large even for a double (e.g. 1e999, or 400 digits).
      return Fail(NumberRejected(last_token, CurrentPath()));
    }
    // `position` counts bytes read including the one that failed (or the EOF).
    const size_t offset = std::min(position == 0 ? 0 : position - 1, text_.size());
    return Fail(BadJson(fmt::format("syntax error at byte {} {}", offset,
                                    DescribeSyntaxError(ex.what(), last_token)),
                        CurrentPath()));
  }

 private:
  struct Frame {
    Value* container;
    bool is_object;
    // For objects, the member whose value is being read (between key() and that value's
    // end); null otherwise. Map nodes never move, so these stay valid.
    const std::string* key = nullptr;
    Value* member = nullptr;
  };

  bool Fail(Status s) {
    status_ = std::move(s);
    return false;
  }

  // Puts a finished scalar or a new empty container where the next value goes.
  Value* Place(Value&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Frame& f = stack_.back();
    if (f.is_object) {
      *f.member = std::move(v);
      return f.member;
    }
    // Safe: a parent array is never appended to while a child of it is open.
    auto& elements = f.container->get_ref<Value::array_t&>();
    elements.push_back(std::move(v));
    return &elements.back();
  }

  void MemberDone() {
    if (!stack_.empty() && stack_.back().is_object) {
      stack_.back().key = nullptr;
      stack_.back().member = nullptr;
    }
  }

  bool Scalar(Value&& v) {
    Place(std::move(v));
    MemberDone();
    return true;
  }

  bool Open(Value::value_t type) {
    if (stack_.size() >= max_depth_) {
      return Fail(BadJson(fmt::format("{} at depth {} is nested too deeply: the limit is {} levels",
                                      type == Value::value_t::object ? "object" : "array",
                                      stack_.size() + 1, max_depth_),
                          CurrentPath()));
    }
    Value* c = Place(Value(type));
    stack_.push_back(Frame{c, type == Value::value_t::object});
    return true;
  }

  bool Close() {
    stack_.pop_back();
    MemberDone();
    return true;
  }

  // Pointer made of the first `n` frames' positions: frame i's position is the child
  // it is reading (for the innermost frame, the next element / the pending member).
  std::string PathTo(size_t n) const {
    std::string path;
    for (size_t i = 0; i < n; ++i) {
      const Frame& f = stack_[i];
      if (f.is_object) {
        if (f.key != nullptr) path.append("/").append(PointerToken(*f.key));
      } else {
        size_t index = f.container->size();
        if (i + 1 < stack_.size()) --index;  // the open child is the last element
        path.append("/").append(std::to_string(index));
      }
    }
    return path;
  }
  std::string CurrentPath() const { return PathTo(stack_.size()); }

  std::string_view text_;
  size_t max_depth_;
  Value root_;
  std::vector<Frame> stack_;
  Status status_;
};

}  // namespace

Result<Value> Parse(std::string_view text, const ParseOptions& options) {
  if (options.max_depth < 0 || options.max_depth > kMaxDepthLimit) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("ParseOptions::max_depth {} is outside [0, {}]", options.max_depth,
                              kMaxDepthLimit));
  }
  if (text.size() > options.max_bytes) {
    return BadJson(
        fmt::format("input is {} bytes, more than the limit of {}", text.size(), options.max_bytes),
        "");
  }
  if (std::all_of(text.begin(), text.end(), IsJsonWhitespace)) {
    return BadJson(
        fmt::format("syntax error at byte {}: empty input, expected a JSON value", text.size()),
        "");
  }
  // nlohmann silently skips a UTF-8 byte order mark; RFC 8259 forbids sending one.
  if (text.starts_with("\xEF\xBB\xBF")) {
    return BadJson("syntax error at byte 0: a byte order mark is not allowed", "");
  }
  try {
    StrictBuilder builder(text, options);
    const bool ok = Value::sax_parse(text, &builder, Value::input_format_t::json,
                                     /*strict=*/true, /*ignore_comments=*/false);
    if (!ok) {
      if (!builder.status().ok()) return builder.status();
      return BadJson("syntax error: rejected by the parser", "");
    }
    // nlohmann's lexer reads a NUL byte as end of input, so "{}\0junk" would pass. A NUL
    // inside a string or between tokens fails above, so any NUL left here is trailing.
    if (const void* nul = std::memchr(text.data(), '\0', text.size()); nul != nullptr) {
      const auto offset = static_cast<size_t>(static_cast<const char*>(nul) - text.data());
      return BadJson(fmt::format("syntax error at byte {}: NUL byte after the JSON value "
                                 "(trailing garbage)",
                                 offset),
                     "");
    }
    return builder.TakeRoot();
  } catch (const std::bad_alloc&) {
    return Status(ErrorCode::kLimit, "out of memory while parsing JSON");
  } catch (const nlohmann::json::exception& e) {
    return BadJson(fmt::format("rejected by the parser: {}", SanitizeUtf8(e.what())), "");
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInternal, fmt::format("unexpected exception while parsing JSON: {}",
                                                    SanitizeUtf8(e.what())));
  } catch (...) {
    return Status(ErrorCode::kInternal, "unexpected exception while parsing JSON");
  }
}

std::string PointerToken(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace aidtrace::json
