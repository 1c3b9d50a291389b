// Who the mechanism screens, read from its events: a party (its name, registration and
// country, and each principal of its private record) and a household (the head's names in
// Latin and Arabic script, birth date and id number, from the private record of
// beneficiary.register). One ScreenedSubject per party or household id; its `hash` is the
// SHA-256 of everything screened, so a change of a subject's data is seen as a change of
// hash (a cleared hit then reopens).
//
// Thread safety: values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json/json.h"
#include "screening/index.h"

namespace aidtrace::guard {

struct ScreenedSubject {
  std::string id;    // the party or beneficiary id (screening.hit's `subject`)
  std::string kind;  // "party" or "beneficiary"
  // What is screened: for a party the organisation and then each principal; for a
  // household its head. labels[i] says which (in explanations).
  std::vector<screening::Subject> parts;
  std::vector<std::string> labels;
  // A person's family name in Latin script (empty when unknown, and for organisations):
  // a listed name must carry it for a match to count (see Guard).
  std::vector<std::string> family;
  std::string hash;  // "sha256:..." of the canonical JSON of `parts`
};

// The subject an event adds: party.admit (with its private record, when there is one) or
// beneficiary.register (the private record is needed: without it nullopt). nullopt for
// every other type and for bodies the rules would refuse anyway.
std::optional<ScreenedSubject> SubjectOf(std::string_view type, const json::Value& body,
                                         const json::Value* private_record);

}  // namespace aidtrace::guard
