#include "server/programme.h"

#include <fmt/format.h>

#include "crypto/sha256.h"
#include "event/envelope.h"

namespace aidtrace::testing {
namespace {

const json::Value kLocation = {{"lat_e6", 31287000}, {"lon_e6", 34250000}};

}  // namespace

std::string Programme::Transfer(size_t n) const {
  const Actor& v = actors.at("vendor-al-amal");
  return SignedLine(MakeEnvelope("stock.transfer", v.id, fmt::format("tr-{}", n),
                                 {{"transfer", fmt::format("tr-{:06}", n)},
                                  {"from", "wh-gaza-01"},
                                  {"to", "wh-gaza-02"},
                                  {"lines", {{{"item", "cement"}, {"quantity", 1}}}}}),
                    {&v});
}

Programme MakeProgramme() {
  Programme p;
  uint64_t seed = 1;
  for (const char* id : {"un-mmu", "pa-mopwh", "cogat", "donor-group", "vendor-al-amal", "vendor-b",
                         "undp", "insp-01", "auditor-1"}) {
    p.actors.emplace(id, MakeActor(id, seed++));
  }
  const Actor& mmu = p["un-mmu"];
  const Actor& pa = p["pa-mopwh"];
  const Actor& cogat = p["cogat"];
  const Actor& donor = p["donor-group"];
  const Actor& vendor = p["vendor-al-amal"];
  const Actor& vendor_b = p["vendor-b"];
  const Actor& undp = p["undp"];
  const Actor& insp = p["insp-01"];
  const Actor& auditor = p["auditor-1"];
  auto line = [&](const std::string& type, const Actor& actor, const std::string& nonce,
                  json::Value body, std::vector<const Actor*> cosigners = {},
                  const json::Value* priv = nullptr) {
    std::vector<const Actor*> signers = {&actor};
    signers.insert(signers.end(), cosigners.begin(), cosigners.end());
    p.lines.push_back(
        SignedLine(MakeEnvelope(type, actor.id, nonce, std::move(body)), signers, priv));
  };

  json::Value parties = json::Value::array();
  for (const auto& [a, roles] : std::vector<std::pair<const Actor*, std::vector<std::string>>>{
           {&mmu, {"governor", "monitor"}},
           {&pa, {"authority", "governor"}},
           {&cogat, {"authority", "governor"}},
           {&donor, {"donor", "governor"}}}) {
    parties.push_back(
        {{"party", a->id}, {"name", "Founder " + a->id}, {"roles", roles}, {"keys", {a->vkey}}});
  }
  json::Value policy = {
      {"governance", {{"of", {"cogat", "donor-group", "pa-mopwh", "un-mmu"}}, {"k", 3}}},
      {"project_approval", {{"default", {{"of", {"cogat", "pa-mopwh"}}, {"k", 2}}}}},
      {"consignment_approval", {{"of", {"cogat"}}, {"k", 1}}}};
  line("mechanism.genesis", mmu, "genesis",
       {{"mechanism", "test"}, {"name", "Test"}, {"parties", parties}, {"policy", policy}},
       {&pa, &cogat, &donor});
  line("item.define", mmu, "i-cement",
       {{"item", "cement"},
        {"name", "Portland cement"},
        {"unit", "kg"},
        {"hs", "252329"},
        {"controlled", true}},
       {&pa, &cogat});
  auto admit = [&](const Actor& a, const std::string& role, std::vector<const Actor*> co = {}) {
    line("party.admit", mmu, "admit-" + a.id,
         {{"party", a.id},
          {"name", "Party " + a.id},
          {"roles", {role}},
          {"keys", {a.vkey}},
          {"country", "ps"},
          {"registration", "r-" + a.id}},
         std::move(co));
  };
  admit(vendor, "vendor");
  admit(vendor_b, "vendor");
  admit(undp, "implementer");
  admit(insp, "inspector");
  admit(auditor, "auditor", {&pa, &cogat});
  for (const auto& [wh, v] : std::vector<std::pair<std::string, const Actor*>>{
           {"wh-gaza-01", &vendor}, {"wh-gaza-02", &vendor}, {"wh-b", &vendor_b}}) {
    line("warehouse.register", mmu, "w-" + wh,
         {{"warehouse", wh}, {"vendor", v->id}, {"area", "ps0275"}, {"location", kLocation}});
  }
  auto propose = [&](const std::string& id, int64_t qty) {
    line("project.propose", undp, "p-" + id,
         {{"project", id},
          {"title", "Project " + id},
          {"category", "education"},
          {"sector", "11220"},
          {"area", "ps0275"},
          {"location", kLocation},
          {"budget", {{"currency", "USD"}, {"amount", 250000}}},
          {"boq", {{{"item", "cement"}, {"quantity", qty}}}}});
  };
  propose("school-rafah-07", 40000);
  line("project.approve", pa, "a1", {{"project", "school-rafah-07"}, {"reason", "ok"}});
  line("project.approve", cogat, "a2", {{"project", "school-rafah-07"}, {"reason", "ok"}});
  propose("clinic-2", 1000);  // stays pending: a pending decision
  propose("road-3", 1000);
  line("project.reject", cogat, "rej-road-3", {{"project", "road-3"}, {"reason", "dual use"}});
  // Signatures are deterministic, so the reject's event id is known now.
  const std::string reject_id =
      crypto::FormatTaggedHash(event::DecodeSubmission(p.lines.back()).value().envelope.id);
  line("consignment.request", vendor, "c1",
       {{"consignment", "cons-0042"},
        {"warehouse", "wh-gaza-01"},
        {"lines", {{{"item", "cement"}, {"quantity", 40000}, {"for", "school-rafah-07"}}}}});
  line("consignment.approve", cogat, "ca1", {{"consignment", "cons-0042"}});
  line("consignment.enter", cogat, "ce1",
       {{"consignment", "cons-0042"},
        {"crossing", "kerem-shalom"},
        {"lines", {{{"item", "cement"}, {"quantity", 40000}}}}});
  line("material.release", vendor, "r1",
       {{"release", "rel-1"},
        {"warehouse", "wh-gaza-01"},
        {"to", "school-rafah-07"},
        {"lines", {{{"item", "cement"}, {"quantity", 10000}}}}});
  line("material.verify", insp, "v1",
       {{"inspection", "ins-1"},
        {"recipient", "school-rafah-07"},
        {"lines", {{{"item", "cement"}, {"quantity", 10000}}}},
        {"result", "installed"},
        {"photos", {"sha256:1111111111111111111111111111111111111111111111111111111111111111"}},
        {"location", kLocation}});
  line("funds.pledge", donor, "pl1",
       {{"pledge", "pl-1"},
        {"amount", {{"currency", "USD"}, {"amount", 1000000}}},
        {"purpose", "schools"}});
  line("funds.commit", donor, "cm1",
       {{"commitment", "cm-1"},
        {"project", "school-rafah-07"},
        {"amount", {{"currency", "USD"}, {"amount", 200000}}},
        {"conditions", json::Value::array()}});
  line("funds.disburse", donor, "d1",
       {{"disbursement", "d-1"},
        {"commitment", "cm-1"},
        {"to", "undp"},
        {"amount", {{"currency", "USD"}, {"amount", 100000}}}});
  line("funds.pay", undp, "pay1",
       {{"payment", "pay-1"},
        {"project", "school-rafah-07"},
        {"payee", "vendor-al-amal"},
        {"amount", {{"currency", "USD"}, {"amount", 30000}}},
        {"invoice", "inv-77"}});
  // Personal data: planted names that must never reach a role without permission.
  p.names = {"Zubaida", "Qasrawi-Haddad", "901234567"};
  const json::Value priv = {{"salt", "F0n3rj+Ix5RAluB7zxUPmz/X"},
                            {"names", {{"given", "Zubaida"}, {"family", "Qasrawi-Haddad"}}},
                            {"id_number", "901234567"}};
  line("beneficiary.register", mmu, "ben-1",
       {{"beneficiary", "hh-1"},
        {"area", "ps0275"},
        {"household_size", 7},
        {"damage", "major"},
        {"entitlement", {{{"item", "cement"}, {"quantity", 500}}}},
        {"pii", crypto::FormatTaggedHash(crypto::Sha256(json::Canonical(priv).value()))}},
       {}, &priv);
  line("watchlist.load", mmu, "wl1",
       {{"list", "un-sc"},
        {"version", "2026-02"},
        {"sha256", "sha256:0000000000000000000000000000000000000000000000000000000000000000"},
        {"entries", 1000}});
  line("screening.hit", mmu, "hit1",
       {{"hit", "h-1"},
        {"subject", "vendor-b"},
        {"list", "un-sc"},
        {"entry", "QDi.001"},
        {"score", 720},
        {"algorithm", "name-match.v2"},
        {"explanation", "alias match"}});
  line("alert.raise", mmu, "al1",
       {{"alert", "a-1"},
        {"kind", "other"},
        {"subject", "school-rafah-07"},
        {"severity", "low"},
        {"evidence", json::Value::array()},
        {"detail", "tip"}});
  line("case.open", mmu, "case1", {{"case", "c-1"}, {"alerts", {"a-1"}}});
  line("appeal.file", undp, "ap-1",
       {{"appeal", "ap-1"}, {"subject", reject_id}, {"text", "the standard design"}});
  p.role_parties = {{"un-mmu", "governor"},   {"pa-mopwh", "authority"},   {"un-mmu", "monitor"},
                    {"auditor-1", "auditor"}, {"insp-01", "inspector"},    {"donor-group", "donor"},
                    {"undp", "implementer"},  {"vendor-al-amal", "vendor"}};
  return p;
}

}  // namespace aidtrace::testing
