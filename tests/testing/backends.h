// The store backends every storage-dependent suite runs against: the store conformance
// suite and the rule cases (so a new backend inherits the whole rule suite by being
// listed here). SQLite always; server backends join when built and reachable.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace aidtrace::testing {

struct StoreBackend {
  std::string name;
  // Where a fresh store lives for a test working in the empty directory `dir`.
  std::function<std::string(const std::string& dir)> location;
};

const std::vector<StoreBackend>& StoreBackends();

}  // namespace aidtrace::testing
