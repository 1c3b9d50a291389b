#include "testing/shared.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace aidtrace::testing {

std::filesystem::path SharedDir() {
  if (const char* env = std::getenv("AIDTRACE_SHARED_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return AIDTRACE_SHARED_DIR;
}

bool SharedRequired() {
  const char* env = std::getenv("AIDTRACE_REQUIRE_SHARED");
  return env != nullptr && std::string(env) == "1";
}

std::string ReadFileOrDie(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace aidtrace::testing
