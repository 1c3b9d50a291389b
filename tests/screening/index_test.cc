// The index: candidates, adjustments, explanations, atomic swap, batch and reverse search.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "screening/index.h"

namespace aidtrace::screening {
namespace {

Entity Person(std::string id, std::vector<std::string> names, std::string dob = "",
              std::string nat = "") {
  Entity e;
  e.list = "test";
  e.id = std::move(id);
  e.schema = Schema::kPerson;
  for (size_t i = 0; i < names.size(); ++i) {
    e.names.push_back(
        {names[i], i == 0 ? NameStrength::kPrimary : NameStrength::kStrong, false, {}});
  }
  if (!dob.empty()) e.birth_dates.push_back(*ParseIsoDate(dob));
  if (!nat.empty()) e.nationalities.push_back(nat);
  return e;
}

std::vector<Entity> Fixture() {
  std::vector<Entity> v;
  v.push_back(
      Person("P1", {"Saddam Hussein al-Tikriti", "صدام حسين التكريتي"}, "1937-04-28", "iq"));
  v.push_back(Person("P2", {"Usama bin Laden", "Osama bin Ladin"}, "1957", "sa"));
  v.push_back(Person("P3", {"Muhammad Ali Hassan"}, "1970-01-01", "sy"));
  v.push_back(Person("P4", {"Mahmoud Abbas Khalil"}));
  Entity org;
  org.list = "test";
  org.id = "O1";
  org.schema = Schema::kOrganization;
  org.names.push_back({"Al-Qaida", NameStrength::kPrimary, false, {}});
  org.names.push_back({"The Base", NameStrength::kWeak, false, {}});
  org.identifiers.push_back({"registration", "REG-0042-77", ""});
  v.push_back(org);
  Entity vessel;
  vessel.list = "test";
  vessel.id = "V1";
  vessel.schema = Schema::kVessel;
  vessel.names.push_back({"SEA STAR", NameStrength::kPrimary, false, {}});
  vessel.identifiers.push_back({"imo", "9187629", ""});
  v.push_back(vessel);
  return v;
}

Subject Named(std::string name) {
  Subject s;
  s.names.push_back(std::move(name));
  return s;
}

TEST(Index, FindsByVariantSpellingsAndScript) {
  auto ix = Index::Build(Fixture());
  EXPECT_EQ(ix->name_count(), 9u);
  for (const char* q : {"Osama bin Laden", "LADEN, Usama", "اسامة بن لادن"}) {
    auto hits = ix->Screen(Named(q));
    ASSERT_FALSE(hits.empty()) << q;
    EXPECT_EQ(hits[0].entry, "P2") << q;
    EXPECT_GE(hits[0].score, 900) << q;
  }
  auto s = ix->Screen(Named("صدام حسين التكريتي"));
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0].entry, "P1");
  EXPECT_EQ(s[0].score, 1000);
  auto m = ix->Screen(Named("Mohamed Aly Hasan"));
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0].entry, "P3");
  EXPECT_TRUE(ix->Screen(Named("Mahmoud Ali Hassan")).empty() ||
              ix->Screen(Named("Mahmoud Ali Hassan"))[0].entry != "P4");
  EXPECT_TRUE(ix->Screen(Named("Jane Smith")).empty());
}

TEST(Index, HitCarriesListReferenceAndExplanation) {
  auto ix = Index::Build(Fixture());
  auto hits = ix->Screen(Named("Usama Bin Ladin"));
  ASSERT_FALSE(hits.empty());
  const Hit& h = hits[0];
  EXPECT_EQ(h.list, "test");
  EXPECT_EQ(h.entry, "P2");
  EXPECT_EQ(h.content_hash, ix->entities()[1].ContentHash());
  EXPECT_FALSE(h.aligned.empty());
  EXPECT_NE(h.explanation.find("usama=usama (exact, 1000)"), std::string::npos) << h.explanation;
  EXPECT_NE(h.explanation.find("=lad"), std::string::npos) << h.explanation;
  EXPECT_NE(h.explanation.find("score"), std::string::npos);
}

