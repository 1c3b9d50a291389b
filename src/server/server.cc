#include "server/server.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/parallel.h"
#include "detect/observer.h"
#include "mechanism/directory.h"
#include "server/api.h"
#include "server/log_index.h"

namespace aidtrace::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Structured logs: one JSON object per line on stderr.
std::shared_ptr<spdlog::logger> MakeLogger() {
  auto logger = std::make_shared<spdlog::logger>("aidtrace",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})", spdlog::pattern_time_type::utc, "\n"));
  logger->flush_on(spdlog::level::info);
  return logger;
}

std::string_view SV(beast::string_view s) { return {s.data(), s.size()}; }

// The members of a log line (an object without its braces).
std::string Fields(const json::Value& v) {
  const std::string s = v.dump(-1, ' ', false, json::Value::error_handler_t::replace);
  return s.size() >= 2 ? s.substr(1, s.size() - 2) : std::string();
}

}  // namespace

struct Server::Impl {
  Impl(ledger::Ledger& l, store::Store* tokens, const ServerConfig& c)
      : ledger(l), config(c), log(MakeLogger()), work(net::make_work_guard(*ioc)) {
    (void)tokens;
  }

  void Accept();
  void Shutdown();

  ledger::Ledger& ledger;
  const ServerConfig config;
  std::shared_ptr<spdlog::logger> log;
  LogIndex index;
  std::unique_ptr<Api> api;
  // Destroyed at shutdown, after its threads stopped: that destroys the sessions still
  // waiting (idle keep-alive, or a request not read yet), which closes their sockets.
  std::unique_ptr<net::io_context> ioc = std::make_unique<net::io_context>();
  net::executor_work_guard<net::io_context::executor_type> work;
  std::optional<tcp::acceptor> acceptor;
  uint16_t port = 0;
  std::vector<std::thread> threads;
  std::unique_ptr<net::thread_pool> ingest;
  std::atomic<int64_t> inflight{0};
  std::atomic<bool> draining{false};
  std::mutex stop_mu;
  bool stopped = false;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& srv) : stream_(std::move(socket)), srv_(srv) {
    beast::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) client_ = ep.address().to_string();
  }

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(srv_.config.max_header_bytes));
    parser_->body_limit(srv_.config.max_body_bytes);
    stream_.expires_after(std::chrono::milliseconds(srv_.config.request_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream) return Close();
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      // The rest of the request is not read: answer and close.
      Begin(false);
      Response r;
      r.status = 413;
      r.body =
          Status(ErrorCode::kPayloadTooLarge,
                 ec == http::error::body_limit
                     ? fmt::format("the request body exceeds {} bytes", srv_.config.max_body_bytes)
                     : fmt::format("the request header exceeds {} bytes",
                                   srv_.config.max_header_bytes))
              .ToJson();
      if (parser_->is_header_done()) {
        method_ = std::string(SV(parser_->get().method_string()));
        target_ = std::string(SV(parser_->get().target()));
      }
      return Write(std::move(r));
    }
    if (ec) return;  // timeout, reset or a malformed request: drop the connection
    auto& req = parser_->get();
    Begin(req.keep_alive());
    method_ = std::string(SV(req.method_string()));
    target_ = std::string(SV(req.target()));
    if (srv_.draining.load()) {
      keep_alive_ = false;
      Response r;
      r.status = 503;
      r.body = Status(ErrorCode::kUnavailable, "the server is shutting down").ToJson();
      return Write(std::move(r));
    }
    request_.method = SV(req.method_string());
    request_.target = SV(req.target());
    request_.authorization = SV(req[http::field::authorization]);
    request_.content_type = SV(req[http::field::content_type]);
    request_.body = req.body();
    request_.client = client_;
    std::string_view path = request_.target.substr(0, request_.target.find('?'));
    const int route = Api::Match(request_.method, path);
    if (route >= 0 && Api::Routes()[static_cast<size_t>(route)].submit) {
      // Off the network threads: Submit waits for the group commit's fsync.
      net::post(*srv_.ingest, [self = shared_from_this(), route] {
        Response r = self->srv_.api->Submit(self->request_);
        r.route = route;
        net::post(self->stream_.get_executor(),
                  [self, r = std::move(r)]() mutable { self->Write(std::move(r)); });
      });
      return;
    }
    Write(srv_.api->Handle(request_));
  }

  void Begin(bool keep_alive) {
    started_ = Clock::now();
    keep_alive_ = keep_alive;
    srv_.inflight.fetch_add(1);
  }

  void Write(Response&& r) {
    response_ = std::move(r);
    const bool close = !keep_alive_ || srv_.draining.load();
    res_ = {};
    res_.version(11);
    res_.result(response_.status);
    res_.set(http::field::server, "aidtrace");
    res_.set(http::field::content_type, response_.content_type);
    for (const auto& [k, v] : response_.headers) res_.set(k, v);
    res_.keep_alive(!close);
    const std::string_view body = response_.Body();
    res_.body() = http::span_body<const char>::value_type(body.data(), body.size());
    res_.prepare_payload();
    stream_.expires_after(std::chrono::milliseconds(srv_.config.request_timeout_ms));
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), close));
  }

  void OnWrite(bool close, beast::error_code ec, size_t bytes) {
    const auto latency = Clock::now() - started_;
    srv_.api->metrics().Request(response_.route, response_.status, latency);
    if (srv_.config.access_log) {
      srv_.log->info(
          Fields({{"msg", "request"},
                  {"client", client_},
                  {"method", method_},
                  {"target", target_.substr(0, 512)},
                  {"status", response_.status},
                  {"bytes", bytes},
                  {"us", std::chrono::duration_cast<std::chrono::microseconds>(latency).count()},
                  {"error", ec ? ec.message() : std::string()}}));
    }
    response_ = {};
    srv_.inflight.fetch_sub(1);
    if (ec) return;
    if (close) return Close();
    Read();
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  Server::Impl& srv_;
  std::string client_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Request request_;
  Response response_;
  http::response<http::span_body<const char>> res_;
  bool keep_alive_ = true;
  Clock::time_point started_;
  std::string method_, target_;
};

}  // namespace

