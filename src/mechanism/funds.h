// FundsBook: pledges, commitments and their conditions, disbursements and payments.
// Handles: funds.pledge, funds.commit, condition.attest, funds.disburse, funds.pay. See book.h
// for the contract every book keeps, and docs/EVENTS.md ("Funds") for the rules.
//
// Balances are kept per currency (an amount in a currency with no balance meets a balance of
// 0). Projects and their budgets live in the materials book and are read through ctx.materials;
// screening blocks are read through ctx.enforcement.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mechanism/book.h"

namespace aidtrace::mechanism {

class FundsBook {
 public:
  // Amounts per currency.
  using Amounts = std::map<std::string, int64_t, std::less<>>;

  struct Pledge {
    std::string donor;
    std::string currency;
    int64_t amount = 0;
    std::string purpose;
  };
  // A donor's totals in one currency.
  struct DonorTotals {
    int64_t pledged = 0;
    int64_t committed = 0;
  };
  struct Condition {
    std::string condition;
    std::string text;
    std::vector<std::string> of;  // the attesters, sorted
    int64_t k = 0;
    std::set<std::string, std::less<>> attested;
    bool met = false;  // once k attesters have attested (final)
  };
  struct Commitment {
    std::string donor;
    std::string project;
    std::string currency;
    int64_t amount = 0;
    int64_t disbursed = 0;
    std::vector<Condition> conditions;  // in body order
  };
  // A project's funds in one currency.
  struct ProjectFunds {
    int64_t committed = 0;
    int64_t disbursed = 0;
    int64_t paid = 0;
  };
  struct Disbursement {
    std::string commitment;
    std::string to;
    std::string currency;
    int64_t amount = 0;
  };
  struct Payment {
    std::string project;
    std::string payee;
    std::string currency;
    int64_t amount = 0;
    std::string invoice;
  };

  // Applies ctx.env when its type belongs to this book: the rules' verdict (nothing
  // changed unless OK). nullopt when the type is not this book's.
  std::optional<Status> Apply(const EventContext& ctx);

  // Deterministic JSON of the whole book, and its inverse (unchanged on error).
  json::Value Snapshot() const;
  Status Restore(const json::Value& snapshot);

  // Read access (see book.h for when reading is safe).
  const std::map<std::string, Pledge, std::less<>>& pledges() const { return pledges_; }
  // donor -> currency -> totals.
  const std::map<std::string, std::map<std::string, DonorTotals, std::less<>>, std::less<>>&
  donors() const {
    return donors_;
  }
  const std::map<std::string, Commitment, std::less<>>& commitments() const { return commitments_; }
  // project -> currency -> funds.
  const std::map<std::string, std::map<std::string, ProjectFunds, std::less<>>, std::less<>>&
  project_funds() const {
    return project_funds_;
  }
  // implementer -> project -> currency -> held (disbursed to it minus paid out).
  const std::map<std::string, std::map<std::string, Amounts, std::less<>>, std::less<>>& holdings()
      const {
    return holdings_;
  }
  // payee -> currency -> received.
  const std::map<std::string, Amounts, std::less<>>& received() const { return received_; }
  const std::map<std::string, Disbursement, std::less<>>& disbursements() const {
    return disbursements_;
  }
  const std::map<std::string, Payment, std::less<>>& payments() const { return payments_; }

  // What `implementer` holds for `project` in `currency` (0 when none).
  int64_t Held(std::string_view implementer, std::string_view project,
               std::string_view currency) const;

 private:
  Status FundsPledge(const EventContext& ctx);
  Status FundsCommit(const EventContext& ctx);
  Status ConditionAttest(const EventContext& ctx);
  Status FundsDisburse(const EventContext& ctx);
  Status FundsPay(const EventContext& ctx);

  std::map<std::string, Pledge, std::less<>> pledges_;
  std::map<std::string, std::map<std::string, DonorTotals, std::less<>>, std::less<>> donors_;
  std::map<std::string, Commitment, std::less<>> commitments_;
  std::map<std::string, std::map<std::string, ProjectFunds, std::less<>>, std::less<>>
      project_funds_;
  std::map<std::string, std::map<std::string, Amounts, std::less<>>, std::less<>> holdings_;
  std::map<std::string, Amounts, std::less<>> received_;
  std::map<std::string, Disbursement, std::less<>> disbursements_;
  std::map<std::string, Payment, std::less<>> payments_;
};

}  // namespace aidtrace::mechanism
