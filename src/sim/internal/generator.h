#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/status.h"
#include "core/vocabulary.h"
#include "sim/internal/clock.h"
#include "sim/internal/population.h"
#include "sim/internal/random.h"
#include "sim/internal/text.h"
#include "sim/internal/zone_offsets.h"
#include "sim/simulator.h"

namespace winback::sim::internal {

// The CSV headers the generator writes (docs/formats.md).
inline constexpr std::string_view kCustomersHeader =
    "id,email,phone,first_name,last_name,birth_date,birth_year,gender,education,country,region,"
    "city,time_zone,language,signup_at,consent_email,consent_sms,consent_whatsapp,"
    "preferred_channel,referred_by\n";
inline constexpr std::string_view kProductsHeader =
    "sku,name,category,price,currency,launched_at,url,image_url\n";
inline constexpr std::string_view kOrdersHeader = "id,customer_id,time,amount,currency,status\n";
inline constexpr std::string_view kOrdersHeaderWithItems =
    "id,customer_id,time,amount,currency,status,items\n";
inline constexpr std::string_view kEventsHeader =
    "id,customer_id,type,time,channel,reason,score,value,currency,ref,text\n";
inline constexpr std::string_view kTruthHeader =
    "id,buyer,acquired_at,lambda_per_day,p_dropout,spend_mean,alive_at_end,died_at,"
    "repeat_purchases\n";

// The event types the simulator writes, in the order of truth.json's counts.
inline constexpr EventType kSimulatedEventTypes[] = {EventType::kVisit,
                                                     EventType::kEmailOpen,
                                                     EventType::kEmailClick,
                                                     EventType::kChat,
                                                     EventType::kTicketOpened,
                                                     EventType::kTicketResolved,
                                                     EventType::kComplaint,
                                                     EventType::kReview,
                                                     EventType::kReferral,
                                                     EventType::kCartAbandoned,
                                                     EventType::kExitSurvey,
                                                     EventType::kSubscriptionCancelled,
                                                     EventType::kFeatureRequested,
                                                     EventType::kPaymentDefault,
                                                     EventType::kUnsubscribe,
                                                     EventType::kBounce};

// The output of a block of consecutive customers: the bytes of each file and the counts.
struct Chunk {
  ByteBuffer customers;
  ByteBuffer orders;
  ByteBuffer events;
  ByteBuffer truth;
  std::int64_t customer_rows = 0;
  std::int64_t order_rows = 0;
  std::int64_t event_rows = 0;
  std::int64_t buyers = 0;
  std::int64_t alive = 0;
  std::array<std::int64_t, kOrderStatusCount> orders_by_status{};  // by OrderStatus
  std::array<std::int64_t, kEventTypeCount> events_by_type{};      // by EventType

  void Clear();
};

// Everything the generator derives once from the options: zone tables, the window, clocks.
// Immutable after Create; shared by all worker threads.
class Model {
 public:
  // `options` must be valid (see ValidateOptions in simulator.cc). Internal when a zone of the
  // population tables is missing from the tz database.
  static Result<Model> Create(const SimOptions& options);

  const SimOptions& options() const { return options_; }
  const Currency& currency() const { return currency_; }
  std::int64_t start_day() const { return start_day_; }
  double window_days() const { return window_days_; }
  double tau_end() const { return tau_end_; }
  const Seasonality& season() const { return season_; }
  const TimeOfDay& time_of_day() const { return time_of_day_; }
  const ZoneOffsets& zone_of_city(std::size_t city) const { return zones_[city_zone_[city]]; }
  const std::vector<double>& city_cdf() const { return city_cdf_; }
  double minor_per_unit() const { return minor_per_unit_; }

 private:
  Model(const SimOptions& options, Currency currency);

  SimOptions options_;
  Currency currency_;
  std::int64_t start_day_ = 0;
  double window_days_ = 0;
  double tau_end_ = 0;
  Seasonality season_;
  TimeOfDay time_of_day_;
  std::vector<ZoneOffsets> zones_;
  std::vector<std::size_t> city_zone_;
  std::vector<double> city_cdf_;
  double minor_per_unit_ = 1;
};

// Generates customers. One per worker thread (it owns scratch buffers); the bytes it produces
// for a customer depend only on the model and the customer number, never on the thread or on
// which customers it generated before.
class Generator {
 public:
  explicit Generator(const Model& model);
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Appends customers first..last (1-based numbers, inclusive) to `out`.
  void Generate(std::int64_t first, std::int64_t last, Chunk& out);

  // The latent draws of a customer that other customers may need (referrals).
  struct Core {
    bool buyer = false;
    double t_acquired = 0;  // operational-day clock of the window, see generator.cc
    double t_signup = 0;
    std::size_t city = 0;
  };
  struct PurchasePath {
    double lambda = 0;
    double p = 0;
    std::vector<double> times;  // completed orders; times[0] is the acquisition
    bool died = false;
  };