void Server::Impl::Accept() {
  acceptor->async_accept(net::make_strand(*ioc), [this](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<Session>(std::move(s), *this)->Run();
    if (acceptor->is_open()) Accept();
  });
}

void Server::Impl::Shutdown() {
  {
    std::lock_guard lock(stop_mu);
    if (stopped) return;
    stopped = true;
  }
  log->info(Fields({{"msg", "shutting down"}, {"in_flight", inflight.load()}}));
  draining.store(true);
  api->SetDraining();
  net::post(acceptor->get_executor(), [this] {
    beast::error_code ec;
    acceptor->close(ec);
  });
  // Requests already read finish (a batch in its group commit included).
  const auto deadline = Clock::now() + std::chrono::milliseconds(config.shutdown_grace_ms);
  while (inflight.load() > 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const int64_t left = inflight.load();
  ingest->join();  // no Submit is left running when the ledger closes
  work.reset();
  ioc->stop();
  for (auto& t : threads) t.join();
  threads.clear();
  acceptor.reset();
  ioc.reset();
  log->info(Fields({{"msg", "stopped"}, {"abandoned_requests", left}, {"size", ledger.Size()}}));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (impl_) impl_->Shutdown();
}

Result<std::unique_ptr<Server>> Server::Start(ledger::Ledger& ledger, store::Store* tokens,
                                              const ServerConfig& config, guard::Guard* guard) {
  const bool mechanism = ledger.ReadState(
      [](const ledger::StateMachine& sm) { return detect::DirectoryOf(sm) != nullptr; });
  if (!mechanism) {
    return Status(ErrorCode::kInvalidArgument, "the server needs a ledger running the mechanism");
  }
  std::string host;
  uint16_t port = 0;
  RETURN_IF_ERROR(SplitHostPort(config.listen, host, port));
  auto impl = std::make_unique<Impl>(ledger, tokens, config);
  const auto t0 = Clock::now();
  RETURN_IF_ERROR(impl->index.CatchUp(ledger));
  impl->log->info(Fields(
      {{"msg", "indexed the log"},
       {"events", impl->index.events()},
       {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count()}}));
  impl->api = std::make_unique<Api>(ledger, tokens, impl->index, config, guard);

  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("listen address \"{}\": {}", host, ec.message()));
  }
  impl->acceptor.emplace(net::make_strand(*impl->ioc));
  const tcp::endpoint endpoint(address, port);
  auto fail = [&](std::string_view what) {
    return Status(ErrorCode::kIoError,
                  fmt::format("cannot {} {}: {}", what, config.listen, ec.message()));
  };
  impl->acceptor->open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  impl->acceptor->set_option(net::socket_base::reuse_address(true), ec);
  impl->acceptor->bind(endpoint, ec);
  if (ec) return fail("bind");
  impl->acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  impl->port = impl->acceptor->local_endpoint().port();

  const size_t threads = config.threads > 0 ? config.threads : DefaultThreads();
  const size_t ingest = config.ingest_threads > 0 ? config.ingest_threads : 2 * DefaultThreads();
  impl->ingest = std::make_unique<net::thread_pool>(ingest);
  impl->Accept();
  for (size_t i = 0; i < threads; ++i) {
    impl->threads.emplace_back([p = impl.get()] { p->ioc->run(); });
  }
  impl->log->info(Fields({{"msg", "listening"},
                          {"address", fmt::format("{}:{}", host, impl->port)},
                          {"threads", threads},
                          {"ingest_threads", ingest},
                          {"size", ledger.Size()}}));
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->port; }

void Server::Shutdown() { impl_->Shutdown(); }

void Server::RunUntilSignal() {
  net::io_context sig;
  net::signal_set signals(sig, SIGINT, SIGTERM);
  signals.async_wait([this](beast::error_code ec, int signo) {
    if (!ec) impl_->log->info(Fields({{"msg", "signal"}, {"signal", signo}}));
  });
  sig.run();
  Shutdown();
}

}  // namespace aidtrace::server
