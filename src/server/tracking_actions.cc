#include "server/tracking_actions.h"

namespace winback::server {

Result<bool> RecordEvent(store::Store& store, const TrackedEvent& event) {
  WINBACK_ASSIGN_OR_RETURN(store::CustomerProfile profile, store.LoadCustomerByKey(event.customer));
  WINBACK_ASSIGN_OR_RETURN(std::vector<store::EventRecord> events,
                           store.LoadEvents(event.customer));
  for (const store::EventRecord& e : events) {
    if (e.id == event.id) return false;
  }
  store::EventRecord record;
  record.id = event.id;
  record.customer_id = profile.record.id;
  record.type = event.type;
  record.at = event.at;
  if (!event.channel.empty()) {
    record.channel = event.channel;
    record.present.Set(store::EventField::kChannel);
  }
  if (!event.ref.empty()) {
    record.ref = event.ref;
    record.present.Set(store::EventField::kRef);
  }
  if (!event.text.empty()) {
    record.text = event.text;
    record.present.Set(store::EventField::kText);
  }
  if (!event.properties.empty()) {
    record.properties = event.properties;
    record.present.Set(store::EventField::kProperties);
  }
  WINBACK_ASSIGN_OR_RETURN(auto session, store.BeginImport("server: " + event.id));
  WINBACK_ASSIGN_OR_RETURN(bool written, session->UpsertEvent(event.customer, record));
  WINBACK_RETURN_IF_ERROR(session->Commit().status());
  return written;
}

bool Subscribed(const store::CustomerProfile& profile, ChannelKind channel) {
  const auto index = static_cast<unsigned>(channel);
  return profile.record.consent[index] == Consent::kGranted &&
         (profile.aggregates.unsubscribed_channels & (1u << index)) == 0;
}

Result<bool> Unsubscribe(store::Store& store, CustomerKey customer, ChannelKind channel,
                         std::string_view event_id, std::string_view ref, std::string_view reason,
                         Instant at) {
  WINBACK_ASSIGN_OR_RETURN(store::CustomerProfile before, store.LoadCustomerByKey(customer));
  const auto bit = 1u << static_cast<unsigned>(channel);
  const bool already = (before.aggregates.unsubscribed_channels & bit) != 0;
  {
    WINBACK_ASSIGN_OR_RETURN(auto write, store.BeginWrite());
    WINBACK_RETURN_IF_ERROR(write->SetConsent(customer, channel, Consent::kDenied));
    WINBACK_RETURN_IF_ERROR(write->Commit());
  }
  TrackedEvent event;
  event.id = std::string(event_id);
  event.customer = customer;
  event.type = EventType::kUnsubscribe;
  event.at = at;
  event.channel = std::string(ChannelKindName(channel));
  event.ref = std::string(ref);
  if (!reason.empty()) event.properties = "{\"via\":\"" + std::string(reason) + "\"}";
  WINBACK_RETURN_IF_ERROR(RecordEvent(store, event).status());
  return !already;
}

Status GrantConsent(store::Store& store, CustomerKey customer, ChannelKind channel) {
  WINBACK_ASSIGN_OR_RETURN(store::CustomerProfile profile, store.LoadCustomerByKey(customer));
  if ((profile.aggregates.unsubscribed_channels & (1u << static_cast<unsigned>(channel))) != 0) {
    return FailedPreconditionError("customer unsubscribed from " +
                                   std::string(ChannelKindName(channel)));
  }
  WINBACK_ASSIGN_OR_RETURN(auto write, store.BeginWrite());
  WINBACK_RETURN_IF_ERROR(write->SetConsent(customer, channel, Consent::kGranted));
  return write->Commit();
}

Result<bool> SetKindPreference(store::Store& store, CustomerKey customer, MessageKind kind,
                               bool wanted, Instant at) {
  WINBACK_RETURN_IF_ERROR(store.LoadCustomerByKey(customer).status());  // NotFound.
  WINBACK_ASSIGN_OR_RETURN(std::vector<store::KindOptOut> before, store.LoadKindOptOuts(customer));
  bool opted_out = false;
  for (const store::KindOptOut& o : before) opted_out |= o.kind == kind;
  if (opted_out != wanted) return false;  // Already as asked.
  WINBACK_ASSIGN_OR_RETURN(auto write, store.BeginWrite());
  WINBACK_RETURN_IF_ERROR(
      write->SetKindOptOut(customer, kind, wanted ? std::nullopt : std::optional<Instant>(at)));
  WINBACK_RETURN_IF_ERROR(write->Commit());
  return true;
}

}  // namespace winback::server
