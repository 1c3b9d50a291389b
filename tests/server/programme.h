// A small but complete programme for the server's tests and benchmarks: four founders,
// vendors, an implementer, an inspector, an auditor, items, warehouses, projects (one
// approved, one pending, one rejected and appealed), a consignment through to release and
// verification, funds, a household with a private record (planted names), screening, an
// alert in a case. Built with tests/testing/events.h (signed, deterministic keys).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "json/json.h"
#include "testing/events.h"

namespace aidtrace::testing {

struct Programme {
  std::map<std::string, Actor> actors;  // by party id
  // Each line is one signed submission; `names` are the personal data planted in
  // private records (never to be seen by roles without permission).
  std::vector<std::string> lines;
  std::vector<std::string> names;
  // The party and role of a token for each role of the mechanism.
  std::vector<std::pair<std::string, std::string>> role_parties;

  const Actor& operator[](const std::string& id) const { return actors.at(id); }
  // A signed stock.transfer of 1 kg of cement from wh-gaza-01 to wh-gaza-02 (n-th).
  std::string Transfer(size_t n) const;
};

Programme MakeProgramme();

}  // namespace aidtrace::testing
