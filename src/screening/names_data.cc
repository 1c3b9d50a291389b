#include "screening/names_data.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <sstream>

#include <unicode/unistr.h>

#include "screening/internal/csv.h"

namespace aidtrace::screening {

namespace {

// The curated core list: each line is one group, Latin spellings then, after '|', Arabic
// spellings (folded by FoldArabic before use). The first Latin spelling is how an Arabic
// spelling of the group reads. Written for this project from common transliteration
// practice (UN, OFAC, press) and the variants the lists themselves use.
constexpr const char* kCurated[] = {
    "muhammad mohammed mohammad mohamed mohamad muhammed muhamad mouhamed mouhammad "
    "mohammod mohummad mohd mehmet mehmed mahomed muhamed mohamadou mamadou | محمد",
    "ahmad ahmed ahmet ahmadou achmed akhmed akhmad | احمد",
    "mahmud mahmoud mahmood mehmood mahmut mohamud | محمود",
    "mustafa mustapha moustafa mostafa mustefa mostapha | مصطفى",
    "hussein husayn hussain husain hussien hossein hosein huseyin husein hoseyn | حسين",
    "hasan hassan hasen hassen hasson | حسن",
    "ali aly alee | علي",
    "umar omar omer umer omur | عمر",
    "uthman othman osman usman outhman utman | عثمان",
    "usama osama oussama ousama usamah osamah | اسامه",
    "yusuf yousef youssef yusef yousuf yousif yosef joseph josef iosif yussuf youcef | يوسف",
    "ibrahim ebrahim ibraheem brahim ibrahima abraham | ابراهيم",
    "ismail ismael ismail esmail ismayil ismaeel ismaail | اسماعيل",
    "sulayman suleiman sulaiman soliman suleyman sleiman slimane solomon | سليمان",
    "khalid khaled halid chalid | خالد",
    "khalil khaleel halil | خليل",
    "walid waleed oualid | وليد",
    "said saeed saied sayed saeid saaid | سعيد",
    "saad sa'd saad saed | سعد",
    "sayyid sayed sayyed seyed seyyed syed said | سيد",
    "jamal gamal djamal jamaal | جمال",
    "jamil gamil jameel djamel jamel | جميل",
    "nasir nasser naser nassir nacer | ناصر",
    "nasr nasser | نصر",
    "qasim kassem qassem kasim qasem kacem gasim | قاسم",
    "jafar jaafar jafer djafar | جعفر",
    "zayd zaid zeid zayed | زيد",
    "abu abou abo | ابو",
    "abd abdul abdel abdal abdu abdol abdoul | عبد",
    "abdlah abdullah abdallah abdellah abdulla abdalla abdoulah | عبدالله",
    "abdrahman abdulrahman abdurrahman abdelrahman abderrahmane abdurahman | عبدالرحمن",
    "abdaziz abdulaziz abdelaziz abdelaziz | عبدالعزيز",
    "abdkarim abdulkarim abdelkarim abdulkareem | عبدالكريم",
    "abdmalik abdulmalik abdelmalek | عبدالملك",
    "abdqadir abdulqadir abdelkader abdulkadir abdelqader | عبدالقادر",
    "abdhamid abdulhamid abdelhamid | عبدالحميد",
    "abdlatif abdullatif abdellatif | عبداللطيف",
    "abdsalam abdulsalam abdessalam abdesalam abdusalam | عبدالسلام",
    "abdwahab abdulwahab abdelwahab abdul-wahhab | عبدالوهاب",
    "abdhakim abdulhakim abdelhakim | عبدالحكيم",
    "abdmajid abdulmajid abdelmajid abdulmajeed | عبدالمجيد",
    "abdhadi abdulhadi abdelhadi | عبدالهادي",
    "abdrazzaq abdulrazzaq abdelrazak abdurrazak abdulrazak | عبدالرزاق",
    "abdnasir abdulnasser abdelnasser | عبدالناصر",
    "abdjabbar abduljabbar abdeljabbar | عبدالجبار",
    "abdbasit abdulbasit abdelbasset | عبدالباسط",
    "abdali abdulali abdelali | عبدالعلي",
    "abdmunim abdulmunim abdelmonem abdulmonem | عبدالمنعم",
    "abdrahim abdulrahim abdelrahim abderrahim | عبدالرحيم",
    "abdghani abdulghani abdelghani | عبدالغني",
    "abdhai abdulhai abdulhay abdelhay | عبدالحي",
    "abdbaqi abdulbaqi abdelbaki | عبدالباقي",
    "abdwahid abdulwahid abdelwahid | عبدالواحد",
    "abdhaq abdulhaq abdelhak abdulhak | عبدالحق",
    "abdsamad abdulsamad abdessamad | عبدالصمد",
    "abdmuttalib abdulmuttalib | عبدالمطلب",
    "abdilah abdulilah abdelilah | عبدالاله",
    "abdfatah abdulfatah abdelfattah abdulfattah | عبدالفتاح",
    "abdjalil abduljalil abdeljalil | عبدالجليل",
    "abdmuhsin abdulmohsen abdelmohsen | عبدالمحسن",
    "abdhalim abdulhalim abdelhalim | عبدالحليم",
    "abdrauf abdulrauf abdelraouf | عبدالرؤوف",
    "abdzahir abdulzahir | عبدالظاهر",
    "abdsattar abdulsattar abdelsattar | عبدالستار",
    "abdrashid abdulrashid abdelrachid | عبدالرشيد",
    "abdrab abdurab | عبدربه",
    "rahman rehman rahmane rachman | رحمن",
    "aziz azeez | عزيز",
    "karim kareem kerim | كريم",
    "rahim raheem rahime | رحيم",
    "hamid hameed hamed | حميد",
    "hamad hamid hammad | حمد",
    "hamza hamzah hamzeh | حمزه",
    "muhsin mohsen mohsin | محسن",
    "mansur mansour mansoor | منصور",
    "masud masoud massoud masood | مسعود",
    "murad mourad morad | مراد",
    "musa mousa moussa mosa moses | موسى",
    "isa issa eisa | عيسى",
    "yahya yahia yehia yahiya | يحيى",
    "yaqub yacoub yakub yaqoob jacob yakoub | يعقوب",
    "idris idriss edris | ادريس",
    "ilyas elias ilias ilyes | الياس",
    "harun haroun haroon aaron | هارون",
    "dawud daoud dawood daud david | داود",
    "nur nour noor | نور",
    "nuri nouri noori | نوري",
    "nurdin nureddin noureddine nuraddin noureddin | نورالدين",
    "salahdin salahuddin salaheddine salahaddin | صلاحالدين",
    "salah saleh salih | صالح",
    "salah salaah | صلاح",
    "salim saleem selim | سليم",
    "salman selman | سلمان",
    "faisal faysal feisal faycal | فيصل",
    "fahd fahad | فهد",
    "fadl fadel fazl fadil | فضل",
    "tariq tarek tarik tareq | طارق",
    "talal | طلال",
    "bashar bachar bashshar | بشار",
    "bashir bachir basheer beshir | بشير",
    "tahir taher | طاهر",
    "zahir zaher | ظاهر",
    "jabir jaber | جابر",
    "rashid rachid rasheed | رشيد",
    "majid majed maged | ماجد",
    "adil adel | عادل",
    "amin amine ameen | امين",
    "anwar anouar | انور",
    "ashraf achraf | اشرف",
    "ayman aiman | ايمن",
    "haytham haitham haytam | هيثم",
    "hisham hicham hesham | هشام",
    "husni hosni | حسني",
    "imad emad | عماد",
    "iyad eyad | اياد",
    "kamal kemal | كمال",
    "marwan merwan | مروان",
    "munir mounir | منير",
    "nabil nabeel | نبيل",
    "najib naguib najeeb | نجيب",
    "nizar nezar | نزار",
    "raed raid | رائد",
    "riad riyad riyadh | رياض",
    "sami samy | سامي",
    "samir sameer | سمير",
    "shakir shaker | شاكر",
    "sharif cherif sherif | شريف",
    "shawkat shawqat chawkat | شوكت",
    "taha | طه",
    "waqar | وقار",
    "wasim waseem | وسيم",
    "yasin yassin yaseen yassine | ياسين",
    "yasir yasser yaser | ياسر",
    "ziyad ziad zied | زياد",
    "fatima fatimah fatema fatma | فاطمه",
    "aisha aicha ayesha aysha | عائشه",
    "maryam mariam meriem miriam | مريم",
    "khadija khadijah khadidja | خديجه",
    "zaynab zainab zeinab | زينب",
    "laden ladin | لادن",
    "allah | الله",
    "qaida qaeda qa'ida kaida | قاعده",
    "sheikh shaykh shaikh sheik cheikh | شيخ",
    "mullah mulla molla | ملا",
    "haji hajji hadji | حاجي",
    "gul gol | گل",
    "jalal djalal galal | جلال",
    "jalaluddin jalaladdin | جلالالدين",
    "shahab shihab chehab | شهاب",
    "sadiq sadek sadegh | صادق",
    "mehdi mahdi | مهدي",
    "hadi hady | هادي",
    "reza rida ridha | رضا",
    "javad jawad | جواد",
    "akbar akber | اكبر",
    "asghar asgar | اصغر",
    "baqir bagher baqer | باقر",
    "qadir kadir qader kader | قادر",
    "ghulam gholam golam | غلام",
    "hafiz hafez | حافظ",
    "habib habeeb | حبيب",
    "haqqani haqani | حقاني",
    "nazir nazeer | نذير",
    "wali vali | ولي",
    // Non-Arabic given names the lists and the benchmark spell several ways.
    "aleksandr alexander alexandr aleksander alexandre alessandro alejandro oleksandr "
    "aleksandar",
    "aleksei alexei alexey aleksey oleksiy",
    "andrei andrey andriy andrew andreas andre",
    "dmitry dmitri dmitriy dmytro",
    "evgeny yevgeny evgeniy yevgeniy evgenii yevhen",
    "georgy georgi george georgiy heorhiy giorgi jorge",
    "grigory grigori gregory hryhoriy",
    "igor ihor",
    "ivan iwan ivan ioan juan john johann jan joao giovanni",
    "mikhail mikhael michael mykhailo michel miguel michele",
    "nikolai nikolay mykola nicholas nicolas nikolaos niklas",
    "pavel pavlo paul pablo paolo",
    "pyotr petr petro peter pierre pedro pietro",
    "sergei sergey serhiy sergiy serge sergio sergii",
    "vladimir volodymyr wladimir",
    "yuri yury yuriy iurii jurij",
    "viktor victor wiktor",
    "vasily vasiliy vasyl vassili",
    "konstantin kostiantyn constantine",
    "anatoly anatoliy anatolii",
    "oleg oleh",
    "mariya maria mariia marija",
    "yelena elena olena helen helena",
    "natalya natalia nataliya natalie",
    "tatyana tatiana tetiana",
    "olga olha",
    "william bill billy willem wilhelm",
    "robert bob bobby roberto",
    "richard dick rick ricardo",
    "james jim jimmy jaime",
    "charles charlie chuck carlos karl carl",
    "edward ed eddie ted eduardo",
    "elizabeth liz beth betty elisabeth",
    "margaret maggie peggy margarita",
    "thomas tom tommy tomas",
    "benjamin benny bibi binyamin",
    "theodore ted teddy theo fyodor fedor",
    "joshua josh",
    "daniel dan danny",
    "anthony tony antonio anton",
    "francis frank francisco francesco franz",
    "frederick fred friedrich frederik fredrik federico",
    "henry harry heinrich henri enrique",
    "lawrence larry lorenzo laurent",
    "stephen steven steve stefan stephan esteban",
    "jeffrey geoffrey jeff",
    "recep rajab rejeb | رجب",
    "tayyip tayyib tayeb | طيب",
    "erdogan erdoan",
};

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

}  // namespace

std::string PhoneticSkeleton(std::string_view t) {
  // First pass: fold digraphs and letters that transliterations swap.
  std::string s;
  s.reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    char n = i + 1 < t.size() ? t[i + 1] : '\0';
    if (c < 'a' || c > 'z') {
      if (c >= '0' && c <= '9') s.push_back(c);
      continue;
    }
    if (n == 'h' && (c == 'k' || c == 'g' || c == 's' || c == 't' || c == 'd' || c == 'p' ||
                     c == 'c' || c == 'z')) {
      switch (c) {
        case 'k':
          s.push_back('h');  // kh (خ) is written h, kh or ch
          break;
        case 'g':
          s.push_back('g');
          break;
        case 's':
        case 'c':
          s.push_back('s');  // sh, ch (French transliteration of ش)
          break;
        case 't':
          s.push_back('t');
          break;
        case 'd':
        case 'z':
          s.push_back('z');  // dh, zh (ذ ظ) are written d, z, dh, th
          break;
        case 'p':
          s.push_back('f');
          break;
        default:
          break;
      }
      ++i;
      continue;
    }
    switch (c) {
      case 'q':
      case 'c':
        s.push_back('k');
        break;
      case 'x':
        s += "ks";
        break;
      case 'j':
        s.push_back('j');
        break;
      case 'g':
        s.push_back('g');
        break;
      case 'p':
        s.push_back('b');
        break;
      case 'v':
      case 'w':
        s.push_back(i == 0 ? 'w' : (c == 'v' ? 'f' : 'w'));
        break;
      case 'z':
        s.push_back('z');
        break;
      case 'y':
        s.push_back(i == 0 ? 'y' : 'i');
        break;
      default:
        s.push_back(c);
    }
  }
  // Drop a final h after a vowel (ta marbuta: -ah, -eh).
  if (s.size() >= 3 && s.back() == 'h' && IsVowel(s[s.size() - 2])) s.pop_back();
  // Second pass: drop vowels and medial w and y; collapse doubles.
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool initial = i == 0;
    if (IsVowel(c)) continue;
    if ((c == 'w' || c == 'y') && !initial) continue;
    if (!out.empty() && out.back() == c) continue;
    out.push_back(c);
  }
  return out;
}

