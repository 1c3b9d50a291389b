// Access to ../shared (spec, vectors, data) for tests, through one setting: the
// AIDTRACE_SHARED_DIR environment variable, else the CMake setting of the same name.
// When the folder is absent a test skips with a loud banner, or fails when
// AIDTRACE_REQUIRE_SHARED=1 (CI sets it).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace aidtrace::testing {

std::filesystem::path SharedDir();
// Reads a whole file; fails the test when it cannot.
std::string ReadFileOrDie(const std::filesystem::path& path);
bool SharedRequired();

}  // namespace aidtrace::testing

// Skips (loudly) or fails the current test when `relative` under shared/ is missing.
#define AIDTRACE_REQUIRE_SHARED(relative)                                       \
  do {                                                                          \
    const auto aidtrace_p_ = ::aidtrace::testing::SharedDir() / (relative);     \
    if (!std::filesystem::exists(aidtrace_p_)) {                                \
      if (::aidtrace::testing::SharedRequired()) {                              \
        FAIL() << "shared data missing: " << aidtrace_p_;                       \
      }                                                                         \
      GTEST_SKIP() << "\n*** SHARED DATA ABSENT: " << aidtrace_p_               \
                   << " -- set AIDTRACE_SHARED_DIR; this test did NOT run ***"; \
    }                                                                           \
  } while (0)
