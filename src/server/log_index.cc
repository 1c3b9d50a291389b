#include "server/log_index.h"

#include <algorithm>
#include <mutex>

#include <fmt/format.h>

namespace aidtrace::server {
namespace {

std::string Str(const json::Value& o, const char* key) {
  if (!o.is_object()) return {};
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

LogIndex::Entry LogIndex::Extract(const json::Value& envelope) {
  Entry e;
  const std::string type = Str(envelope, "type");
  auto body_it = envelope.find("body");
  if (body_it == envelope.end() || !body_it->is_object()) return e;
  const json::Value& body = *body_it;
  auto project = [&](std::string id) {
    if (!id.empty() && std::find(e.projects.begin(), e.projects.end(), id) == e.projects.end()) {
      e.projects.push_back(std::move(id));
    }
  };
  if (type == "mechanism.genesis") {
    if (auto it = body.find("parties"); it != body.end() && it->is_array()) {
      for (const auto& p : *it) e.ids.emplace_back(Kind::kParty, Str(p, "party"));
    }
  } else if (type == "party.admit") {
    e.ids.emplace_back(Kind::kParty, Str(body, "party"));
  } else if (type == "screening.hit") {
    e.ids.emplace_back(Kind::kHit, Str(body, "hit"));
  } else if (type == "alert.raise") {
    e.ids.emplace_back(Kind::kAlert, Str(body, "alert"));
    project(Str(body, "subject"));  // kept only when the subject is a project (see Add)
  } else if (type == "case.open") {
    e.ids.emplace_back(Kind::kCase, Str(body, "case"));
  } else if (type == "appeal.file") {
    e.ids.emplace_back(Kind::kAppeal, Str(body, "appeal"));
  } else if (type == "beneficiary.register") {
    e.beneficiary = Str(body, "beneficiary");
  } else if (type == "funds.commit" || type == "funds.disburse" || type == "condition.attest") {
    e.commitment = Str(body, "commitment");
  } else if (type == "material.release") {
    project(Str(body, "to"));
  } else if (type == "material.verify") {
    project(Str(body, "recipient"));
  } else if (type == "consignment.request") {
    if (auto it = body.find("lines"); it != body.end() && it->is_array()) {
      for (const auto& l : *it) project(Str(l, "for"));
    }
  }
  project(Str(body, "project"));
  return e;
}

Status LogIndex::CatchUp(const ledger::Ledger& ledger) {
  std::lock_guard one(catch_up_mu_);
  const uint64_t size = ledger.Size();
  uint64_t from;
  std::set<uint64_t> ahead;
  {
    std::shared_lock lock(mu_);
    if (scanned_ >= size) return Status::Ok();
    from = scanned_;
    ahead = ahead_;
  }
  auto add = [&](uint64_t seq, std::string_view data) {
    if (ahead.contains(seq)) return Status::Ok();
    auto leaf = json::Parse(data);
    if (!leaf.ok() || !leaf->is_object() || !leaf->contains("event")) {
      return Status(ErrorCode::kCorrupt, fmt::format("leaf {} is not a leaf", seq));
    }
    const Entry e = Extract(leaf->at("event"));
    std::unique_lock lock(mu_);
    AddLocked(seq, e);
    return Status::Ok();
  };
  if (ahead.empty() || size - from > 4 * ahead.size()) {
    RETURN_IF_ERROR(ledger.ScanLeaves(from, size, add));
  } else {
    // Mostly indexed already (by Add): read only the missing leaves.
    for (uint64_t seq = from; seq < size; ++seq) {
      if (ahead.contains(seq)) continue;
      ASSIGN_OR_RETURN(std::string data, ledger.Leaf(seq));  // the bytes ScanLeaves gives
      RETURN_IF_ERROR(add(seq, data));
    }
  }
  std::unique_lock lock(mu_);
  scanned_ = std::max(scanned_, size);
  ahead_.erase(ahead_.begin(), ahead_.lower_bound(scanned_));
  return Status::Ok();
}

void LogIndex::Add(uint64_t seq, const Entry& entry) {
  std::unique_lock lock(mu_);
  AddLocked(seq, entry);
  if (seq == scanned_) {
    ++scanned_;
    while (!ahead_.empty() && *ahead_.begin() == scanned_) {
      ahead_.erase(ahead_.begin());
      ++scanned_;
    }
  } else if (seq > scanned_) {
    ahead_.insert(seq);
  }
}

void LogIndex::AddLocked(uint64_t seq, const Entry& e) {
  auto add_seq = [&](const std::string& project) {
    auto& v = projects_[project];
    auto it = std::lower_bound(v.begin(), v.end(), seq);
    if (it == v.end() || *it != seq) v.insert(it, seq);
  };
  for (size_t i = 0; i < e.ids.size(); ++i) {
    const auto& [kind, id] = e.ids[i];
    if (!id.empty()) ids_[static_cast<size_t>(kind)].emplace(std::make_pair(seq, i), id);
  }
  std::vector<std::string> projects = e.projects;
  if (!e.commitment.empty()) {
    if (!projects.empty()) {
      commitment_project_.emplace(e.commitment, projects.front());  // funds.commit
    } else if (auto it = commitment_project_.find(e.commitment); it != commitment_project_.end()) {
      projects.push_back(it->second);
    }
  }
  for (const auto& p : projects) add_seq(p);
  if (!e.beneficiary.empty()) beneficiaries_.emplace(e.beneficiary, seq);
  events_ = std::max(events_, seq + 1);
}

std::vector<uint64_t> LogIndex::ProjectEvents(std::string_view project) const {
  std::shared_lock lock(mu_);
  auto it = projects_.find(project);
  return it == projects_.end() ? std::vector<uint64_t>() : it->second;
}

std::vector<std::string> LogIndex::Ids(Kind kind) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [seq, id] : ids_[static_cast<size_t>(kind)]) out.push_back(id);
  return out;
}

std::optional<uint64_t> LogIndex::BeneficiarySeq(std::string_view beneficiary) const {
  std::shared_lock lock(mu_);
  auto it = beneficiaries_.find(beneficiary);
  if (it == beneficiaries_.end()) return std::nullopt;
  return it->second;
}

uint64_t LogIndex::events() const {
  std::shared_lock lock(mu_);
  return events_;
}

}  // namespace aidtrace::server
