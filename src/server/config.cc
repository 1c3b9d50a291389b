#include "server/config.h"

#include <fmt/format.h>

#include "json/json.h"

namespace aidtrace::server {

Result<ServerConfig> ParseConfig(std::string_view text, const ServerConfig& base) {
  auto doc = json::Parse(text);
  if (!doc.ok()) return doc.status().WithContext("server config");
  if (!doc->is_object()) {
    return Status(ErrorCode::kInvalidArgument, "server config: must be a JSON object");
  }
  ServerConfig c = base;
  for (const auto& item : doc->items()) {
    // Named, not structured bindings: lambdas below capture them (Clang 14).
    const std::string& key = item.key();
    const json::Value& v = item.value();
    auto bad = [&](std::string_view want) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("server config: \"{}\" must be {}", key, want), "/" + key);
    };
    auto size_value = [&](size_t& out, uint64_t min, uint64_t max) -> Status {
      if (!v.is_number_integer() || v.get<int64_t>() < static_cast<int64_t>(min) ||
          v.get<uint64_t>() > max) {
        return bad(fmt::format("an integer in [{}, {}]", min, max));
      }
      out = v.get<size_t>();
      return Status::Ok();
    };
    auto u32_value = [&](uint32_t& out, uint64_t min, uint64_t max) -> Status {
      size_t tmp = 0;
      RETURN_IF_ERROR(size_value(tmp, min, max));
      out = static_cast<uint32_t>(tmp);
      return Status::Ok();
    };
    if (key == "listen") {
      if (!v.is_string()) return bad("a string host:port");
      c.listen = v.get<std::string>();
    } else if (key == "web_root") {
      if (!v.is_string()) return bad("a string (a directory)");
      c.web_root = v.get<std::string>();
    } else if (key == "access_log") {
      if (!v.is_boolean()) return bad("true or false");
      c.access_log = v.get<bool>();
    } else if (key == "threads") {
      RETURN_IF_ERROR(size_value(c.threads, 0, 256));
    } else if (key == "ingest_threads") {
      RETURN_IF_ERROR(size_value(c.ingest_threads, 0, 1024));
    } else if (key == "max_body_bytes") {
      RETURN_IF_ERROR(size_value(c.max_body_bytes, 1024, uint64_t{1} << 32));
    } else if (key == "max_header_bytes") {
      RETURN_IF_ERROR(size_value(c.max_header_bytes, 1024, uint64_t{1} << 20));
    } else if (key == "max_batch") {
      RETURN_IF_ERROR(size_value(c.max_batch, 1, 1000000));
    } else if (key == "request_timeout_ms") {
      RETURN_IF_ERROR(u32_value(c.request_timeout_ms, 10, 3600000));
    } else if (key == "shutdown_grace_ms") {
      RETURN_IF_ERROR(u32_value(c.shutdown_grace_ms, 0, 3600000));
    } else if (key == "rate_per_token") {
      RETURN_IF_ERROR(u32_value(c.rate_per_token, 0, 10000000));
    } else if (key == "rate_burst") {
      RETURN_IF_ERROR(u32_value(c.rate_burst, 1, 10000000));
    } else if (key == "rate_per_client") {
      RETURN_IF_ERROR(u32_value(c.rate_per_client, 0, 10000000));
    } else if (key == "token_cache_ms") {
      RETURN_IF_ERROR(u32_value(c.token_cache_ms, 0, 3600000));
    } else if (key == "hash_cache_level") {
      RETURN_IF_ERROR(u32_value(c.hash_cache_level, 0, 63));
    } else if (key == "default_page") {
      RETURN_IF_ERROR(size_value(c.default_page, 1, 100000));
    } else if (key == "max_page") {
      RETURN_IF_ERROR(size_value(c.max_page, 1, 100000));
    } else {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("server config: unknown member \"{}\"", key), "/" + key);
    }
  }
  if (c.default_page > c.max_page) {
    return Status(ErrorCode::kInvalidArgument, "server config: default_page exceeds max_page");
  }
  std::string host;
  uint16_t port = 0;
  RETURN_IF_ERROR(SplitHostPort(c.listen, host, port));
  return c;
}

Status SplitHostPort(std::string_view listen, std::string& host, uint16_t& port) {
  const size_t colon = listen.rfind(':');
  auto bad = [&] {
    return Status(
        ErrorCode::kInvalidArgument,
        fmt::format("listen address \"{}\" is not host:port (e.g. 127.0.0.1:8080)", listen));
  };
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == listen.size()) return bad();
  uint32_t p = 0;
  for (char ch : listen.substr(colon + 1)) {
    if (ch < '0' || ch > '9') return bad();
    p = p * 10 + static_cast<uint32_t>(ch - '0');
    if (p > 65535) return bad();
  }
  host = std::string(listen.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  port = static_cast<uint16_t>(p);
  return Status::Ok();
}

}  // namespace aidtrace::server
