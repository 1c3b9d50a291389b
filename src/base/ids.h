// Identifiers chosen by submitters (party, project, item, warehouse...):
// `[a-z0-9][a-z0-9._-]{0,63}` (MECHANISM.md). Pure; thread-safe.
#pragma once

#include <string_view>

namespace aidtrace {

bool IsValidId(std::string_view id);

// Event type names: dot-separated lowercase words, e.g. "material.release".
bool IsValidTypeName(std::string_view type);

}  // namespace aidtrace
