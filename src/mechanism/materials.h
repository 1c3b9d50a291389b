// MaterialsBook: items, warehouses, projects, beneficiaries, consignments, stock, releases,
// inspections and counts. Handles: item.define, warehouse.register, project.*,
// beneficiary.register, consignment.*, stock.transfer, material.release, material.verify,
// stock.count. See book.h for the contract every book keeps, and docs/EVENTS.md for the rules.
#pragma once

#include <optional>

#include "mechanism/book.h"

namespace aidtrace::mechanism {

class MaterialsBook {
 public:
  // Applies ctx.env when its type belongs to this book: the rules' verdict (nothing
  // changed unless OK). nullopt when the type is not this book's.
  std::optional<Status> Apply(const EventContext& ctx);

  // Deterministic JSON of the whole book, and its inverse (unchanged on error).
  json::Value Snapshot() const;
  Status Restore(const json::Value& snapshot);
};

}  // namespace aidtrace::mechanism
