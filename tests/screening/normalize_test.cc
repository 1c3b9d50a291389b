// Normalisation: ICU folding, Arabic folding and reading, particles, legal forms.
#include <gtest/gtest.h>

#include "screening/names_data.h"
#include "screening/normalize.h"
#include "testing/shared.h"

namespace aidtrace::screening {
namespace {

std::string Norm(const Normalizer& n, std::string_view s) { return n.Normalize(s).ToString(); }

TEST(FoldArabic, StripsHarakatAndTatweelAndUnifiesLetters) {
  // مُحَمَّد with harakat and a tatweel -> محمد
  EXPECT_EQ(FoldArabic("مُحَـمَّد"), "محمد");
  // Alef forms: أحمد / إبراهيم / آمنة -> bare alef; ta marbuta -> ha; alef maqsura -> ya.
  EXPECT_EQ(FoldArabic("أحمد"), "احمد");
  EXPECT_EQ(FoldArabic("إبراهيم"), "ابراهيم");
  EXPECT_EQ(FoldArabic("آمنة"), "امنه");
  EXPECT_EQ(FoldArabic("مصطفى"), "مصطفي");
  EXPECT_EQ(FoldArabic("عيسى"), FoldArabic("عيسي"));
  // Persian yeh and kaf are the Arabic letters.
  EXPECT_EQ(FoldArabic("حسین"), "حسين");
  EXPECT_EQ(FoldArabic("کریم"), "كريم");
  // Latin text passes unchanged.
  EXPECT_EQ(FoldArabic("Muhammad"), "Muhammad");
}

TEST(Normalize, CaseMarksAndPunctuation) {
  Normalizer n;
  EXPECT_EQ(Norm(n, "Recep Tayyip ERDOĞAN"), "recep tayyip erdogan");
  EXPECT_EQ(Norm(n, "Aleksandar Vučić"), "aleksandar vucic");
  EXPECT_EQ(Norm(n, "A.B.C. Company"), "abc co");
  EXPECT_EQ(Norm(n, "Al-Qa'ida"), "qaida");
  EXPECT_EQ(Norm(n, "ＭＵＨＡＭＭＡＤ"), "muhammad");  // NFKC: full-width letters
  EXPECT_EQ(Norm(n, "Putin, Vladimir"), "putin vladimir");
}

TEST(Normalize, OtherScriptsAreTransliterated) {
  Normalizer n;
  EXPECT_EQ(Norm(n, "Владимир Путин"), "vladimir putin");
  EXPECT_EQ(Norm(n, "Νικόλαος"), "nikolaos");
}

TEST(Normalize, ArabicParticlesAndAbdCompounds) {
  Normalizer n;
  // The article and patronymic particles are dropped.
  EXPECT_EQ(Norm(n, "Usama bin Laden"), "usama laden");
  EXPECT_EQ(Norm(n, "Bashar al-Assad"), "bashar assad");
  EXPECT_EQ(Norm(n, "Mohammed ibn Salman Al Saud"), "mohammed salman saud");
  // Every spelling of abd al-X reads as one token abd+X.
  for (const char* s :
       {"Abd al-Aziz", "Abdul Aziz", "Abdelaziz", "Abd-al-Aziz", "ABDULAZIZ", "Abd el Aziz"}) {
    EXPECT_EQ(Norm(n, s), "abdaziz") << s;
  }
  for (const char* s : {"Abdullah", "Abdallah", "Abd Allah", "Abdellah"}) {
    EXPECT_EQ(Norm(n, s), "abdlah") << s;
  }
  EXPECT_EQ(Norm(n, "Abd ar-Rahman"), "abdrahman");
  EXPECT_EQ(Norm(n, "Abdurrahman"), "abdrahman");
  // Honorifics go.
  EXPECT_EQ(Norm(n, "Sheikh Mullah Mohammad Omar"), "mohammad omar");
  EXPECT_EQ(Norm(n, "Mr. Recep Tayyip Erdoğan"), "recep tayyip erdogan");
}

TEST(Normalize, ArabicScriptReadsAsLatin) {
  Normalizer n;  // curated list only
  EXPECT_EQ(Norm(n, "محمد علي"), "muhammad ali");
  EXPECT_EQ(Norm(n, "مُحَمَّد"), "muhammad");         // harakat stripped first
  EXPECT_EQ(Norm(n, "أحمد حسن"), "ahmad hasan");  // alef with hamza unified
  EXPECT_EQ(Norm(n, "عبد الله"), "abdlah");       // abd + allah
  EXPECT_EQ(Norm(n, "عبدالعزيز"), "abdaziz");
  EXPECT_EQ(Norm(n, "عبد العزيز"), "abdaziz");  // article inside the compound
  EXPECT_EQ(Norm(n, "أسامة بن لادن"), "usama laden");
  // An unknown Arabic word is transliterated by ICU, still ASCII.
  auto t = n.Normalize("تكريتي");
  ASSERT_EQ(t.tokens.size(), 1u);
  for (char c : t.tokens[0].text) EXPECT_TRUE(c >= 'a' && c <= 'z') << t.tokens[0].text;
}

TEST(Normalize, LegalFormsAndGenericWords) {
  Normalizer n;
  auto a = n.Normalize("Stripe Limited Liability Company");
  ASSERT_EQ(a.ToString(), "stripe llc");
  EXPECT_EQ(a.tokens[1].kind, TokenKind::kLegal);
  EXPECT_EQ(Norm(n, "Deutsche Bank Aktiengesellschaft"), "deutsche bank ag");
  EXPECT_EQ(Norm(n, "JSC Sberbank"), "jsc sberbank");
  EXPECT_EQ(Norm(n, "Open Joint Stock Company Rosneft"), "ojsc rosneft");
  auto b = n.Normalize("Bank Melli");
  EXPECT_EQ(b.tokens[0].kind, TokenKind::kGeneric);
  EXPECT_LT(b.tokens[0].weight, b.tokens[1].weight);
}

TEST(Normalize, NumbersAndInitials) {
  Normalizer n;
  EXPECT_EQ(Norm(n, "Brigade Forty-Four"), "brigade 44");
  EXPECT_EQ(Norm(n, "1st International Bank"), Norm(n, "First International Bank"));
  auto j = n.Normalize("J. Smith");
  ASSERT_EQ(j.tokens.size(), 2u);
  EXPECT_EQ(j.tokens[0].kind, TokenKind::kInitial);
}

TEST(Normalize, OnlyParticlesAreKept) {
  Normalizer n;
  EXPECT_EQ(Norm(n, "Al Bin"), "al bin");
  EXPECT_TRUE(n.Normalize("").empty());
  EXPECT_TRUE(n.Normalize(" - , ").empty());
  // Invalid UTF-8 does not crash and yields nothing for the bad bytes.
  EXPECT_EQ(Norm(n, std::string("Ali \xff\xfe")), "ali");
}

TEST(PhoneticSkeleton, ArabicTransliterationsShareOne) {
  EXPECT_EQ(PhoneticSkeleton("mohammed"), PhoneticSkeleton("muhammad"));
  EXPECT_EQ(PhoneticSkeleton("mouhamad"), PhoneticSkeleton("muhammad"));
  EXPECT_EQ(PhoneticSkeleton("hussein"), PhoneticSkeleton("husayn"));
  EXPECT_EQ(PhoneticSkeleton("qaida"), PhoneticSkeleton("kaida"));
  EXPECT_EQ(PhoneticSkeleton("fatimah"), PhoneticSkeleton("fatima"));
  EXPECT_EQ(PhoneticSkeleton("sheikh"), PhoneticSkeleton("shaykh"));
  EXPECT_NE(PhoneticSkeleton("hassan"), PhoneticSkeleton("mohammed"));
}

TEST(NameData, CuratedGroups) {
  auto d = NameData::Builtin();
  EXPECT_TRUE(d->Equivalent("mohammed", "muhammad"));
  EXPECT_TRUE(d->Equivalent("usama", "osama"));
  EXPECT_TRUE(d->Equivalent("hussein", "husayn"));
  EXPECT_FALSE(d->Equivalent("mahmoud", "muhammad"));
  EXPECT_FALSE(d->Equivalent("hasan", "hussein"));
  const auto* r = d->ReadArabic(FoldArabic("مُحَمَّد"));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->latin, "muhammad");
  EXPECT_EQ(d->ReadArabic("xyz"), nullptr);
}

TEST(NameData, WikidataTokens) {
  AIDTRACE_REQUIRE_SHARED(
      "data/names/netransliteration_wikidata_arabic/wd_arabic.normalized.aligned.tokens");
  auto d = NameData::LoadWithWikidata(
      (testing::SharedDir() /
       "data/names/netransliteration_wikidata_arabic/wd_arabic.normalized.aligned.tokens")
          .string());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE((*d)->has_wikidata());
  EXPECT_GT((*d)->arabic_count(), 10000u);
  // Groups the curated list does not have, found in the data.
  EXPECT_TRUE((*d)->Equivalent("agha", "aga"));
  EXPECT_TRUE((*d)->Equivalent("adolf", "adolph"));
  EXPECT_FALSE(NameData::Builtin()->Equivalent("agha", "aga"));
  Normalizer n(*d);
  EXPECT_EQ(n.Normalize("موسوی").tokens.size(), 1u);
  EXPECT_NE(n.Normalize("موسوی").tokens[0].text.find("savi"), std::string::npos);
}

TEST(NameData, WikidataFileErrors) {
  auto missing = NameData::LoadWithWikidata("/nonexistent/tokens");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kIoError);
}

}  // namespace
}  // namespace aidtrace::screening