TEST(Index, BirthDateAndCountryAdjust) {
  auto ix = Index::Build(Fixture());
  Subject s = Named("Muhammad Ali Hassan");
  ScreenOptions all;
  all.min_score = 0;
  int base = ix->Screen(s, all)[0].score;
  s.dob = *ParseIsoDate("1970-01-01");
  int same_day = ix->Screen(s, all)[0].score;
  s.dob = *ParseIsoDate("1990-05-05");
  auto far = ix->Screen(s, all);
  ASSERT_FALSE(far.empty());
  EXPECT_EQ(far[0].entry, "P3");
  EXPECT_EQ(base, 1000);
  EXPECT_EQ(same_day, 1000);
  EXPECT_EQ(far[0].score, 750);
  EXPECT_NE(far[0].explanation.find("differs by 20y -250"), std::string::npos);
  s.dob.reset();
  s.country = "FR";
  auto fr = ix->Screen(s, all);
  EXPECT_EQ(fr[0].score, 940);
  s.country = "Syria";
  EXPECT_EQ(ix->Screen(s, all)[0].score, 1000);
  // Below the review level the hit is dropped by default.
  s.country.clear();
  s.dob = *ParseIsoDate("1990-05-05");
  s.names = {"Muhammad Hassan"};
  for (const auto& h : ix->Screen(s)) EXPECT_GE(h.score, kReviewLevel);
}

TEST(Index, IdentifiersAndWeakAliases) {
  auto ix = Index::Build(Fixture());
  Subject s = Named("Something Else Entirely");
  s.identifiers = {"reg 0042 77"};
  auto hits = ix->Screen(s);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].entry, "O1");
  EXPECT_GE(hits[0].score, 950);
  auto weak = ix->Screen(Named("The Base"), {.min_score = 0});
  ASSERT_FALSE(weak.empty());
  EXPECT_EQ(weak[0].entry, "O1");
  EXPECT_EQ(weak[0].strength, NameStrength::kWeak);
  EXPECT_LT(weak[0].score, 1000);
}

TEST(Index, SchemaFilter) {
  auto ix = Index::Build(Fixture());
  Subject s = Named("Sea Star");
  EXPECT_FALSE(ix->Screen(s).empty());
  s.schema = Schema::kPerson;
  EXPECT_TRUE(ix->Screen(s).empty());
}

TEST(Index, LimitAndOrder) {
  std::vector<Entity> v;
  for (int i = 0; i < 30; ++i) {
    std::string id = "X";
    id += std::to_string(100 + i);  // not "X" + ...: GCC 12 -Wrestrict false positive at -O3
    v.push_back(Person(std::move(id), {"Ali Hassan"}));
  }
  auto ix = Index::Build(v);
  auto hits = ix->Screen(Named("Ali Hassan"), {.min_score = 700, .limit = 5, .candidates = 48});
  ASSERT_EQ(hits.size(), 5u);
  for (size_t i = 1; i < hits.size(); ++i) EXPECT_LT(hits[i - 1].entry, hits[i].entry);
}