std::string FoldArabic(std::string_view utf8) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  icu::UnicodeString out;
  for (int32_t i = 0; i < u.length();) {
    UChar32 c = u.char32At(i);
    i += U16_LENGTH(c);
    if ((c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640 ||
        (c >= 0x06D6 && c <= 0x06ED) || (c >= 0x0610 && c <= 0x061A)) {
      continue;  // harakat, superscript alef, tatweel, Quranic annotation marks
    }
    switch (c) {
      case 0x0623:  // أ
      case 0x0625:  // إ
      case 0x0622:  // آ
      case 0x0671:  // ٱ
        c = 0x0627;
        break;
      case 0x0649:  // ى
      case 0x06CC:  // ی (Persian yeh)
      case 0x0626:  // ئ
        c = 0x064A;
        break;
      case 0x0629:  // ة
        c = 0x0647;
        break;
      case 0x06A9:  // ک
        c = 0x0643;
        break;
      case 0x0624:  // ؤ
        c = 0x0648;
        break;
      case 0x06AF:  // گ stays (Persian gaf), 0x0621 hamza alone is dropped
        break;
      case 0x0621:
        continue;
      default:
        break;
    }
    out.append(c);
  }
  std::string r;
  out.toUTF8String(r);
  return r;
}

void NameData::Link(const std::string& latin, uint32_t group) {
  auto& v = latin_groups_[latin];
  if (std::find(v.begin(), v.end(), group) == v.end()) v.push_back(group);
}

