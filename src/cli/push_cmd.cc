#include "cli/push_cmd.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/status.h"
#include "cli/commands.h"
#include "json/json.h"

namespace aidtrace::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct PushOptions {
  std::string url = "http://127.0.0.1:8080";
  std::string file;
  size_t batch = 2000;
  std::string token;
  bool quiet = false;
};

struct Url {
  std::string host, port, base;
};

Result<Url> ParseUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("--url {}: only http://host:port URLs are supported", url));
  }
  std::string rest = url.substr(kScheme.size());
  Url u;
  const auto slash = rest.find('/');
  u.base = slash == std::string::npos ? "" : rest.substr(slash);
  if (!u.base.empty() && u.base.back() == '/') u.base.pop_back();
  rest = rest.substr(0, slash);
  const auto colon = rest.rfind(':');
  u.host = colon == std::string::npos ? rest : rest.substr(0, colon);
  u.port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
  if (u.host.empty() || u.port.empty()) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("--url {}: no host", url));
  }
  return u;
}

void Progress(size_t done, size_t total, size_t rejected, double seconds) {
  constexpr int kWidth = 40;
  const double f = total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
  const int fill = static_cast<int>(f * kWidth);
  std::fprintf(stderr, "\r[%s%s] %zu/%zu events, %zu rejected, %.0f events/s ",
               std::string(static_cast<size_t>(fill), '#').c_str(),
               std::string(static_cast<size_t>(kWidth - fill), '.').c_str(), done, total, rejected,
               seconds > 0 ? static_cast<double>(done) / seconds : 0.0);
  std::fflush(stderr);
}

int Push(const PushOptions& o) {
  auto url = ParseUrl(o.url);
  if (!url.ok()) return Fail(url.status());
  std::vector<std::string> lines;
  {
    std::ifstream in(o.file);
    if (o.file != "-" && !in) {
      return Fail(Status(ErrorCode::kNotFound, fmt::format("{}: cannot open", o.file)));
    }
    std::istream& is = o.file == "-" ? std::cin : in;
    for (std::string line; std::getline(is, line);) {
      if (!line.empty()) lines.push_back(std::move(line));
    }
  }
  const bool bar = !o.quiet && isatty(STDERR_FILENO);
  try {
    boost::asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.connect(resolver.resolve(url->host, url->port));
    size_t accepted = 0, rejected = 0, shown = 0;
    const auto start = std::chrono::steady_clock::now();
    for (size_t from = 0; from < lines.size(); from += o.batch) {
      const size_t to = std::min(lines.size(), from + o.batch);
      std::string body;
      for (size_t i = from; i < to; ++i) {
        body += lines[i];
        body += '\n';
      }
      http::request<http::string_body> req{http::verb::post, url->base + "/v1/events", 11};
      req.set(http::field::host, url->host);
      req.set(http::field::content_type, "application/x-ndjson");
      if (!o.token.empty()) req.set(http::field::authorization, "Bearer " + o.token);
      req.keep_alive(true);
      req.body() = std::move(body);
      req.prepare_payload();
      http::response<http::string_body> res;
      for (int attempt = 0;; ++attempt) {
        http::write(stream, req);
        beast::flat_buffer buffer;
        res = {};
        http::read(stream, buffer, res);
        // Rate limited or busy: wait as told, then send the same batch again (an accepted
        // event resubmitted returns its receipt, so retrying is safe).
        if ((res.result_int() == 429 || res.result_int() == 503) && attempt < 60) {
          std::this_thread::sleep_for(std::chrono::milliseconds(500));
          continue;
        }
        break;
      }
      auto doc = json::Parse(res.body());
      if (res.result_int() != 200 || !doc.ok() || !doc->is_object() || !doc->contains("results")) {
        if (bar) std::fprintf(stderr, "\n");
        return Fail(
            Status(ErrorCode::kIoError, fmt::format("POST {}/v1/events: HTTP {}: {}", o.url,
                                                    res.result_int(), res.body().substr(0, 500))));
      }
      const json::Value& results = (*doc)["results"];
      for (size_t i = 0; i < results.size(); ++i) {
        if (results[i].contains("error")) {
          ++rejected;
          if (shown++ < 5) {
            if (bar) std::fprintf(stderr, "\n");
            std::fprintf(stderr, "line %zu: %s\n", from + i + 1,
                         results[i]["error"].dump().c_str());
          }
        } else {
          ++accepted;
        }
      }
      if (bar) {
        Progress(to, lines.size(), rejected,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (bar) std::fprintf(stderr, "\n");
    std::printf("pushed %zu events to %s in %.1f s (%.0f events/s): %zu accepted, %zu rejected\n",
                lines.size(), o.url.c_str(), seconds,
                seconds > 0 ? static_cast<double>(lines.size()) / seconds : 0.0, accepted,
                rejected);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return rejected == 0 ? 0 : ExitCodeFor(ErrorCode::kBadState);
  } catch (const boost::system::system_error& e) {
    if (bar) std::fprintf(stderr, "\n");
    return Fail(Status(ErrorCode::kIoError, fmt::format("{}: {}", o.url, e.what())));
  }
}

}  // namespace

void AddPushCommands(CLI::App& app, int& rc) {
  static PushOptions push;
  auto* p = app.add_subcommand(
      "push", "POST submissions (JSON lines) to a server in batches, with a progress bar");
  p->add_option("file", push.file, "JSON lines file ('-' for standard input)")->required();
  p->add_option("--url", push.url, "The server (default http://127.0.0.1:8080)");
  p->add_option("--batch", push.batch, "Submissions per POST")->check(CLI::Range(1, 10000));
  p->add_option("--token", push.token, "Bearer token (writes need only valid signatures)");
  p->add_flag("--quiet", push.quiet, "No progress bar");
  p->callback([&rc] { rc = Push(push); });
}

}  // namespace aidtrace::cli
