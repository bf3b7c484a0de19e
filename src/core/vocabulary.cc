#include "core/vocabulary.h"

#include <array>
#include <cstddef>

namespace winback {
namespace {

constexpr std::array<std::string_view, kChannelKindCount> kChannelNames = {"email", "sms",
                                                                           "whatsapp"};
constexpr std::array<std::string_view, kMessageKindCount> kMessageKindNames = {
    "offers", "reminders", "occasions", "service", "news"};
constexpr std::array<std::string_view, 3> kConsentNames = {"unknown", "granted", "denied"};
constexpr std::array<std::string_view, kOrderStatusCount> kStatusNames = {"completed", "refunded",
                                                                          "cancelled"};
constexpr std::array<std::string_view, kEventTypeCount> kEventNames = {"visit",
                                                                       "email_open",
                                                                       "email_click",
                                                                       "sms_click",
                                                                       "whatsapp_read",
                                                                       "whatsapp_reply",
                                                                       "chat",
                                                                       "call",
                                                                       "note",
                                                                       "ticket_opened",
                                                                       "ticket_resolved",
                                                                       "complaint",
                                                                       "review",
                                                                       "referral",
                                                                       "cart_abandoned",
                                                                       "subscription_cancelled",
                                                                       "exit_survey",
                                                                       "feature_requested",
                                                                       "feature_shipped",
                                                                       "payment_default",
                                                                       "unsubscribe",
                                                                       "bounce",
                                                                       "email_reply",
                                                                       "sms_reply"};

template <typename Enum, std::size_t N>
std::optional<Enum> Find(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view ChannelKindName(ChannelKind c) {
  return kChannelNames[static_cast<std::size_t>(c)];
}
std::optional<ChannelKind> ParseChannelKind(std::string_view name) {
  return Find<ChannelKind>(kChannelNames, name);
}

std::string_view MessageKindName(MessageKind k) {
  return kMessageKindNames[static_cast<std::size_t>(k)];
}
std::optional<MessageKind> ParseMessageKind(std::string_view name) {
  return Find<MessageKind>(kMessageKindNames, name);
}

std::string_view ConsentName(Consent c) { return kConsentNames[static_cast<std::size_t>(c)]; }

std::string_view OrderStatusName(OrderStatus s) {
  return kStatusNames[static_cast<std::size_t>(s)];
}
std::optional<OrderStatus> ParseOrderStatus(std::string_view name) {
  return Find<OrderStatus>(kStatusNames, name);
}

std::string_view EventTypeName(EventType t) { return kEventNames[static_cast<std::size_t>(t)]; }
std::optional<EventType> ParseEventType(std::string_view name) {
  return Find<EventType>(kEventNames, name);
}

}  // namespace winback
