#include "sim/internal/population.h"

#include <array>

namespace winback::sim::internal {
namespace {

constexpr NamePair kTrFemale[] = {
    {"Ayşe", "ayse"},     {"Fatma", "fatma"}, {"Zeynep", "zeynep"}, {"Elif", "elif"},
    {"Emine", "emine"},   {"Merve", "merve"}, {"Büşra", "busra"},   {"Özge", "ozge"},
    {"Gülşen", "gulsen"}, {"Şeyma", "seyma"}, {"İpek", "ipek"},     {"Çağla", "cagla"},
    {"Dilek", "dilek"},   {"Sevgi", "sevgi"}, {"Hülya", "hulya"},
};
constexpr NamePair kTrMale[] = {
    {"Mehmet", "mehmet"},   {"Mustafa", "mustafa"}, {"Ahmet", "ahmet"},     {"Ali", "ali"},
    {"Hüseyin", "huseyin"}, {"Hasan", "hasan"},     {"İbrahim", "ibrahim"}, {"İsmail", "ismail"},
    {"Osman", "osman"},     {"Yusuf", "yusuf"},     {"Murat", "murat"},     {"Ömer", "omer"},
    {"Emre", "emre"},       {"Burak", "burak"},     {"Oğuz", "oguz"},       {"Çağrı", "cagri"},
    {"Barış", "baris"},     {"Uğur", "ugur"},
};
constexpr NamePair kTrLast[] = {
    {"Yılmaz", "yilmaz"}, {"Kaya", "kaya"},       {"Demir", "demir"},       {"Şahin", "sahin"},
    {"Çelik", "celik"},   {"Yıldız", "yildiz"},   {"Yıldırım", "yildirim"}, {"Öztürk", "ozturk"},
    {"Aydın", "aydin"},   {"Özdemir", "ozdemir"}, {"Arslan", "arslan"},     {"Doğan", "dogan"},
    {"Kılıç", "kilic"},   {"Aslan", "aslan"},     {"Çetin", "cetin"},       {"Kara", "kara"},
    {"Koç", "koc"},       {"Kurt", "kurt"},       {"Özkan", "ozkan"},       {"Şimşek", "simsek"},
    {"Güneş", "gunes"},   {"Aksoy", "aksoy"},     {"Erdoğan", "erdogan"},   {"Işık", "isik"},
};

constexpr NamePair kIrFemale[] = {
    {"فاطمه", "fatemeh"}, {"زهرا", "zahra"},   {"مریم", "maryam"}, {"سارا", "sara"},
    {"نرگس", "narges"},   {"لیلا", "leila"},   {"مهسا", "mahsa"},  {"نازنین", "nazanin"},
    {"شیرین", "shirin"},  {"پریسا", "parisa"}, {"الهام", "elham"}, {"سمیرا", "samira"},
};
constexpr NamePair kIrMale[] = {
    {"محمد", "mohammad"}, {"علی", "ali"},    {"حسین", "hossein"},  {"رضا", "reza"},
    {"مهدی", "mehdi"},    {"امیر", "amir"},  {"حسن", "hassan"},    {"سعید", "saeed"},
    {"مجید", "majid"},    {"احمد", "ahmad"}, {"بهروز", "behrouz"}, {"کامران", "kamran"},
};
constexpr NamePair kIrLast[] = {
    {"رضایی", "rezaei"},  {"محمدی", "mohammadi"}, {"حسینی", "hosseini"}, {"احمدی", "ahmadi"},
    {"کریمی", "karimi"},  {"موسوی", "mousavi"},   {"جعفری", "jafari"},   {"رحیمی", "rahimi"},
    {"صادقی", "sadeghi"}, {"هاشمی", "hashemi"},   {"کاظمی", "kazemi"},   {"قاسمی", "ghasemi"},
    {"نوری", "nouri"},    {"طاهری", "taheri"},
};

constexpr NamePair kDeFemale[] = {
    {"Anna", "anna"},           {"Lena", "lena"},      {"Sophie", "sophie"}, {"Marie", "marie"},
    {"Emma", "emma"},           {"Hannah", "hannah"},  {"Lea", "lea"},       {"Jana", "jana"},
    {"Katharina", "katharina"}, {"Jördis", "joerdis"},
};
constexpr NamePair kDeMale[] = {
    {"Lukas", "lukas"},           {"Leon", "leon"},  {"Jonas", "jonas"},
    {"Felix", "felix"},           {"Paul", "paul"},  {"Jürgen", "juergen"},
    {"Björn", "bjoern"},          {"Jörg", "joerg"}, {"Stefan", "stefan"},
    {"Maximilian", "maximilian"},
};
constexpr NamePair kDeLast[] = {
    {"Müller", "mueller"},  {"Schmidt", "schmidt"},   {"Schneider", "schneider"},
    {"Fischer", "fischer"}, {"Weber", "weber"},       {"Meyer", "meyer"},
    {"Wagner", "wagner"},   {"Becker", "becker"},     {"Schäfer", "schaefer"},
    {"Köhler", "koehler"},  {"Hoffmann", "hoffmann"}, {"Krüger", "krueger"},
    {"Groß", "gross"},
};

constexpr NamePair kGbFemale[] = {
    {"Olivia", "olivia"}, {"Amelia", "amelia"},   {"Isla", "isla"},
    {"Ava", "ava"},       {"Emily", "emily"},     {"Grace", "grace"},
    {"Chloe", "chloe"},   {"Siobhán", "siobhan"}, {"Zoë", "zoe"},
};
constexpr NamePair kGbMale[] = {
    {"Oliver", "oliver"},   {"George", "george"}, {"Harry", "harry"}, {"Jack", "jack"},
    {"Charlie", "charlie"}, {"Thomas", "thomas"}, {"James", "james"}, {"William", "william"},
    {"Seán", "sean"},       {"Rhys", "rhys"},
};
constexpr NamePair kGbLast[] = {
    {"Smith", "smith"},     {"Jones", "jones"},    {"Williams", "williams"}, {"Taylor", "taylor"},
    {"Brown", "brown"},     {"Davies", "davies"},  {"Evans", "evans"},       {"Wilson", "wilson"},
    {"Roberts", "roberts"}, {"O'Brien", "obrien"}, {"Johnson", "johnson"},
};

constexpr NamePair kUsFemale[] = {
    {"Mary", "mary"},       {"Jennifer", "jennifer"}, {"Linda", "linda"}, {"Emily", "emily"},
    {"Jessica", "jessica"}, {"Ashley", "ashley"},     {"Sarah", "sarah"}, {"Madison", "madison"},
    {"María", "maria"},     {"Chloé", "chloe"},
};
constexpr NamePair kUsMale[] = {
    {"James", "james"}, {"John", "john"},       {"Robert", "robert"}, {"Michael", "michael"},
    {"David", "david"}, {"William", "william"}, {"Daniel", "daniel"}, {"Matthew", "matthew"},
    {"José", "jose"},   {"Andrés", "andres"},
};
constexpr NamePair kUsLast[] = {
    {"Smith", "smith"},       {"Johnson", "johnson"}, {"Williams", "williams"},
    {"Brown", "brown"},       {"Jones", "jones"},     {"García", "garcia"},
    {"Miller", "miller"},     {"Davis", "davis"},     {"Rodríguez", "rodriguez"},
    {"Martínez", "martinez"}, {"Nguyen", "nguyen"},   {"Lee", "lee"},
};

constexpr std::array<Country, 5> kCountries = {{
    {"TR", Language::kTr, "tr", 0.50, kTrFemale, kTrMale, kTrLast, 0.65, 0.50, 0.55},
    {"IR", Language::kFa, "fa", 0.25, kIrFemale, kIrMale, kIrLast, 0.45, 0.60, 0.30},
    {"DE", Language::kEn, "en", 0.09, kDeFemale, kDeMale, kDeLast, 0.60, 0.30, 0.35},
    {"GB", Language::kEn, "en", 0.08, kGbFemale, kGbMale, kGbLast, 0.70, 0.40, 0.30},
    {"US", Language::kEn, "en", 0.08, kUsFemale, kUsMale, kUsLast, 0.75, 0.45, 0.20},
}};

// Phone prefixes: TR and IR mobile ranges; DE a mobile range; GB Ofcom's drama range
// 07700 900xxx and US 555-01xx, both reserved for fiction.
constexpr std::array<City, 48> kCities = {{
    {0, "Marmara", "İstanbul", "Europe/Istanbul", "+905", 9, 0.35},
    {0, "İç Anadolu", "Ankara", "Europe/Istanbul", "+905", 9, 0.15},
    {0, "Ege", "İzmir", "Europe/Istanbul", "+905", 9, 0.12},
    {0, "Marmara", "Bursa", "Europe/Istanbul", "+905", 9, 0.07},
    {0, "Akdeniz", "Antalya", "Europe/Istanbul", "+905", 9, 0.07},
    {0, "Akdeniz", "Adana", "Europe/Istanbul", "+905", 9, 0.05},
    {0, "İç Anadolu", "Konya", "Europe/Istanbul", "+905", 9, 0.05},
    {0, "Güneydoğu Anadolu", "Gaziantep", "Europe/Istanbul", "+905", 9, 0.04},
    {0, "İç Anadolu", "Kayseri", "Europe/Istanbul", "+905", 9, 0.03},
    {0, "İç Anadolu", "Eskişehir", "Europe/Istanbul", "+905", 9, 0.03},
    {0, "Karadeniz", "Trabzon", "Europe/Istanbul", "+905", 9, 0.02},
    {0, "Güneydoğu Anadolu", "Diyarbakır", "Europe/Istanbul", "+905", 9, 0.02},
    {1, "استان تهران", "تهران", "Asia/Tehran", "+989", 9, 0.40},
    {1, "خراسان رضوی", "مشهد", "Asia/Tehran", "+989", 9, 0.12},
    {1, "اصفهان", "اصفهان", "Asia/Tehran", "+989", 9, 0.10},
    {1, "فارس", "شیراز", "Asia/Tehran", "+989", 9, 0.08},
    {1, "آذربایجان شرقی", "تبریز", "Asia/Tehran", "+989", 9, 0.08},
    {1, "البرز", "کرج", "Asia/Tehran", "+989", 9, 0.07},
    {1, "خوزستان", "اهواز", "Asia/Tehran", "+989", 9, 0.05},
    {1, "قم", "قم", "Asia/Tehran", "+989", 9, 0.04},
    {1, "گیلان", "رشت", "Asia/Tehran", "+989", 9, 0.03},
    {1, "کرمانشاه", "کرمانشاه", "Asia/Tehran", "+989", 9, 0.03},
    {2, "Berlin", "Berlin", "Europe/Berlin", "+49151", 8, 0.22},
    {2, "Bayern", "München", "Europe/Berlin", "+49160", 8, 0.16},
    {2, "Hamburg", "Hamburg", "Europe/Berlin", "+49170", 8, 0.12},
    {2, "Nordrhein-Westfalen", "Köln", "Europe/Berlin", "+49176", 8, 0.12},
    {2, "Hessen", "Frankfurt am Main", "Europe/Berlin", "+49151", 8, 0.10},
    {2, "Baden-Württemberg", "Stuttgart", "Europe/Berlin", "+49160", 8, 0.10},
    {2, "Nordrhein-Westfalen", "Düsseldorf", "Europe/Berlin", "+49170", 8, 0.10},
    {2, "Sachsen", "Leipzig", "Europe/Berlin", "+49176", 8, 0.08},
    {3, "England", "London", "Europe/London", "+447700900", 3, 0.40},
    {3, "England", "Manchester", "Europe/London", "+447700900", 3, 0.10},
    {3, "England", "Birmingham", "Europe/London", "+447700900", 3, 0.10},
    {3, "England", "Leeds", "Europe/London", "+447700900", 3, 0.07},
    {3, "England", "Bristol", "Europe/London", "+447700900", 3, 0.07},
    {3, "Scotland", "Glasgow", "Europe/London", "+447700900", 3, 0.08},
    {3, "Scotland", "Edinburgh", "Europe/London", "+447700900", 3, 0.07},
    {3, "Wales", "Cardiff", "Europe/London", "+447700900", 3, 0.06},
    {3, "Northern Ireland", "Belfast", "Europe/London", "+447700900", 3, 0.05},
    {4, "New York", "New York", "America/New_York", "+121255501", 2, 0.22},
    {4, "California", "Los Angeles", "America/Los_Angeles", "+121355501", 2, 0.16},
    {4, "Illinois", "Chicago", "America/Chicago", "+131255501", 2, 0.12},
    {4, "Texas", "Houston", "America/Chicago", "+171355501", 2, 0.10},
    {4, "Arizona", "Phoenix", "America/Phoenix", "+160255501", 2, 0.08},
    {4, "Colorado", "Denver", "America/Denver", "+130355501", 2, 0.08},
    {4, "Washington", "Seattle", "America/Los_Angeles", "+120655501", 2, 0.10},
    {4, "Florida", "Miami", "America/New_York", "+130555501", 2, 0.09},
    {4, "Hawaii", "Honolulu", "Pacific/Honolulu", "+180855501", 2, 0.05},
}};

using TextList = std::span<const std::string_view>;

constexpr std::string_view kTrChat[] = {
    "Merhaba, siparişim ne zaman gelir?", "Bu ürün stokta var mı?",
    "Teslimat adresimi değiştirmek istiyorum.", "İade nasıl yapılır?"};
constexpr std::string_view kTrComplaint[] = {"Sipariş geç geldi.", "Ürün hasarlı çıktı.",
                                             "Müşteri hizmetleri dönüş yapmadı."};
constexpr std::string_view kTrGood[] = {"Harika, çok memnun kaldım!", "Hızlı kargo, teşekkürler.",
                                        "Ürün beklediğimden güzel çıktı."};
constexpr std::string_view kTrNeutral[] = {"Fena değil.", "İdare eder."};
constexpr std::string_view kTrBad[] = {"Kalite çok düşük.",
                                       "Hiç memnun kalmadım, ürün kırık geldi."};

constexpr std::string_view kFaChat[] = {
    "سلام، سفارش من کی می‌رسد؟", "آیا این محصول موجود است؟",
    "می‌خواهم آدرس تحویل را تغییر دهم.", "چطور کالا را مرجوع کنم؟"};
constexpr std::string_view kFaComplaint[] = {"سفارش دیر رسید.", "محصول آسیب دیده بود.",
                                             "پشتیبانی پاسخ نداد."};
constexpr std::string_view kFaGood[] = {"عالی بود", "خیلی راضی هستم، ممنون",
                                        "ارسال سریع بود، سپاس"};
constexpr std::string_view kFaNeutral[] = {"بد نبود", "معمولی بود"};
constexpr std::string_view kFaBad[] = {"کیفیت پایین بود", "اصلاً راضی نیستم"};

constexpr std::string_view kEnChat[] = {"Hi, when will my order arrive?", "Is this item in stock?",
                                        "I'd like to change my delivery address.",
                                        "How do I return an item?"};
constexpr std::string_view kEnComplaint[] = {"My order arrived late.", "The item was damaged.",
                                             "Support never answered my e-mails."};
constexpr std::string_view kEnGood[] = {"Great, very happy!", "Fast delivery, thanks.",
                                        "Better than I expected."};
constexpr std::string_view kEnNeutral[] = {"It was OK.", "Fine, nothing special."};
constexpr std::string_view kEnBad[] = {"Poor quality.", "Not happy, the item arrived \"broken\"."};

constexpr std::array<std::array<TextList, static_cast<std::size_t>(TextKind::kCount)>,
                     kLanguageCount>
    kTexts = {{
        {{kTrChat, kTrComplaint, kTrGood, kTrNeutral, kTrBad}},
        {{kFaChat, kFaComplaint, kFaGood, kFaNeutral, kFaBad}},
        {{kEnChat, kEnComplaint, kEnGood, kEnNeutral, kEnBad}},
    }};

constexpr std::string_view kTrExit[kExitReasonCount][2] = {
    {"Fiyatlar çok yükseldi", "Başka yerde daha ucuza buldum, kusura bakmayın"},
    {"Müşteri hizmetleri ilgisizdi", "Şikayetim çözülmedi"},
    {"Aradığım ürünleri bulamıyorum", "Çeşit az"},
    {"Taksit seçeneği yok", "Mobil uygulama olmadığı için"},
    {"Başka bir şehre taşındım", "Yurt dışına taşındım"},
    {"Artık ihtiyacım yok", "Kişisel sebepler"},
};
constexpr std::string_view kFaExit[kExitReasonCount][2] = {
    {"قیمت‌ها خیلی بالا رفته",
     "جای دیگری ارزان‌تر پیدا کردم"},
    {"پشتیبانی ضعیف بود", "مشکل من حل نشد"},
    {"تنوع محصولات کم است", "کالای مورد نظرم را پیدا نکردم"},
    {"اپلیکیشن موبایل ندارید", "امکان پرداخت اقساطی نیست"},
    {"به شهر دیگری نقل مکان کردم", "از کشور رفتم"},
    {"دیگر نیازی ندارم", "دلایل شخصی"},
};
constexpr std::string_view kEnExit[kExitReasonCount][2] = {
    {"Prices went up too much, I found it cheaper elsewhere", "Too expensive"},
    {"Support was slow and unhelpful", "My complaint was never resolved"},
    {"Not enough choice", "Could not find what I needed"},
    {"No mobile app", "I need \"gift cards\", you don't have them"},
    {"I moved abroad", "Moved to another city"},
    {"Just don't need it right now", "Personal reasons"},
};

constexpr std::string_view kExitReasons[kExitReasonCount] = {"price",   "service", "selection",
                                                             "feature", "moved",   "other"};

constexpr std::string_view kFeatures[] = {"feat-mobile-app",    "feat-installments",
                                          "feat-gift-cards",    "feat-express-delivery",
                                          "feat-subscriptions", "feat-dark-mode"};

}  // namespace

std::span<const Country> Countries() { return kCountries; }
std::span<const City> Cities() { return kCities; }

std::span<const std::string_view> Texts(Language language, TextKind kind) {
  return kTexts[static_cast<std::size_t>(language)][static_cast<std::size_t>(kind)];
}

std::string_view ExitReasonName(std::size_t reason) { return kExitReasons[reason]; }

std::span<const std::string_view> ExitTexts(Language language, std::size_t reason) {
  switch (language) {
    case Language::kTr:
      return kTrExit[reason];
    case Language::kFa:
      return kFaExit[reason];
    case Language::kEn:
      return kEnExit[reason];
  }
  return kEnExit[reason];
}

std::span<const std::string_view> FeatureKeys() { return kFeatures; }

}  // namespace winback::sim::internal