void NameData::AddCurated() {
  for (const char* line : kCurated) {
    std::string_view l(line);
    size_t bar = l.find('|');
    std::istringstream latin(std::string(l.substr(0, bar)));
    uint32_t g = group_count_++;
    std::string first, w;
    while (latin >> w) {
      // Spellings are written with hyphens/apostrophes sometimes; store the folded form.
      std::string folded;
      for (char c : w) {
        if (c >= 'a' && c <= 'z') folded.push_back(c);
      }
      if (folded.empty()) continue;
      if (first.empty()) first = folded;
      Link(folded, g);
    }
    if (bar == std::string_view::npos) continue;
    std::istringstream arabic(std::string(l.substr(bar + 1)));
    while (arabic >> w) {
      ArabicReading& r = arabic_[FoldArabic(w)];
      r.latin = first;
      if (std::find(r.groups.begin(), r.groups.end(), g) == r.groups.end()) r.groups.push_back(g);
    }
  }
  curated_count_ = group_count_;
}

void NameData::Finish() {
  for (auto& [k, v] : latin_groups_) std::sort(v.begin(), v.end());
  for (auto& [k, r] : arabic_) std::sort(r.groups.begin(), r.groups.end());
}

std::shared_ptr<const NameData> NameData::Builtin() {
  static const std::shared_ptr<const NameData> kBuiltin = [] {
    std::shared_ptr<NameData> d(new NameData());
    d->AddCurated();
    d->Finish();
    return std::shared_ptr<const NameData>(std::move(d));
  }();
  return kBuiltin;
}

