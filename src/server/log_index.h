// LogIndex: what the server needs to answer queries that the mechanism's state does not
// index: which events of the log concern a project (its timeline), the ids of the
// parties, screening hits, alerts, cases and appeals in log order (the books find them
// by id but do not list them), and which event registered each beneficiary (its
// private record is stored beside that event).
//
// Built by scanning the log when the server starts, then kept up to date with every
// event the server appends (Add is idempotent, so a resubmission that returns an old
// receipt changes nothing). It holds ids and sequence numbers only, never bodies.
//
// Thread safety: every method may be called from any thread (a shared mutex inside).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/json.h"
#include "ledger/ledger.h"

namespace aidtrace::server {

class LogIndex {
 public:
  // The kinds of ids listed in log order.
  enum class Kind : uint8_t { kParty, kHit, kAlert, kCase, kAppeal, kCount };

  // What one event contributes, extracted from its envelope (before it is sequenced, so
  // the caller can drop the envelope while the ledger commits it).
  struct Entry {
    std::vector<std::string> projects;  // projects whose timeline it belongs to
    std::vector<std::pair<Kind, std::string>> ids;
    std::string beneficiary;  // registered by this event (beneficiary.register)
    std::string commitment;   // created (funds.commit) or referred to (disburse, attest)
  };
  static Entry Extract(const json::Value& envelope);

  // Adds every leaf below ledger.Size() not indexed yet (those other writers logged: the
  // detectors' alerts, screening hits). Cheap when nothing is missing. kCorrupt on an
  // unreadable leaf.
  Status CatchUp(const ledger::Ledger& ledger);
  void Add(uint64_t seq, const Entry& entry);

  // Sequence numbers of the events of a project, ascending.
  std::vector<uint64_t> ProjectEvents(std::string_view project) const;
  // Ids of a kind in the order their events were logged.
  std::vector<std::string> Ids(Kind kind) const;
  // The event that registered a beneficiary.
  std::optional<uint64_t> BeneficiarySeq(std::string_view beneficiary) const;
  // One more than the highest sequence number indexed.
  uint64_t events() const;

 private:
  void AddLocked(uint64_t seq, const Entry& entry);

  mutable std::shared_mutex mu_;
  // Leaves [0, scanned_) are indexed, and those in ahead_ (added above the gap).
  uint64_t scanned_ = 0;
  std::set<uint64_t> ahead_;
  std::mutex catch_up_mu_;  // one CatchUp at a time
  uint64_t events_ = 0;
  std::map<std::string, std::vector<uint64_t>, std::less<>> projects_;
  std::map<std::string, std::string, std::less<>> commitment_project_;
  // (seq, position in the event) -> id
  std::map<std::pair<uint64_t, size_t>, std::string> ids_[static_cast<size_t>(Kind::kCount)];
  std::map<std::string, uint64_t, std::less<>> beneficiaries_;
};

}  // namespace aidtrace::server
