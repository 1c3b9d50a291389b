// Views: what the state holds about one party, project, warehouse, beneficiary or the funds
// of one party or project, as JSON, for `aidtrace show` (and any reader that wants the same
// shapes). Views never contain personal data: a view names the event whose private record
// holds it (`private_seq`), and the caller decides whether to fetch it.
//
// Thread safety: read the directory only while nothing is being sequenced (book.h).
#pragma once

#include <optional>
#include <string_view>

#include "json/json.h"
#include "mechanism/directory.h"

namespace aidtrace::mechanism {

// Each returns nullopt when the state has no such id.
std::optional<json::Value> PartyJson(const Directory& d, std::string_view id);
std::optional<json::Value> ProjectJson(const Directory& d, std::string_view id);
std::optional<json::Value> WarehouseJson(const Directory& d, std::string_view id);
std::optional<json::Value> BeneficiaryJson(const Directory& d, std::string_view id);
// The funds of a project (per currency: committed, disbursed, paid; its commitments with
// their conditions; its payments) or of a party (as donor: pledges and commitments; as
// implementer: what it holds per project; as payee: what it received).
std::optional<json::Value> FundsJson(const Directory& d, std::string_view id);
// The whole programme at a glance: counts; per item approved (bills of quantities and
// entitlements), entered, in stock, released and verified; funds by stage per currency;
// alerts by kind and status; screening hits and cases by status.
json::Value SummaryJson(const Directory& d);

}  // namespace aidtrace::mechanism
