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
