#include "detect/observer.h"

namespace aidtrace::detect {

ObservingState::ObservingState(Options options, PrivateFn private_of)
    : engine_(options), private_of_(std::move(private_of)) {}

Status ObservingState::Apply(const event::Submission& sub, const ledger::ApplyContext& ctx) {
  RETURN_IF_ERROR(directory_.Apply(sub, ctx));
  const json::Value* record = sub.private_record.has_value() ? &*sub.private_record : nullptr;
  std::optional<json::Value> fetched;
  if (record == nullptr && private_of_ && sub.envelope.type == "beneficiary.register") {
    fetched = private_of_(ctx.seq);
    if (fetched.has_value()) record = &*fetched;
  }
  pending_.clear();
  engine_.Observe({sub.envelope, ctx.seq, directory_, record}, pending_);
  ++observed_;
  if (sub.envelope.type != "alert.raise" && sub.envelope.time > latest_) {
    latest_ = sub.envelope.time;
  }
  if (!pending_.empty()) {
    std::lock_guard lock(mu_);
    for (auto& f : pending_) found_.push_back(std::move(f));
  }
  return Status::Ok();
}

void ObservingState::Finish(std::optional<Timestamp> now) {
  pending_.clear();
  engine_.Finish(now.value_or(latest_), directory_, pending_);
  std::lock_guard lock(mu_);
  for (auto& f : pending_) found_.push_back(std::move(f));
}

std::vector<Finding> ObservingState::TakeFindings() {
  std::lock_guard lock(mu_);
  return std::exchange(found_, {});
}

const mechanism::Directory* DirectoryOf(const ledger::StateMachine& sm) {
  if (const auto* d = dynamic_cast<const mechanism::Directory*>(&sm)) return d;
  if (const auto* o = dynamic_cast<const ObservingState*>(&sm)) return &o->directory();
  return nullptr;
}

}  // namespace aidtrace::detect