Result<std::shared_ptr<const NameData>> NameData::LoadWithWikidata(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, internal::ReadWholeFile(path));
  std::shared_ptr<NameData> d(new NameData());
  d->AddCurated();
  // Arabic spelling -> (latin -> count).
  std::map<std::string, std::map<std::string, int>> by_arabic;
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.empty()) continue;
    size_t t1 = line.find('\t');
    size_t t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string_view::npos) {
      return Status(ErrorCode::kInvalidArgument, path + ": line " + std::to_string(line_no) +
                                                     " does not have 3 tab-separated fields");
    }
    std::string latin;
    std::string_view raw = line.substr(0, t1);
    // Accented duplicates ("ádám" beside "adam") are skipped: the ASCII form is there.
    if (std::any_of(raw.begin(), raw.end(), [](char c) { return (c & 0x80) != 0; })) continue;
    for (char c : raw) {
      if (c >= 'a' && c <= 'z')
        latin.push_back(c);
      else if (c >= 'A' && c <= 'Z')
        latin.push_back(static_cast<char>(c - 'A' + 'a'));
    }
    std::string arabic;
    for (char c : line.substr(t1 + 1, t2 - t1 - 1)) {
      if (c != ' ') arabic.push_back(c);
    }
    int count = std::atoi(std::string(line.substr(t2 + 1)).c_str());
    if (latin.size() < 2 || arabic.empty() || count <= 0) continue;
    by_arabic[FoldArabic(arabic)][latin] += count;
  }
  for (auto& [arabic, latins] : by_arabic) {
    // The most frequent reading; keep the readings seen at least twice (or the top one)
    // whose consonant outline starts like the top one's (drops misaligned pairs).
    std::string top;
    int top_count = 0;
    for (const auto& [l, c] : latins) {
      if (c > top_count) {
        top = l;
        top_count = c;
      }
    }
    std::string top_skel = PhoneticSkeleton(top);
    std::vector<std::string> members;
    for (const auto& [l, c] : latins) {
      if (l != top && (c < 2 || c * 50 < top_count)) continue;
      std::string sk = PhoneticSkeleton(l);
      if (!sk.empty() && !top_skel.empty() && sk[0] != top_skel[0]) continue;
      members.push_back(l);
    }
    ArabicReading& r = d->arabic_[arabic];
    if (r.latin.empty()) r.latin = top;  // a curated reading wins
    if (members.size() < 2) continue;
    uint32_t g = d->group_count_++;
    r.groups.push_back(g);
    for (const auto& l : members) d->Link(l, g);
  }
  d->has_wikidata_ = true;
  d->Finish();
  return std::shared_ptr<const NameData>(std::move(d));
}

std::span<const uint32_t> NameData::GroupsOf(std::string_view latin) const {
  auto it = latin_groups_.find(std::string(latin));
  if (it == latin_groups_.end()) return {};
  return it->second;
}

bool NameData::Equivalent(std::string_view a, std::string_view b) const {
  auto ga = GroupsOf(a), gb = GroupsOf(b);
  size_t i = 0, j = 0;
  while (i < ga.size() && j < gb.size()) {
    if (ga[i] == gb[j]) return true;
    if (ga[i] < gb[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

const NameData::ArabicReading* NameData::ReadArabic(std::string_view folded) const {
  auto it = arabic_.find(std::string(folded));
  return it == arabic_.end() ? nullptr : &it->second;
}

}  // namespace aidtrace::screening
