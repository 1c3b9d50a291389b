// State queries: the read side of the mechanism's books as JSON, with the access rules
// of docs/API.md applied row by row (a vendor sees its own warehouses, a donor its own
// commitments...), then generic filters, sorting and paging. Runs inside
// Ledger::ReadState, so it must not block: private records are attached afterwards.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "json/json.h"
#include "mechanism/directory.h"
#include "server/log_index.h"

namespace aidtrace::server {

struct Viewer;

using Params = std::vector<std::pair<std::string, std::string>>;

struct QueryInput {
  const mechanism::Directory& dir;
  const LogIndex& index;
  const Viewer& viewer;
  const Params& params;
  std::string_view id;  // the {id} of the path, if any
  size_t default_page = 100;
  size_t max_page = 1000;
};

// Runs the query of route `pattern` (e.g. "/v1/projects/{id}"). Errors: kForbidden
// (the viewer's role may not read it), kNotFound (no such id), kInvalidArgument (a bad
// parameter). Rows of /v1/beneficiaries* carry "registered_seq" for the caller to attach
// private records (only for viewers with personal_data).
Result<json::Value> RunQuery(std::string_view pattern, const QueryInput& in);

// The roles that see everything but personal data (the "all" column of docs/API.md).
bool SeesAll(std::string_view role);

}  // namespace aidtrace::server
