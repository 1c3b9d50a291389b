// A small synchronous HTTP/1.1 client over Boost.Beast for the server's tests and the
// POST load generator (bench/http_post_bench.cc): one keep-alive connection, reconnected
// when the server closes it. Not thread-safe: one client per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace aidtrace::testing {

struct HttpResponse {
  unsigned status = 0;  // 0: the connection failed (error says why)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string error;

  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() == name.size() &&
          std::equal(k.begin(), k.end(), name.begin(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        return v;
      }
    }
    return {};
  }
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port, std::string host = "127.0.0.1")
      : host_(std::move(host)), port_(port) {}

  HttpResponse Request(const std::string& method, const std::string& target,
                       const std::string& body = {},
                       const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    namespace beast = boost::beast;
    namespace http = beast::http;
    HttpResponse out;
    for (int attempt = 0; attempt < 2; ++attempt) {
      beast::error_code ec;
      const bool fresh = !stream_.has_value();
      if (fresh) {
        stream_.emplace(ioc_);
        boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address(host_), port_);
        stream_->connect(ep, ec);
        if (ec) {
          stream_.reset();
          out.error = ec.message();
          return out;
        }
      }
      http::request<http::string_body> req{http::string_to_verb(method), target, 11};
      req.set(http::field::host, host_);
      req.keep_alive(true);
      for (const auto& [k, v] : headers) req.set(k, v);
      if (!body.empty() || method == "POST") {
        req.body() = body;
        if (req[http::field::content_type].empty()) {
          req.set(http::field::content_type, "application/json");
        }
        req.prepare_payload();
      }
      http::write(*stream_, req, ec);
      http::response_parser<http::string_body> parser;
      parser.body_limit(uint64_t{1} << 30);
      beast::flat_buffer buffer;
      if (!ec) http::read(*stream_, buffer, parser, ec);
      if (ec) {
        stream_.reset();
        out.error = ec.message();
        if (!fresh) continue;  // the server closed an idle keep-alive connection: retry once
        return out;
      }
      auto& res = parser.get();
      out.status = res.result_int();
      out.body = std::move(res.body());
      for (const auto& f : res) {
        out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      }
      if (!res.keep_alive()) stream_.reset();
      return out;
    }
    return out;
  }

  HttpResponse Get(const std::string& target, const std::string& token = {}) {
    if (token.empty()) return Request("GET", target);
    return Request("GET", target, {}, {{"Authorization", "Bearer " + token}});
  }
  HttpResponse Post(const std::string& target, const std::string& body,
                    const std::string& content_type = "application/json") {
    return Request("POST", target, body, {{"Content-Type", content_type}});
  }

 private:
  std::string host_;
  uint16_t port_;
  boost::asio::io_context ioc_;
  std::optional<boost::beast::tcp_stream> stream_;
};

}  // namespace aidtrace::testing
