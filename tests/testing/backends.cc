#include "testing/backends.h"

namespace aidtrace::testing {

const std::vector<StoreBackend>& StoreBackends() {
  static const std::vector<StoreBackend> kBackends = {
      {"sqlite", [](const std::string& dir) { return dir + "/log.db"; }},
  };
  return kBackends;
}

}  // namespace aidtrace::testing
