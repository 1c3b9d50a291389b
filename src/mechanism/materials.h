// MaterialsBook: items, warehouses, projects, beneficiaries, consignments, stock, releases,
// inspections and counts. Handles: item.define, warehouse.register, project.*,
// beneficiary.register, consignment.*, stock.transfer, material.release, material.verify,
// stock.count. See book.h for the contract every book keeps, and docs/EVENTS.md for the rules.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mechanism/book.h"

namespace aidtrace::mechanism {

class MaterialsBook {
 public:
  // Quantities per item id.
  using Quantities = std::map<std::string, int64_t, std::less<>>;

  struct Item {
    std::string name;
    std::string unit;
    std::string hs;
    bool controlled = false;
  };
  struct Location {
    int64_t lat_e6 = 0;
    int64_t lon_e6 = 0;
  };
  struct Warehouse {
    std::string vendor;
    std::string area;
    Location location;
  };
  // An approval round: a proposal or an amendment, and the decisions so far.
  struct Round {
    std::string kind;  // "proposal" or "amendment"
    Quantities boq_add;
    int64_t budget_add = 0;
    std::set<std::string, std::less<>> approvals;
    std::set<std::string, std::less<>> rejections;
    std::string opened;    // log time
    std::string deadline;  // log time + decision_sla_days
  };
  struct Project {
    std::string implementer;
    std::string title;
    std::string category;
    std::string sector;
    std::string area;
    Location location;
    std::string status;  // proposed, approved, suspended, completed, closed, rejected
    std::string currency;
    int64_t proposed_budget = 0;  // as proposed
    Quantities proposed_boq;
    int64_t budget = 0;  // approved
    Quantities boq;      // approved
    std::optional<Round> round;
    std::optional<Round> failed_round;  // the last round rejected, until approved or appealed
    std::string suspended_by;           // the project.suspend in force, while suspended
    Quantities allocated;               // held in consignment lines (requested or approved)
    Quantities released;
    Quantities verified;
  };
  struct Beneficiary {
    std::string area;
    int64_t household_size = 0;
    std::string damage;
    Quantities entitlement;
    Quantities released;
    Quantities verified;
    std::string pii;
    uint64_t seq = 0;  // the beneficiary.register event (its private record sits beside it)
  };
  struct ConsignmentLine {
    std::string item;
    std::string for_;  // project id or "households"
    int64_t requested = 0;
    std::string status;  // requested, approved, refused
    int64_t approved = 0;
  };
  struct Consignment {
    std::string vendor;
    std::string warehouse;
    std::vector<ConsignmentLine> lines;
    Quantities entered;
    std::string opened;
    std::string deadline;  // empty when no line is requested
  };
  struct Count {
    std::string count;  // the stock.count id
    int64_t quantity = 0;
    int64_t book = 0;  // the book at that moment
    std::string logged;
  };
  struct Stock {
    int64_t book = 0;
    std::optional<Count> last_count;
  };
  struct Release {
    std::string warehouse;
    std::string to;
    std::string logged;
    Quantities lines;
  };

  // A decision of this book that appeal.file may name: project.reject (of the round it
  // decided), project.suspend, consignment.approve that refused lines.
  struct DecisionRecord {
    std::string type;
    std::string target;         // project or consignment id
    std::string round_opened;   // project.reject: when the round it decided opened
    std::vector<size_t> lines;  // consignment.approve: the lines it refused
  };

  // Applies ctx.env when its type belongs to this book: the rules' verdict (nothing
  // changed unless OK). nullopt when the type is not this book's.
  std::optional<Status> Apply(const EventContext& ctx);

  // The decision made by event `event_id`, as it stands now; nullopt when it is not one of
  // this book's appealable decisions.
  std::optional<Decision> FindDecision(std::string_view event_id) const;
  // Overturns that decision (appeal.decide): a rejected round opens again with a fresh
  // deadline, a suspended project resumes, refused lines are requested again (if they
  // still fit the allowance). Nothing changes on error.
  Status Overturn(std::string_view event_id, const EventContext& ctx);

  // Deterministic JSON of the whole book, and its inverse (unchanged on error).
  json::Value Snapshot() const;
  Status Restore(const json::Value& snapshot);

  // Read access (see book.h for when reading is safe).
  const std::map<std::string, Item, std::less<>>& items() const { return items_; }
  const std::map<std::string, Warehouse, std::less<>>& warehouses() const { return warehouses_; }
  const std::map<std::string, Project, std::less<>>& projects() const { return projects_; }
  const std::map<std::string, Beneficiary, std::less<>>& beneficiaries() const {
    return beneficiaries_;
  }
  const std::map<std::string, Consignment, std::less<>>& consignments() const {
    return consignments_;
  }
  // warehouse -> item -> stock.
  const std::map<std::string, std::map<std::string, Stock, std::less<>>, std::less<>>& stock()
      const {
    return stock_;
  }
  const Quantities& households_pool() const { return households_pool_; }
  const std::map<std::string, Release, std::less<>>& releases() const { return releases_; }

 private:
  Status ItemDefine(const EventContext& ctx);
  Status WarehouseRegister(const EventContext& ctx);
  Status ProjectPropose(const EventContext& ctx);
  Status ProjectDecide(const EventContext& ctx, bool approve);
  Status ProjectAmend(const EventContext& ctx);
  Status ProjectStatus(const EventContext& ctx);
  Status BeneficiaryRegister(const EventContext& ctx);
  Status ConsignmentRequest(const EventContext& ctx);
  Status ConsignmentApprove(const EventContext& ctx);
  Status ConsignmentEnter(const EventContext& ctx);
  Status StockTransfer(const EventContext& ctx);
  Status MaterialRelease(const EventContext& ctx);
  Status MaterialVerify(const EventContext& ctx);
  Status StockCount(const EventContext& ctx);

  int64_t Book(std::string_view warehouse, std::string_view item) const;
  // Registered entitlements of `item` not yet released, over every beneficiary.
  int64_t UnreleasedEntitlement(std::string_view item) const;
  // Rebuilds unreleased_ from the beneficiaries (after Restore: it is derived state).
  void RecomputeUnreleased();

  std::map<std::string, Item, std::less<>> items_;
  std::map<std::string, Warehouse, std::less<>> warehouses_;
  std::map<std::string, Project, std::less<>> projects_;
  std::map<std::string, Beneficiary, std::less<>> beneficiaries_;
  std::map<std::string, Consignment, std::less<>> consignments_;
  std::map<std::string, std::map<std::string, Stock, std::less<>>, std::less<>> stock_;
  Quantities households_pool_;
  std::map<std::string, Release, std::less<>> releases_;
  std::set<std::string, std::less<>> transfers_;
  std::set<std::string, std::less<>> inspections_;
  std::set<std::string, std::less<>> counts_;
  std::map<std::string, DecisionRecord, std::less<>> decisions_;  // by event id
  // Per item: registered entitlements not yet released, over every beneficiary (derived:
  // kept up to date by register and release, rebuilt on Restore, not in the snapshot).
  Quantities unreleased_;
};

}  // namespace aidtrace::mechanism
