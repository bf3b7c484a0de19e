#include "store/outbox_store.h"

#include <array>

namespace winback::store {
namespace {

constexpr std::array<std::string_view, kMessageStatusCount> kMessageStatusNames = {
    "planned", "sending", "sent", "retry", "dead", "cancelled", "unknown", "holdout", "expired"};

}  // namespace

std::string_view MessageStatusName(MessageStatus status) {
  const auto i = static_cast<std::size_t>(status);
  return i < kMessageStatusNames.size() ? kMessageStatusNames[i] : std::string_view("invalid");
}

std::optional<MessageStatus> MessageStatusFromName(std::string_view name) {
  for (std::size_t i = 0; i < kMessageStatusNames.size(); ++i) {
    if (kMessageStatusNames[i] == name) return static_cast<MessageStatus>(i);
  }
  return std::nullopt;
}

std::string_view JourneyStateName(JourneyState state) {
  switch (state) {
    case JourneyState::kActive:
      return "active";
    case JourneyState::kCompleted:
      return "completed";
    case JourneyState::kExited:
      return "exited";
    case JourneyState::kSuppressed:
      return "suppressed";
  }
  return "invalid";
}

}  // namespace winback::store
