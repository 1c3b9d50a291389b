#include "guard/subjects.h"

#include <cctype>

#include <fmt/format.h>

#include "crypto/sha256.h"

namespace aidtrace::guard {
namespace {

std::string StringAt(const json::Value& obj, std::string_view key) {
  if (!obj.is_object()) return {};
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A person's names record ({given, father, grandfather, family, arabic}): the Latin full
// name in its written order and the Arabic one; the matcher assumes no order.
std::vector<std::string> PersonNames(const json::Value& names) {
  std::vector<std::string> out;
  std::string latin;
  for (const char* part : {"given", "father", "grandfather", "family"}) {
    const std::string p = StringAt(names, part);
    if (p.empty()) continue;
    if (!latin.empty()) latin += ' ';
    latin += p;
  }
  if (!latin.empty()) out.push_back(std::move(latin));
  if (std::string arabic = StringAt(names, "arabic"); !arabic.empty()) {
    out.push_back(std::move(arabic));
  }
  return out;
}

// The family name of a person record ({"names": {..., "family"}}), without copying it.
std::string FamilyOf(const json::Value& record) {
  const auto names = record.find("names");
  return names == record.end() ? std::string() : StringAt(*names, "family");
}

std::optional<screening::BirthDate> DateOf(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto d = screening::ParseIsoDate(text);
  return d.ok() ? std::optional<screening::BirthDate>(*d) : std::nullopt;
}

std::optional<screening::Subject> Person(const std::string& ref, const json::Value& record) {
  if (!record.is_object()) return std::nullopt;
  const auto names = record.find("names");
  if (names == record.end()) return std::nullopt;
  screening::Subject s;
  s.ref = ref;
  s.names = PersonNames(*names);
  if (s.names.empty()) return std::nullopt;
  s.dob = DateOf(StringAt(record, "birth_date"));
  if (std::string id = StringAt(record, "id_number"); !id.empty()) {
    s.identifiers.push_back(std::move(id));
  }
  s.schema = screening::Schema::kPerson;
  return s;
}

std::string HashOf(const std::vector<screening::Subject>& parts) {
  json::Value doc = json::Value::array();
  for (const auto& p : parts) {
    doc.push_back({{"names", p.names},
                   {"dob", p.dob.has_value() ? p.dob->ToString() : ""},
                   {"country", p.country},
                   {"identifiers", p.identifiers},
                   {"schema", std::string(screening::SchemaName(p.schema))}});
  }
  auto canon = json::Canonical(doc);
  // The parts hold valid UTF-8 (they come from parsed JSON), so this cannot fail.
  return crypto::FormatTaggedHash(crypto::Sha256(canon.ok() ? *canon : std::string()));
}

}  // namespace

std::optional<ScreenedSubject> SubjectOf(std::string_view type, const json::Value& body,
                                         const json::Value* private_record) {
  ScreenedSubject out;
  if (type == "party.admit") {
    out.id = StringAt(body, "party");
    out.kind = "party";
    screening::Subject org;
    org.ref = out.id;
    if (std::string name = StringAt(body, "name"); !name.empty()) org.names.push_back(name);
    if (org.names.empty() || out.id.empty()) return std::nullopt;
    org.country = StringAt(body, "country");
    for (auto& c : org.country) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::string reg = StringAt(body, "registration"); !reg.empty()) {
      org.identifiers.push_back(std::move(reg));
    }
    out.parts.push_back(std::move(org));
    out.labels.emplace_back("organisation");
    out.family.emplace_back();
    if (private_record != nullptr && private_record->is_object()) {
      const auto people = private_record->find("people");
      if (people != private_record->end() && people->is_array()) {
        size_t n = 0;
        for (const auto& person : *people) {
          ++n;
          auto p = Person(out.id, person);
          if (!p.has_value()) continue;
          out.parts.push_back(std::move(*p));
          out.family.push_back(FamilyOf(person));
          const std::string position = StringAt(person, "position");
          out.labels.push_back(position.empty() ? fmt::format("principal {}", n)
                                                : fmt::format("principal {} ({})", n, position));
        }
      }
    }
  } else if (type == "beneficiary.register") {
    if (private_record == nullptr) return std::nullopt;
    out.id = StringAt(body, "beneficiary");
    out.kind = "beneficiary";
    auto head = Person(out.id, *private_record);
    if (out.id.empty() || !head.has_value()) return std::nullopt;
    out.parts.push_back(std::move(*head));
    out.labels.emplace_back("head of household");
    out.family.push_back(FamilyOf(*private_record));
  } else {
    return std::nullopt;
  }
  out.hash = HashOf(out.parts);
  return out;
}

}  // namespace aidtrace::guard
