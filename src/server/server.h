// Server: the HTTP/1.1 front of the ledger, on Boost.Beast and Asio. Network threads
// (one per core by default) read requests asynchronously with keep-alive and answer
// reads inline (Api::Handle); POST /v1/events runs on a separate pool (Api::Submit
// blocks until its group commit is durable) and the response is written back on the
// connection's strand. Every request is logged as one JSON line on stderr (spdlog).
//
// Shutdown (Shutdown(), or SIGINT/SIGTERM in RunUntilSignal): stop accepting, answer
// new requests with 503, let every request already read finish (a batch being
// committed completes and its receipts are written), then stop. Nothing acknowledged is
// lost: a receipt is only sent once its batch is durable, whatever happens next.
//
// Thread safety: Start, Shutdown and RunUntilSignal may be called from any thread;
// Shutdown is idempotent.
#pragma once

#include <cstdint>
#include <memory>

#include "base/status.h"
#include "guard/guard.h"
#include "ledger/ledger.h"
#include "server/config.h"
#include "store/store.h"

namespace aidtrace::server {

class Server {
 public:
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Indexes the log, binds config.listen and starts serving. `ledger` must run the
  // mechanism (a mechanism::Directory state); `tokens` is the store API tokens are read
  // from (may be null). Both must outlive the server.
  // `guard`, when given, screens submissions and serves POST /v1/screen; it must outlive
  // the server too.
  static Result<std::unique_ptr<Server>> Start(ledger::Ledger& ledger, store::Store* tokens,
                                               const ServerConfig& config,
                                               guard::Guard* guard = nullptr);

  // The port actually bound (config port 0 picks a free one).
  uint16_t port() const;
  // Graceful stop; returns when every thread has finished.
  void Shutdown();
  // Blocks until SIGINT or SIGTERM (or Shutdown from elsewhere), then shuts down.
  void RunUntilSignal();

  struct Impl;  // private to server.cc

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace aidtrace::server
