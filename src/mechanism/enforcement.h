// EnforcementBook: watch lists, screening hits and their adjudication, alerts, cases and appeals.
// Handles: watchlist.load, screening.hit, screening.clear, screening.confirm, alert.raise,
// case.open, case.note, case.close, appeal.file, appeal.decide. See book.h for the contract every
// book keeps, and docs/EVENTS.md for the rules.
//
// Limits of this book (it sees only the events of its own types and the directory's parties):
//  - alert.raise's subject must exist (a party, project, warehouse, beneficiary,
//    consignment, item, hit, alert, case or appeal); its evidence event ids are checked for
//    shape only (the state keeps no index of every event id; the API resolves them).
//  - screening.hit's subject is checked for shape only: a candidate is screened before it
//    is admitted or registered.
//  - appeal.file resolves screening.confirm itself and asks the directory (EventContext::
//    find_decision) for the decisions of the other books; overturning those is their
//    effect (EventContext::overturn).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mechanism/book.h"

namespace aidtrace::mechanism {

class EnforcementBook {
 public:
  struct ListVersion {
    std::string version;
    std::string sha256;
    int64_t entries = 0;
    uint64_t seq = 0;  // the watchlist.load that loaded it
  };
  struct WatchList {
    std::vector<ListVersion> versions;  // in load order; the last is current
  };
  struct Hit {
    std::string subject, list, entry, algorithm;
    int64_t score = 0;
    std::string status;    // below_review, open, cleared, confirmed
    std::string deadline;  // RFC 3339 while it is a pending decision (open); else empty
    std::string decision;  // event id of the screening.clear/confirm (or appeal.decide) that
                           // decided it; empty while undecided
    // What the hit was about when it was found ("sha256:..." of the list entry and of the
    // subject's screened data; empty when the hit did not say), and the cleared hit it
    // reopens (empty when none).
    std::string entry_hash, subject_hash, reopens;
  };
  struct Alert {
    std::string kind, subject, severity, detail;
    std::vector<std::string> evidence;  // event ids
    std::string status;                 // open, in_case, closed
    std::string case_id;                // while in_case or closed through a case
  };
  struct Note {
    std::string actor, logged, text;
  };
  struct Action {
    std::string action, party, note;
    std::optional<std::string> currency;
    int64_t amount = 0;  // with currency, for recover
  };
  struct Case {
    std::vector<std::string> alerts;
    std::vector<Note> notes;
    std::string status;  // open, closed
    std::string finding;
    std::vector<Action> actions;
    std::string deadline;  // RFC 3339 while open (opened + decision_sla_days); empty when closed
  };
  struct Appeal {
    std::string subject;    // event id of the decision appealed
    std::string appellant;  // the affected party (the actor)
    std::string hit;        // the hit whose confirmation is appealed (screening.confirm)
    std::string status;     // pending, upheld, overturned
    std::string deadline;   // RFC 3339
    std::string type;       // the event type of the decision appealed
  };

  // Applies ctx.env when its type belongs to this book: the rules' verdict (nothing
  // changed unless OK). nullopt when the type is not this book's.
  std::optional<Status> Apply(const EventContext& ctx);

  // Deterministic JSON of the whole book, and its inverse (unchanged on error).
  json::Value Snapshot() const;
  Status Restore(const json::Value& snapshot);

  // True when `subject` (a party, beneficiary or candidate id) is blocked (rule 6,
  // screening_blocked): it has a screening hit that is `open` with score >= policy.block_at,
  // or a `confirmed` hit whatever its score.
  bool Blocked(std::string_view subject, const Policy& policy) const;

  // Read accessors (nullptr when unknown).
  const WatchList* FindList(std::string_view list) const;
  const Hit* FindHit(std::string_view hit) const;
  const Alert* FindAlert(std::string_view alert) const;
  const Case* FindCase(std::string_view case_id) const;
  const Appeal* FindAppeal(std::string_view appeal) const;
  const std::map<std::string, Hit, std::less<>>& hits() const { return hits_; }
  const std::map<std::string, WatchList, std::less<>>& lists() const { return lists_; }
  // The ids of the hits about `subject`, in the order they were recorded (nullptr: none).
  const std::vector<std::string>* HitsOf(std::string_view subject) const {
    const auto it = hits_by_subject_.find(subject);
    return it == hits_by_subject_.end() ? nullptr : &it->second;
  }
  const std::map<std::string, Alert, std::less<>>& alerts() const { return alerts_; }
  const std::map<std::string, Case, std::less<>>& cases() const { return cases_; }
  const std::map<std::string, Appeal, std::less<>>& appeals() const { return appeals_; }
  // True when a case of this id exists (party.suspend / party.reinstate name one).
  bool HasCase(std::string_view case_id) const { return FindCase(case_id) != nullptr; }

 private:
  Status WatchlistLoad(const EventContext& ctx);
  Status ScreeningHit(const EventContext& ctx);
  Status ScreeningDecide(const EventContext& ctx, bool confirm);
  Status AlertRaise(const EventContext& ctx);
  // Whether `id` names something alert.raise may be about.
  bool KnownSubject(const EventContext& ctx, std::string_view id) const;
  Status CaseOpen(const EventContext& ctx);
  Status CaseNote(const EventContext& ctx);
  Status CaseClose(const EventContext& ctx);
  Status AppealFile(const EventContext& ctx);
  Status AppealDecide(const EventContext& ctx);

  std::map<std::string, WatchList, std::less<>> lists_;
  std::map<std::string, Hit, std::less<>> hits_;
  std::map<std::string, Alert, std::less<>> alerts_;
  std::map<std::string, Case, std::less<>> cases_;
  std::map<std::string, Appeal, std::less<>> appeals_;
  // The events of this book's types that were accepted: event id -> type; and for each
  // screening.confirm, the hit it confirmed (the subjects appeal.file can name).
  std::map<std::string, std::string, std::less<>> events_;
  std::map<std::string, std::string, std::less<>> confirms_;
  // Derived (rebuilt on Restore, not serialised): subject -> its hits.
  std::map<std::string, std::vector<std::string>, std::less<>> hits_by_subject_;
};

}  // namespace aidtrace::mechanism
