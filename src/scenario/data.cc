#include "scenario/data.h"

#include <stdexcept>
#include <string>

namespace aidtrace::scenario::data {
namespace {

// Centres from OCHA COD-AB (cod-ab-pse, 2023-10-19: center_lat/center_lon of each Gaza
// governorate); household shares roughly follow the governorates' pre-war population.
constexpr Area kAreas[] = {
    {"ps0255", "North Gaza", "شمال غزة", 31547083, 34506416, 20000, 200},
    {"ps0260", "Gaza", "غزة", 31486286, 34445154, 22000, 330},
    {"ps0265", "Deir al-Balah", "دير البلح", 31420300, 34374087, 20000, 140},
    {"ps0270", "Khan Younis", "خان يونس", 31327796, 34317902, 22000, 200},
    {"ps0275", "Rafah", "رفح", 31281777, 34282712, 15000, 130},
};

// Approximate positions (to about a kilometre): for maps of a synthetic programme only.
constexpr Crossing kCrossings[] = {
    {"kerem-shalom", "Kerem Shalom (Karem Abu Salem)", 31223500, 34283400, 700},
    {"zikim", "Zikim", 31600000, 34520000, 150},
    {"kissufim", "Kissufim", 31378000, 34398000, 100},
    {"salah-al-din", "Salah al-Din Gate", 31245000, 34259000, 50},
};

constexpr Item kItems[] = {
    {"cement-opc", "Ordinary Portland cement, CEM I 42.5", "kg", "252329", true, 12, true},
    {"aggregate", "Crushed stone aggregate, 5-20 mm", "kg", "251710", true, 2, true},
    {"sand", "Washed building sand", "kg", "250590", false, 1, true},
    {"steel-bar-12", "Reinforcing steel bar, 12 mm", "kg", "721420", true, 90, true},
    {"steel-mesh", "Welded steel reinforcing mesh", "kg", "731420", true, 110, true},
    {"pipe-steel-100", "Steel pipe, 100 mm", "m", "730630", true, 3500, false},
    {"pipe-hdpe-110", "HDPE pressure pipe, 110 mm", "m", "391721", true, 900, false},
    {"timber-formwork", "Sawn timber for formwork, over 10 mm thick", "m3", "440710", true, 40000,
     false},
    {"concrete-block", "Hollow concrete block, 20 cm", "piece", "681011", false, 80, false},
    {"glass-pane", "Float glass, 6 mm", "m2", "700510", false, 2500, false},
    {"paint-emulsion", "Emulsion paint, interior", "l", "320910", false, 300, false},
    {"cable-lv", "Low-voltage power cable, 4 x 16 mm2", "m", "854449", false, 150, false},
    {"generator-100kva", "Diesel generator set, 100 kVA", "piece", "850213", true, 1500000, false},
};

constexpr Category kCategories[] = {
    {"housing-repair",
     "16030",
     "Repair of residential building {0}, {1}",
     360,
     {{{"cement-opc", 40000, 160000},
       {"aggregate", 100000, 400000},
       {"steel-bar-12", 6000, 25000},
       {"concrete-block", 4000, 16000},
       {"glass-pane", 100, 600},
       {"paint-emulsion", 400, 2000}}},
     1200},
    {"education",
     "11120",
     "School {0} rehabilitation, {1}",
     180,
     {{{"cement-opc", 150000, 450000},
       {"aggregate", 400000, 1100000},
       {"steel-bar-12", 20000, 60000},
       {"concrete-block", 8000, 30000},
       {"glass-pane", 300, 1200},
       {"cable-lv", 2000, 8000}}},
     1200},
    {"health",
     "12230",
     "Primary health care centre {0}, {1}",
     100,
     {{{"cement-opc", 60000, 200000},
       {"aggregate", 150000, 500000},
       {"steel-bar-12", 8000, 25000},
       {"cable-lv", 1500, 6000},
       {"generator-100kva", 1, 2},
       {"glass-pane", 150, 500}}},
     1300},
    {"water",
     "14020",
     "Water network section {0}, {1}",
     150,
     {{{"pipe-hdpe-110", 2000, 9000},
       {"pipe-steel-100", 200, 1000},
       {"cement-opc", 15000, 60000},
       {"aggregate", 40000, 150000},
       {"sand", 50000, 200000},
       {}}},
     1000},
    {"roads",
     "21020",
     "Road rehabilitation {0}, {1}",
     120,
     {{{"aggregate", 800000, 3000000},
       {"cement-opc", 80000, 250000},
       {"steel-mesh", 5000, 20000},
       {"sand", 200000, 800000},
       {},
       {}}},
     900},
    {"electricity",
     "23630",
     "Distribution network repair {0}, {1}",
     90,
     {{{"cable-lv", 5000, 20000},
       {"generator-100kva", 1, 4},
       {"steel-bar-12", 3000, 12000},
       {"cement-opc", 15000, 50000},
       {"timber-formwork", 5, 30},
       {}}},
     800},
};

constexpr Entitlement kEntitlements[] = {
    {"minor",
     420,
     {{{"cement-opc", 500, 1500}, {"paint-emulsion", 20, 60}, {"glass-pane", 4, 15}, {}}}},
    {"major",
     430,
     {{{"cement-opc", 2000, 5000},
       {"steel-bar-12", 200, 600},
       {"aggregate", 4000, 10000},
       {"concrete-block", 200, 600}}}},
    {"destroyed",
     150,
     {{{"cement-opc", 8000, 15000},
       {"steel-bar-12", 800, 1500},
       {"aggregate", 15000, 30000},
       {"concrete-block", 1000, 2000}}}},
};

constexpr Name kMale[] = {
    {"محمد", {"Mohammed", "Muhammad", "Mohamed", "Mohammad"}},
    {"أحمد", {"Ahmed", "Ahmad", "Ahmet", ""}},
    {"محمود", {"Mahmoud", "Mahmud", "Mahmood", ""}},
    {"خليل", {"Khalil", "Khaleel", "Kalil", ""}},
    {"إبراهيم", {"Ibrahim", "Ebrahim", "Ibraheem", ""}},
    {"يوسف", {"Yousef", "Yusuf", "Youssef", "Yosef"}},
    {"علي", {"Ali", "Aly", "", ""}},
    {"حسن", {"Hasan", "Hassan", "", ""}},
    {"حسين", {"Hussein", "Husain", "Hussain", ""}},
    {"عمر", {"Omar", "Umar", "Omer", ""}},
    {"خالد", {"Khaled", "Khalid", "", ""}},
    {"سالم", {"Salem", "Salim", "", ""}},
    {"سعيد", {"Saeed", "Said", "Sa'id", ""}},
    {"عبد الله", {"Abdullah", "Abdallah", "Abd Allah", ""}},
    {"عبد الرحمن", {"Abdelrahman", "Abdulrahman", "Abd al-Rahman", ""}},
    {"مصطفى", {"Mustafa", "Mostafa", "Moustafa", ""}},
    {"جمال", {"Jamal", "Gamal", "", ""}},
    {"رامي", {"Rami", "Ramy", "", ""}},
    {"نبيل", {"Nabil", "Nabeel", "", ""}},
    {"وليد", {"Walid", "Waleed", "", ""}},
    {"سمير", {"Samir", "Sameer", "", ""}},
    {"فادي", {"Fadi", "Fady", "", ""}},
    {"ماجد", {"Majed", "Majid", "", ""}},
    {"ياسر", {"Yasser", "Yasir", "", ""}},
    {"زياد", {"Ziad", "Ziyad", "", ""}},
    {"عماد", {"Imad", "Emad", "", ""}},
    {"هاني", {"Hani", "Hany", "", ""}},
    {"كمال", {"Kamal", "Kamel", "", ""}},
    {"رائد", {"Raed", "Ra'ed", "", ""}},
    {"طارق", {"Tarek", "Tariq", "Tareq", ""}},
    {"أيمن", {"Ayman", "Aiman", "", ""}},
    {"باسم", {"Basem", "Bassem", "Basim", ""}},
    {"شادي", {"Shadi", "Shady", "", ""}},
    {"إسماعيل", {"Ismail", "Ismael", "Esmail", ""}},
    {"منير", {"Munir", "Mounir", "", ""}},
    {"رياض", {"Riyad", "Riad", "", ""}},
    {"عادل", {"Adel", "Adil", "", ""}},
    {"فتحي", {"Fathi", "Fathy", "", ""}},
    {"صالح", {"Saleh", "Salih", "", ""}},
    {"حمزة", {"Hamza", "Hamzah", "", ""}},
};

constexpr Name kFemale[] = {
    {"فاطمة", {"Fatima", "Fatma", "Fatmeh", ""}},
    {"عائشة", {"Aisha", "Aysha", "Aicha", ""}},
    {"مريم", {"Maryam", "Mariam", "Mariem", ""}},
    {"آمنة", {"Amina", "Amna", "Ameena", ""}},
    {"سعاد", {"Suad", "Souad", "Soad", ""}},
    {"نادية", {"Nadia", "Nadiya", "", ""}},
    {"هدى", {"Huda", "Hoda", "", ""}},
    {"خديجة", {"Khadija", "Khadijah", "Khadeeja", ""}},
    {"زينب", {"Zainab", "Zeinab", "Zaynab", ""}},
    {"سناء", {"Sanaa", "Sana'a", "", ""}},
};

constexpr Name kFamilies[] = {
    {"النجار", {"Al-Najjar", "El-Najjar", "Al Najar", ""}},
    {"أبو طه", {"Abu Taha", "Abou Taha", "", ""}},
    {"الأسطل", {"Al-Astal", "El-Astal", "Astal", ""}},
    {"أبو شمالة", {"Abu Shamala", "Abu Shamaleh", "", ""}},
    {"الحلو", {"Al-Helou", "Al-Hilu", "El-Helo", ""}},
    {"حلس", {"Helles", "Hilles", "Hellis", ""}},
    {"الشوا", {"Al-Shawa", "Shawwa", "El-Shawa", ""}},
    {"الريس", {"Al-Rayyes", "Al-Rayes", "El-Rayyes", ""}},
    {"أبو ندى", {"Abu Nada", "Abu Neda", "", ""}},
    {"المصري", {"Al-Masri", "El-Masry", "Al Masry", ""}},
    {"أبو سلطان", {"Abu Sultan", "Abu Soltan", "", ""}},
    {"القدرة", {"Al-Qudra", "Al-Kudra", "El-Qedra", ""}},
    {"البطش", {"Al-Batsh", "El-Batsh", "", ""}},
    {"الكرد", {"Al-Kurd", "Al-Kord", "El-Kurd", ""}},
    {"شعث", {"Shaath", "Sha'ath", "Shaat", ""}},
    {"أبو حصيرة", {"Abu Hasira", "Abu Hassira", "", ""}},
    {"الفرا", {"Al-Farra", "El-Farra", "Al-Farah", ""}},
    {"صيام", {"Siam", "Seyam", "Siyam", ""}},
    {"الزعانين", {"Al-Za'anin", "Al-Zaanin", "", ""}},
    {"أبو عودة", {"Abu Odeh", "Abu Ouda", "Abu Auda", ""}},
    {"الطويل", {"Al-Tawil", "Al-Taweel", "El-Tawil", ""}},
    {"السقا", {"Al-Saqqa", "Al-Sakka", "", ""}},
    {"أبو مدين", {"Abu Middain", "Abu Madian", "", ""}},
    {"عاشور", {"Ashour", "Ashur", "Aashour", ""}},
    {"الخطيب", {"Al-Khatib", "Al-Khateeb", "El-Khatib", ""}},
    {"بركة", {"Baraka", "Barakeh", "Barakah", ""}},
    {"أبو جراد", {"Abu Jarad", "Abu Garad", "", ""}},
    {"اللحام", {"Al-Lahham", "Al-Laham", "", ""}},
    {"الغول", {"Al-Ghoul", "Al-Ghul", "El-Ghoul", ""}},
    {"قديح", {"Qdeih", "Qudaih", "Kdeih", ""}},
};

constexpr Name kListedFamilies[] = {
    {"أبو شرخ", {"Abu Sharkh", "Abou Sharekh", "Abu Shrakh", ""}},
    {"الهندي", {"Al-Hindi", "El-Hendi", "Al Hindy", ""}},
    {"عقل", {"Aqel", "Akel", "Aqil", ""}},
    {"أبو زايدة", {"Abu Zayda", "Abu Zaida", "Abou Zaydeh", ""}},
    {"الشريف", {"Al-Sharif", "El-Sherif", "Al-Shareef", ""}},
    {"البرعي", {"Al-Bar'i", "El-Baraay", "Al-Barai", ""}},
};

constexpr Org kImplementers[] = {
    {"sahel-reconstruction", "Sahel Reconstruction Agency"},
    {"coastal-water-works", "Coastal Water Works Association"},
    {"schools-rebuild-trust", "Schools Rebuilding Trust"},
    {"health-facilities-unit", "Health Facilities Rehabilitation Unit"},
    {"roads-renewal-office", "Roads Renewal Office"},
    {"grid-recovery-unit", "Power Grid Recovery Unit"},
    {"shelter-partners", "Shelter Partners Consortium"},
    {"habitat-recovery", "Habitat Recovery Association"},
    {"community-rebuild", "Community Rebuild Fund"},
    {"mediterranean-build", "Mediterranean Build Consortium"},
    {"municipal-works-gaza", "Municipal Works Programme"},
    {"rebuild-cooperative", "Reconstruction Cooperative Society"},
};

constexpr Org kDonors[] = {
    {"gulf-reconstruction-fund", "Gulf Reconstruction Fund"},
    {"european-recovery-facility", "European Recovery Facility"},
    {"nordic-shelter-fund", "Nordic Shelter Fund"},
    {"asia-development-window", "Asia Development Window"},
    {"world-reconstruction-trust", "World Reconstruction Trust"},
    {"islamic-solidarity-window", "Islamic Solidarity Window"},
};

constexpr Org kVendorStems[] = {
    {"al-amal", "Al-Amal"},       {"al-nour", "Al-Nour"},       {"al-bina", "Al-Bina"},
    {"al-salam", "Al-Salam"},     {"al-wafa", "Al-Wafa"},       {"al-rayyan", "Al-Rayyan"},
    {"al-karmel", "Al-Karmel"},   {"al-fajr", "Al-Fajr"},       {"al-sahel", "Al-Sahel"},
    {"al-zaytoun", "Al-Zaytoun"}, {"al-bahr", "Al-Bahr"},       {"al-shurouq", "Al-Shurouq"},
    {"al-manara", "Al-Manara"},   {"al-rasheed", "Al-Rasheed"}, {"al-jazeera", "Al-Jazeera"},
    {"al-hilal", "Al-Hilal"},
};

}  // namespace

std::span<const Area> Areas() { return kAreas; }
std::span<const Crossing> Crossings() { return kCrossings; }
std::span<const Item> Items() { return kItems; }
const Item& ItemById(std::string_view id) {
  for (const Item& i : kItems) {
    if (i.id == id) return i;
  }
  throw std::logic_error("scenario: no item " + std::string(id));
}
std::span<const Category> Categories() { return kCategories; }
std::span<const Entitlement> Entitlements() { return kEntitlements; }
std::span<const Name> MaleNames() { return kMale; }
std::span<const Name> FemaleNames() { return kFemale; }
std::span<const Name> Families() { return kFamilies; }
std::span<const Name> ListedFamilies() { return kListedFamilies; }
std::span<const Org> Implementers() { return kImplementers; }
std::span<const Org> Donors() { return kDonors; }
std::span<const Org> VendorStems() { return kVendorStems; }

}  // namespace aidtrace::scenario::data
