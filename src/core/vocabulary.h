#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

// The domain vocabulary every module speaks: the channels a customer can be reached on, what they
// said about being contacted, order statuses and interaction event types. Their names are the
// spellings of docs/formats.md; their numeric values are stored, so the enums are append-only.
namespace winback {

// A kind of messaging channel a customer can consent to and be reached on. (The adapters that
// deliver over a channel are channels::Channel; this is only the name of the medium.)
enum class ChannelKind : std::uint8_t { kEmail = 0, kSms = 1, kWhatsapp = 2 };
inline constexpr int kChannelKindCount = 3;
// "email", "sms", "whatsapp".
std::string_view ChannelKindName(ChannelKind c);
// The channel spelled `name` exactly as ChannelKindName writes it; nullopt otherwise.
std::optional<ChannelKind> ParseChannelKind(std::string_view name);

// What the customer said about being contacted on a channel.
enum class Consent : std::uint8_t { kUnknown = 0, kGranted = 1, kDenied = 2 };
// "unknown", "granted", "denied".
std::string_view ConsentName(Consent c);

enum class OrderStatus : std::uint8_t { kCompleted = 0, kRefunded = 1, kCancelled = 2 };
inline constexpr int kOrderStatusCount = 3;
// "completed", "refunded", "cancelled".
std::string_view OrderStatusName(OrderStatus s);
std::optional<OrderStatus> ParseOrderStatus(std::string_view name);

// A kind of message, as a customer chooses what they receive in the preference centre: every
// campaign has one (derived from its trigger, or `kind` in its [[campaign]] table), and a
// customer may opt out of a kind without leaving a channel. Stored by number: append-only.
//   offers     incentives to come back or buy more (winback, long_inactive, spend_threshold)
//   reminders  nudges about something the customer began (cart_abandoned)
//   occasions  greetings on dates (birthday, anniversary, holiday)
//   service    follow-ups to what the customer did (post_purchase, onboarding,
//              complaint_resolved)
//   news       news of features and products (feature_shipped)
enum class MessageKind : std::uint8_t {
  kOffers = 0,
  kReminders = 1,
  kOccasions = 2,
  kService = 3,
  kNews = 4
};
inline constexpr int kMessageKindCount = 5;
// "offers", "reminders", "occasions", "service", "news".
std::string_view MessageKindName(MessageKind k);
// The kind spelled `name` exactly as MessageKindName writes it; nullopt otherwise.
std::optional<MessageKind> ParseMessageKind(std::string_view name);

// Event types of docs/formats.md.
enum class EventType : std::uint8_t {
  kVisit = 0,
  kEmailOpen,
  kEmailClick,
  kSmsClick,
  kWhatsappRead,
  kWhatsappReply,
  kChat,
  kCall,
  kNote,
  kTicketOpened,
  kTicketResolved,
  kComplaint,
  kReview,
  kReferral,
  kCartAbandoned,
  kSubscriptionCancelled,
  kExitSurvey,
  kFeatureRequested,
  kFeatureShipped,
  kPaymentDefault,
  kUnsubscribe,
  kBounce,
  // A reply to an e-mail or an SMS (WhatsApp replies are kWhatsappReply).
  kEmailReply,
  kSmsReply,
};
inline constexpr int kEventTypeCount = 24;
// The snake_case name of docs/formats.md ("visit", "exit_survey", ...).
std::string_view EventTypeName(EventType t);
std::optional<EventType> ParseEventType(std::string_view name);

}  // namespace winback
