// Token similarity and name alignment.
#include <gtest/gtest.h>

#include <algorithm>

#include "screening/match.h"

namespace aidtrace::screening {
namespace {

int Score(std::string_view a, std::string_view b) {
  static const Normalizer n;
  return MatchNames(n.Normalize(a), n.Normalize(b)).score;
}

TEST(JaroWinkler, KnownValues) {
  EXPECT_EQ(JaroWinkler("martha", "marhta"), 961);
  EXPECT_EQ(JaroWinkler("dwayne", "duane"), 840);
  EXPECT_EQ(JaroWinkler("abc", "abc"), 1000);
  EXPECT_EQ(JaroWinkler("abc", "xyz"), 0);
  EXPECT_EQ(JaroWinkler("", ""), 1000);
}

TEST(Levenshtein, BoundedDistance) {
  EXPECT_EQ(Levenshtein("kitten", "sitting", 5), 3);
  EXPECT_EQ(Levenshtein("kitten", "sitting", 2), 3);  // over the bound: bound + 1
  EXPECT_EQ(Levenshtein("same", "same", 0), 0);
}

// The banded Levenshtein against the full table, on words of every length pair.
int FullLevenshtein(std::string_view a, std::string_view b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] =
          std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    prev.swap(cur);
  }
  return prev[b.size()];
}

TEST(Levenshtein, BandedEqualsFullTable) {
  const char* words[] = {"",          "a",        "ab",          "omar",     "oman",
                         "salem",     "salek",    "muhammad",    "mohammed", "mohaammad",
                         "ahmadiman", "ahmadian", "abdulrahman", "abdrahman"};
  for (const char* a : words) {
    for (const char* b : words) {
      for (int max = 0; max <= 4; ++max) {
        EXPECT_EQ(Levenshtein(a, b, max), std::min(FullLevenshtein(a, b), max + 1))
            << a << " " << b << " " << max;
      }
    }
  }
}

TEST(MatchNames, OrderFreeAndTransliterations) {
  EXPECT_EQ(Score("Putin, Vladimir", "Vladimir Putin"), 1000);
  EXPECT_GE(Score("Usama bin Ladin", "Osama bin Laden"), 900);
  EXPECT_GE(Score("Osama bin Laden", "Usama ibn Laden"), 900);
  EXPECT_GE(Score("Mohamed bin Salman", "Muhammad bin Salman"), 900);
  EXPECT_GE(Score("'Abd al-Aziz al-Nuristani", "Abdul Aziz Nuristani"), 900);
  EXPECT_GE(Score("Bachar el-Assad", "Bashar al-Assad"), 900);
  EXPECT_GE(Score("محمد علي", "Mohamed Ali"), 900);
  EXPECT_GE(Score("عبد الله", "Abdullah"), 900);
  EXPECT_GE(Score("Владимир Пулин", "Владимир Путин"), kReviewLevel);
}

TEST(MatchNames, TyposJoinedWordsAndParticles) {
  EXPECT_GE(Score("Vladimir Pulin", "Vladimir Putin"), kReviewLevel);
  EXPECT_GE(Score("SergeiLavrov", "Sergei Lavrov"), kReviewLevel);
  EXPECT_GE(Score("vanderbilt corp", "van der bilt corp"), kReviewLevel);
  EXPECT_GE(Score("Stripe LLC", "Strip Limited Liability Company"), kReviewLevel);
  EXPECT_GE(Score("PLA", "People's Liberation Army"), kReviewLevel);
}

TEST(MatchNames, SafeguardsAgainstShortGenericAndDifferentNames) {
  // A different given or family name is a conflict.
  EXPECT_LT(Score("Boris Abramovich", "Roman Abramovich"), kReviewLevel);
  EXPECT_LT(Score("Mark Zuckermann", "Mark Zuckerberg"), kReviewLevel);
  EXPECT_LT(Score("Geoffrey Boris Johnson", "Alexandre Boris de Pfeffel Johnson"), kReviewLevel);
  // Known distinct names are never phonetic twins (Mahmoud is not Muhammad).
  EXPECT_LT(Score("Mahmoud Abbas", "Muhammad Abbas"), kReviewLevel);
  // Short tokens must be exact.
  EXPECT_LT(Score("LXC Aviatio", "LAU Aviation"), kReviewLevel);
  EXPECT_LT(Score("C.B.A. Company", "A.B.C. Company"), kReviewLevel);
  // Generic words and legal forms alone do not make a match.
  EXPECT_LT(Score("Sparkles Business Corporation", "Sporks Business Corporation"), kReviewLevel);
  EXPECT_LE(Score("International Trading LLC", "International Trading Ltd"), 400);
  // One shared word against a longer name stays below review.
  EXPECT_LT(Score("Ali", "Mohammed Ali Hassan"), kReviewLevel);
}

TEST(MatchNames, ExplainsEveryPair) {
  Normalizer n;
  NameMatch m = MatchNames(n.Normalize("Mohammed Hussein Ahmadi"),
                           n.Normalize("Muhammad Husayn Ahmadi Tikriti"));
  ASSERT_EQ(m.aligned.size(), 3u);
  for (const auto& a : m.aligned) {
    EXPECT_FALSE(a.query.empty());
    EXPECT_FALSE(a.list.empty());
    EXPECT_GT(a.score, 0);
  }
  EXPECT_EQ(m.list_unmatched, std::vector<std::string>{"tikriti"});
  std::string e = m.Explain();
  EXPECT_NE(e.find("mohammed=muhammad (equivalent, 950)"), std::string::npos) << e;
  EXPECT_NE(e.find("ahmadi=ahmadi (exact, 1000)"), std::string::npos) << e;
  EXPECT_NE(e.find("list only: tikriti"), std::string::npos) << e;
}

TEST(MatchNames, AcronymsOnlyForOrganisations) {
  EXPECT_GE(Score("PLA", "People's Liberation Army"), kReviewLevel);
  // A person's initials are not an acronym of a company or an alias.
  EXPECT_LT(Score("Harsh Urvi Modi", "HUM"), kReviewLevel);
  EXPECT_LT(Score("Katherine Brittany Kim", "OOO KBK BANK"), kReviewLevel);
}

TEST(MatchScore, SameScoreAsMatchNames) {
  Normalizer n;
  const char* names[] = {"Mohammed Hussein Ahmadi",
                         "Muhammad Husayn Ahmadi Tikriti",
                         "SergeiLavrov",
                         "Sergei Lavrov",
                         "PLA",
                         "People's Liberation Army",
                         "Ahmad Iman Ali",
                         "AHMADIAN, Ali Akbar",
                         "J. Smith",
                         "John Smith",
                         "",
                         "vanderbilt corp"};
  for (const char* a : names) {
    for (const char* b : names) {
      auto qa = n.Normalize(a), qb = n.Normalize(b);
      EXPECT_EQ(MatchScore(qa, qb), MatchNames(qa, qb).score) << a << " | " << b;
    }
  }
}

TEST(MatchNames, EmptyNamesScoreZero) {
  Normalizer n;
  EXPECT_EQ(MatchNames(n.Normalize(""), n.Normalize("Ali")).score, 0);
  EXPECT_EQ(MatchNames(n.Normalize("Ali"), n.Normalize("")).score, 0);
}

}  // namespace
}  // namespace aidtrace::screening
