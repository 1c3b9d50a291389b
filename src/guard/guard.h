// The guard: screening wired into the mechanism (MECHANISM.md rule 6, issue 5 item 6).
//
// It holds one screening index over the current version of every loaded sanctions list
// (the versions the log's watchlist.load events name, their entities kept in the store),
// and every subject of the mechanism (parties with their principals, households), read
// from the log. Submissions pass through it on their way to the ledger:
//
//   party.admit, beneficiary.register: the new subject is screened (in parallel, before
//     sequencing); every match at or above the policy's review level becomes a
//     screening.hit event, signed by the guard's key and sequenced right before the event,
//     so that a match at or above block_at refuses it (screening_blocked);
//   funds.pay: a payee not yet screened against the current lists is screened first;
//   watchlist.load, once accepted: the version's entities are loaded from the store, the
//     index is rebuilt and swapped, and the changed entries (ADD and MOD against the
//     previous version) are run against every subject (reverse search); matches become
//     screening.hit events.
//
// A match already recorded is not recorded again; a cleared hit is found again (and
// reopened, with `reopens`) only when the entry's or the subject's content hash changed
// since. Hit ids derive from (subject, list, entry, both hashes), so concurrent guards
// agree and a repeat is refused by the rules as a duplicate.
//
// Without a signing key the guard screens but records nothing (Submit passes items
// straight to the ledger). Thread safety: every public method may be called from any
// thread; list loads are serialised.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "base/parallel.h"
#include "base/status.h"
#include "crypto/note.h"
#include "guard/subjects.h"
#include "ledger/ledger.h"
#include "screening/entity.h"
#include "screening/index.h"
#include "screening/names_data.h"
#include "store/store.h"

namespace aidtrace::guard {

// The matcher's id and version, recorded in every screening.hit's `algorithm`.
inline constexpr std::string_view kAlgorithm = "aidtrace-screen.v1";

struct GuardOptions {
  size_t threads = DefaultThreads();
  // Name equivalences (default: the curated list compiled in).
  std::shared_ptr<const screening::NameData> names;
  // Read every subject from the log at Open (false: only the lists, for a caller that
  // screens names it is given and never submits, e.g. `screen --db`).
  bool read_subjects = true;
};

// What one guarded submission, list load or re-screen did.
struct GuardReport {
  size_t screened = 0;              // subjects screened
  size_t matches = 0;               // matches at or above the review level
  size_t hits = 0;                  // screening.hit events recorded
  size_t reopened = 0;              // of which reopen a cleared hit
  size_t already = 0;               // matches recorded before (or cleared, nothing changed since)
  std::vector<std::string> loaded;  // "list@version" made current
  std::vector<Status> problems;     // hits the rules refused, versions without a stored file
  void Merge(const GuardReport& other);
};

// A stored list version from imported entities; `sha256` is the published file's hash.
store::ListFile MakeListFile(std::string_view list, std::string_view format,
                             std::string_view sha256,
                             const std::vector<screening::Entity>& entities,
                             std::string_view added);
// The entities of a stored version (kCorrupt naming the line when one does not read).
Result<std::vector<screening::Entity>> EntitiesOf(const store::ListFile& file);

class Guard {
 public:
  // Reads the current version of every list the state holds (their entities from
  // `lists`), builds the index and reads every subject from the log. `signer` signs the
  // screening.hit events (the policy's detector key, or a monitor's key); without it
  // nothing is recorded. `ledger` and `lists` must outlive the guard.
  static Result<std::unique_ptr<Guard>> Open(ledger::Ledger& ledger, store::Store& lists,
                                             std::optional<crypto::SignerKey> signer,
                                             GuardOptions options = {});
  ~Guard();

  // Ledger::Submit with screening (see above): one result per item, in order; the hit
  // events sequenced before an item are not among the results (they are in `report`).
  std::vector<Result<event::Receipt>> Submit(std::vector<ledger::Prepared> items,
                                             GuardReport* report = nullptr);

  // Screens every subject against the current versions of every list and records what
  // is new (a full re-screen).
  Result<GuardReport> Rescreen();

  // Screens one subject against the current lists (for `screen --db`, POST /v1/screen).
  std::vector<screening::Hit> Screen(const screening::Subject& subject,
                                     const screening::ScreenOptions& options) const;

  struct ListInfo {
    std::string list, version, sha256;
    int64_t entries = 0;
    bool stored = false;  // its entities are in the store (so it is screened against)
  };
  // The current version of every loaded list, by list id.
  std::vector<ListInfo> Lists() const;
  // The entities of the current versions (copies), e.g. to build an index of one's own.
  std::vector<screening::Entity> Entities() const;
  size_t subject_count() const;
  size_t indexed_names() const;
  bool records() const { return signer_.has_value(); }

 private:
  struct Entry {
    ScreenedSubject subject;
    uint64_t generation = 0;  // the index generation it was last screened against
  };
  struct Match {
    std::string subject, subject_hash, label;
    screening::Hit hit;
    Timestamp time;
  };
  // Who a flattened subject part belongs to (re-screens and reverse searches).
  struct Owner {
    std::string id, hash, label, family;
  };
  struct Loaded {
    ListInfo info;
    std::vector<screening::Entity> entities;
  };

  Guard(ledger::Ledger& ledger, store::Store& lists, std::optional<crypto::SignerKey> signer,
        GuardOptions options);
  Status ReadSubjects();
  // Loads `info`'s entities (when stored) as the list's current version; rebuilds the
  // index. Returns the entities that changed from the previous version (ADD and MOD).
  Result<std::vector<screening::Entity>> Install(const ListInfo& info, GuardReport& report);
  void Rebuild();
  std::vector<Match> ScreenSubject(const ScreenedSubject& s, Timestamp time, int min_score) const;
  // Every part of every subject, and whom each belongs to (for ReverseScreen/ScreenBatch).
  void Flatten(std::vector<screening::Subject>& parts, std::vector<Owner>& owners) const;
  // Records that every subject was screened against index `generation`.
  void MarkScreened(uint64_t generation);
  // True when a person's known family name is not in the listed name that matched: in
  // Arabic naming the given, father's and grandfather's names are shared by many, the
  // family name tells people apart, so such a match does not count.
  bool FamilyMissing(const std::string& family, const screening::Hit& hit) const;
  // Matches -> signed screening.hit lines not yet recorded (checked against the state).
  std::vector<std::string> HitLines(const std::vector<Match>& matches, GuardReport& report,
                                    std::set<std::string>& planned) const;
  void Register(const ScreenedSubject& s, uint64_t generation);
  // Submits hit lines on their own (after a list load or in a re-screen).
  void SubmitHits(const std::vector<std::string>& lines, GuardReport& report);
  int64_t ReviewLevel() const;

  ledger::Ledger& ledger_;
  store::Store& lists_;
  std::optional<crypto::SignerKey> signer_;
  GuardOptions options_;
  screening::Normalizer normalizer_;

  mutable std::shared_mutex mu_;  // guards subjects_, loaded_
  std::map<std::string, Entry, std::less<>> subjects_;
  std::map<std::string, Loaded, std::less<>> loaded_;
  screening::IndexHandle index_;
  std::atomic<uint64_t> generation_{0};
  std::mutex load_mu_;  // one list load at a time
};

}  // namespace aidtrace::guard