  // The latent draws of customer n (1-based), for the campaign responder (responder.cc) as
  // well as for Generate: who and where it is, its BG/NBD purchase path in the window, the
  // Gamma-Gamma rate nu of its spend (the first draw of its spend stream).
  Core CoreOf(std::int64_t n) const;
  void PurchasesOf(std::int64_t n, const Core& core, PurchasePath& path) const;
  double SpendRateOf(std::int64_t n) const;
  // The instant (unix seconds) of operational-day time t in `zone` (day floor(t) is local
  // calendar day start + floor(t), its fraction the time-of-day profile).
  std::int64_t ToUnix(const ZoneOffsets& zone, double t) const;
  // The inverse of ToUnix: the operational-day time t of instant `unix_seconds` in `zone`.
  double TimeOf(const ZoneOffsets& zone, double unix_seconds) const;
  // One order amount in minor units, Gamma(gg_p, nu); at least 1.
  std::int64_t DrawAmount(Rng& rng, double nu) const;

 private:
  // Who the customer is; drawn from the profile stream.
  struct Profile {
    const NamePair* first_name = nullptr;
    const NamePair* last_name = nullptr;
    int gender = 0;  // index into kGenders
    int age = 0;     // at the start of the window
    int birth_year = 0;
    std::int64_t birth_day = 0;  // days since 1970-01-01
    int birth_known = 0;         // 0 nothing, 1 year only, 2 full date
    int education = -1;          // index into kEducation, -1 absent
    bool has_email = false;
    bool has_phone = false;
    int email_domain = 0;
    std::uint64_t phone_number = 0;  // the random digits after the city's prefix
    int consent[3] = {-1, -1, -1};   // email, sms, whatsapp: -1 absent (never asked), 0 no, 1 yes
    int preferred = -1;              // 0 email, 1 sms, 2 whatsapp; -1 absent
  };
  struct Item {
    int sku;
    int quantity;
    std::int64_t price;  // minor units per unit
  };
  struct Order {
    std::int64_t when;  // unix seconds
    std::uint32_t seq;
    OrderStatus status;
    std::int64_t amount;  // minor units
    int item_count;
    Item items[3];
  };
  enum class RefKind : std::uint8_t { kNone, kTicket, kCampaign, kCustomer, kText };
  struct Event {
    std::int64_t when;  // unix seconds
    std::uint32_t seq;
    EventType type;
    std::string_view channel;
    std::string_view reason;
    int score = 0;            // 0 = absent
    std::int64_t value = -1;  // minor units; -1 = absent
    RefKind ref_kind = RefKind::kNone;
    std::int64_t ref_number = 0;  // ticket number, yyyymm, or customer number
    std::string_view ref_text;
    std::string_view text;
  };
  struct Referral {
    std::int64_t referrer;
    std::int64_t unix_seconds;
  };

  std::optional<Referral> ReferralOf(std::int64_t n, const Core& core);
  Profile ProfileOf(std::int64_t n, const Core& core) const;

  void GenerateOne(std::int64_t n, Chunk& out);
  void BuildOrders(const ZoneOffsets& zone, std::int64_t window_begin, double nu, Rng& rng);
  // Draws customer n's events into events_, one function per kind of event (generator.cc).
  struct EventDraw;
  void BuildEvents(std::int64_t n, const Core& core, const Profile& profile,
                   const ZoneOffsets& zone, std::int64_t window_begin, double nu);
  double AddOptOuts(EventDraw& e, const Profile& profile);  // returns when e-mail stops
  void AddVisits(EventDraw& e);
  void AddEmailEngagement(EventDraw& e, const Profile& profile, double email_stop);
  void AddChatsAndCarts(EventDraw& e);
  bool AddSupportAndReviews(EventDraw& e);  // returns whether service went badly
  void AddReferralsMade(EventDraw& e);
  void AddExitEvents(EventDraw& e, bool bad_service);
  void AddPaymentDefault(EventDraw& e);
  void WriteCustomer(const Core& core, const Profile& profile, const ZoneOffsets& zone,
                     const std::optional<Referral>& referral, ByteBuffer& out) const;
  void WriteTruth(const Core& core, const ZoneOffsets& zone, double nu, ByteBuffer& out) const;
  void WriteOrders(const ZoneOffsets& zone, Chunk& out);
  void WriteEvents(const ZoneOffsets& zone, Chunk& out);

  const Model& model_;
  int start_year_;
  char number_buf_[24] = {};
  std::string_view number_;  // decimal digits of the customer being written
  PurchasePath path_;        // the customer being generated
  PurchasePath other_path_;  // scratch for referral checks of other customers
  std::vector<Order> orders_;
  std::vector<Event> events_;
  std::vector<std::uint32_t> order_;  // write order of orders_ or events_
  std::vector<std::int64_t> completed_unix_;
  std::vector<std::int64_t> completed_amount_;
};

}  // namespace winback::sim::internal