// Names the candidate keys must reach although the query does not share a word as
// written: both spellings in the index, words written together, common name pairs,
// organisation acronyms. The index finds what brute force (every name scored) finds.
TEST(Index, FindsWhatBruteForceFinds) {
  std::vector<Entity> v = Fixture();
  v.push_back(Person("S1", {"Salem Ahmad Abdel Hadi SALAMEH"}));
  v.push_back(Person("S2", {"Salek Omar"}));  // "salek" is held as written too
  v.push_back(Person("J1", {"Ali Akbar AHMADIAN"}));
  v.push_back(Person("K1", {"Kangbong Ryu"}));
  for (int i = 0; i < 150; ++i) {
    std::string id = "M";
    id += std::to_string(100 + i);
    v.push_back(Person(std::move(id), {"Mohamed Ahmed Extra"}));  // a very common pair
  }
  v.push_back(Person("M0", {"Muhammad Ahmad"}));
  Entity org;
  org.list = "test";
  org.id = "O2";
  org.schema = Schema::kOrganization;
  org.names.push_back({"PTC GMBH", NameStrength::kPrimary, false, {}});
  v.push_back(org);
  auto ix = Index::Build(v);
  ScreenOptions brute;
  brute.exhaustive = true;
  brute.limit = 1000;
  ScreenOptions fast = {.limit = 1000, .candidates = 8, .max_candidates = 200};
  for (const char* q : {"Salek Abdulhadi", "Ahmad Iman Ali", "Kang Bong Ryu", "Mohammed Ahmad",
                        "Pak To Chun Trading GmbH", "Harsh Urvi Modi"}) {
    std::set<std::string> got;
    for (const auto& h : ix->Screen(Named(q), fast)) got.insert(h.entry);
    for (const auto& h : ix->Screen(Named(q), brute)) {
      EXPECT_TRUE(got.contains(h.entry)) << q << ": " << h.explanation;
    }
  }
  auto joined = ix->Screen(Named("Ahmad Iman Ali"));
  ASSERT_FALSE(joined.empty());
  EXPECT_EQ(joined[0].entry, "J1");
  EXPECT_TRUE(ix->Screen(Named("Harsh Urvi Modi")).empty());
}

TEST(IndexHandle, SwapUnderConcurrentQueries) {
  IndexHandle handle;
  handle.Store(Index::Build({Person("A1", {"Ali Hassan"})}));
  std::atomic<bool> stop{false};
  std::atomic<int> seen_old{0}, seen_new{0}, bad{0};
  std::vector<std::jthread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto ix = handle.Load();
        auto hits = ix->Screen(Named("Ali Hassan"));
        if (hits.size() != 1) {
          ++bad;
        } else if (hits[0].entry == "A1") {
          ++seen_old;
        } else if (hits[0].entry == "A2") {
          ++seen_new;
        } else {
          ++bad;
        }
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    handle.Store(Index::Build({Person(i % 2 ? "A1" : "A2", {"Ali Hassan"})}));
  }
  handle.Store(Index::Build({Person("A2", {"Ali Hassan"})}));
  while (seen_new.load() == 0) std::this_thread::yield();
  stop = true;
  readers.clear();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(handle.Load()->entities()[0].id, "A2");
}

TEST(ScreenBatch, MatchesSingleQueries) {
  auto ix = Index::Build(Fixture());
  std::vector<Subject> subjects = {Named("Osama bin Laden"), Named("Jane Smith"),
                                   Named("Saddam Hussein")};
  auto batch = ScreenBatch(*ix, subjects, {}, 2);
  ASSERT_EQ(batch.size(), 3u);
  for (size_t i = 0; i < subjects.size(); ++i) {
    auto one = ix->Screen(subjects[i]);
    ASSERT_EQ(batch[i].size(), one.size());
    for (size_t k = 0; k < one.size(); ++k) EXPECT_EQ(batch[i][k].entry, one[k].entry);
  }
}

TEST(ReverseScreen, ChangedEntriesAgainstSubjects) {
  std::vector<Subject> ours = {Named("Jane Smith"), Named("Ahmad Shah Massoud"), Named("John Doe")};
  std::vector<Entity> changed = {Person("N1", {"Ahmed Shah Masood"}),
                                 Person("N2", {"Unrelated Person"})};
  auto hits = ReverseScreen(changed, ours, {}, Normalizer(), 2);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].subject, 1u);
  EXPECT_EQ(hits[0].hit.entry, "N1");
  EXPECT_TRUE(ReverseScreen({}, ours, {}, Normalizer()).empty());
}

}  // namespace
}  // namespace aidtrace::screening
