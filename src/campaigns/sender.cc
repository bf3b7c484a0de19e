#include "campaigns/sender.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "campaigns/journey_engine.h"
#include "campaigns/policy.h"
#include "channels/channel_factory.h"
#include "core/random.h"
#include "messages/dkim_signer.h"
#include "messages/link_token.h"
#include "messages/mime.h"
#include "messages/tracking_links.h"

namespace winback::campaigns {
namespace {

using store::DeliveryRecord;
using store::MessageStatus;
using store::OutboxMessage;

bool IsWinback(TriggerKind t) {
  return t == TriggerKind::kWinback || t == TriggerKind::kLongInactive;
}

std::string HostName() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0) return "localhost";
  return buffer;
}

// Field 22 of /proc/PID/stat (the start time in clock ticks since boot), or "" when the process
// does not exist. The command name (field 2) may hold spaces and parentheses: fields are
// counted after its last ')'.
std::string ProcessStartTime(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  if (!in) return "";
  std::string line;
  std::getline(in, line);
  const std::size_t close = line.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  // After ')': field 3 (state) is the first; field 22 is the 20th.
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) return "";
  }
  return field;
}

// The domain of an address, "Shop <shop@example.com>" -> "example.com".
std::string DomainOf(std::string_view from) {
  const std::size_t at = from.rfind('@');
  if (at == std::string_view::npos) return "localhost";
  std::string_view domain = from.substr(at + 1);
  const std::size_t end = domain.find_first_of("> ");
  if (end != std::string_view::npos) domain = domain.substr(0, end);
  return domain.empty() ? "localhost" : std::string(domain);
}

DeliveryRecord Record(MessageStatus status, Instant at, std::string detail,
                      std::string provider_id = "",
                      std::optional<Instant> next_attempt_at = std::nullopt) {
  return DeliveryRecord{.status = status,
                        .at = at,
                        .next_attempt_at = next_attempt_at,
                        .detail = std::move(detail),
                        .provider_id = std::move(provider_id)};
}

class Sender {
 public:
  Sender(store::Store& store, const CampaignSettings& settings,
         const channels::ChannelSettings& channels, const SendOptions& options,
         const ChannelFactory& factory, const messages::DkimSigner* dkim)
      : store_(store),
        settings_(settings),
        channels_(channels),
        options_(options),
        factory_(factory),
        dkim_(dkim),
        random_(options.jitter_seed != 0
                    ? options.jitter_seed
                    : (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()) {}

  Result<SendSummary> Run() {
    WINBACK_RETURN_IF_ERROR(Recover());
    if (options_.retry_unknown) {
      WINBACK_ASSIGN_OR_RETURN(summary_.requeued_unknown, store_.RequeueUnknown(Now()));
    }
    WINBACK_ASSIGN_OR_RETURN(std::vector<Date> dates, store_.ScoreDates());
    score_dates_ = std::move(dates);
    std::int64_t claimed_total = 0;
    while (options_.limit == 0 || claimed_total < options_.limit) {
      std::int64_t want = options_.batch;
      if (options_.limit > 0) want = std::min(want, options_.limit - claimed_total);
      WINBACK_ASSIGN_OR_RETURN(
          std::vector<OutboxMessage> batch,
          store_.ClaimDue(store::ClaimRequest{.owner = options_.owner,
                                              .now = Now(),
                                              .lease_seconds = options_.lease_seconds,
                                              .limit = want}));
      if (batch.empty()) break;
      claimed_total += static_cast<std::int64_t>(batch.size());
      for (const OutboxMessage& message : batch) {
        const Status status = SendOne(message);
        if (!status.ok()) {
          // Whatever was claimed and not handed over goes back to the queue; a message in
          // flight whose outcome could not be recorded becomes unknown.
          (void)store_.RecoverClaims(options_.owner, Instant());
          return status;
        }
      }
    }
    return summary_;
  }

 private:
  Instant Now() const { return options_.clock ? options_.clock() : options_.now; }

  Status Recover() {
    WINBACK_ASSIGN_OR_RETURN(std::int64_t expired, store_.RecoverClaims(std::nullopt, Now()));
    summary_.recovered += expired;
    WINBACK_ASSIGN_OR_RETURN(std::vector<std::string> owners, store_.ClaimOwners());
    for (const std::string& owner : owners) {
      if (owner == options_.owner || !SenderIsGone(owner)) continue;
      WINBACK_ASSIGN_OR_RETURN(std::int64_t n, store_.RecoverClaims(owner, Instant()));
      summary_.recovered += n;
    }
    return Status::Ok();
  }

  void Count(ChannelKind kind, std::int64_t SendCounts::*field) {
    ++(summary_.total.*field);
    ++(summary_.by_channel[static_cast<int>(kind)].*field);
  }

  // When the journey that made `message` began: the entry of the customer's journey of its
  // campaign whose occurrence ends its key (CAMPAIGN/STEP/CUSTOMER_ID/OCCURRENCE), else
  // message.planned_at.
  Result<Instant> JourneyEntry(const OutboxMessage& message) {
    const std::optional<std::int32_t> occurrence = OccurrenceOfKey(message.key);
    if (!occurrence) return message.planned_at;
    WINBACK_ASSIGN_OR_RETURN(std::vector<store::Journey> journeys,
                             store_.LoadJourneys(message.customer));
    for (const store::Journey& j : journeys) {
      if (j.campaign == message.campaign && j.occurrence == *occurrence) return j.entered_at;
    }
    return message.planned_at;
  }

  // Why `message` must not go out now, or "".
  Result<std::string> CancelReason(const OutboxMessage& message, const Campaign* campaign,
                                   const store::CustomerProfile& customer) {
    if (campaign == nullptr) return "campaign '" + message.campaign + "' is no longer configured";
    ContactInfo contact;
    for (int ch = 0; ch < kChannelKindCount; ++ch)
      contact.consent[ch] = customer.record.consent[ch];
    contact.has_address[static_cast<int>(ChannelKind::kEmail)] = !customer.record.email.empty();
    contact.has_address[static_cast<int>(ChannelKind::kSms)] = !customer.record.phone.empty();
    contact.has_address[static_cast<int>(ChannelKind::kWhatsapp)] = !customer.record.phone.empty();
    contact.unsubscribed_channels = customer.aggregates.unsubscribed_channels;
    contact.bounced_channels = customer.aggregates.bounced_channels;
    if (!Contactable(contact, message.channel)) {
      const std::uint32_t bit = 1u << static_cast<unsigned>(message.channel);
      const std::string channel(ChannelKindName(message.channel));
      if ((contact.unsubscribed_channels & bit) != 0) return "unsubscribed from " + channel;
      if ((contact.bounced_channels & bit) != 0) return "bounced on " + channel;
      return "no consent or address for " + channel;
    }
    WINBACK_ASSIGN_OR_RETURN(std::vector<store::KindOptOut> opt_outs,
                             store_.LoadKindOptOuts(message.customer));
    for (const store::KindOptOut& o : opt_outs) contact.opted_out_kinds |= KindBit(o.kind);
    if (!WantsKind(contact, KindOf(*campaign))) return KindRefusal(KindOf(*campaign));
    if (ExitsOnOrder(campaign->trigger) && customer.aggregates.last_order_at) {
      // An order since the journey began ends it. The journey's entry is the moment that
      // counts (a cart abandoned at 10:00 after an order at 09:00 is still worth a reminder);
      // planned_at, the start of the plan's day, only when the journey cannot be found.
      WINBACK_ASSIGN_OR_RETURN(Instant since, JourneyEntry(message));
      if (*customer.aggregates.last_order_at > since) {
        return "ordered at " + FormatTimestamp(*customer.aggregates.last_order_at);
      }
    }
    if (IsWinback(campaign->trigger)) {
      const Date today = UtcDate(Now());
      auto it = std::upper_bound(score_dates_.begin(), score_dates_.end(), today);
      if (it != score_dates_.begin()) {
        WINBACK_ASSIGN_OR_RETURN(std::optional<store::CustomerScore> score,
                                 store_.LoadScore(*std::prev(it), message.customer));
        if (score && !score->let_go.empty()) return "let go: " + score->let_go;
      }
    }
    return std::string();
  }

  // The message as its channel takes it; an error means it can never be sent as it is.
  Result<channels::OutboundMessage> Render(const OutboxMessage& message,
                                           const channels::ChannelConfig& config) {
    channels::OutboundMessage out;
    out.key = message.key;
    out.kind = message.channel;
    out.to = message.address;
    out.subject = message.subject;
    switch (message.channel) {
      case ChannelKind::kEmail: {
        if (options_.signing_key.empty()) {
          return FailedPreconditionError("email needs the link signing key: set " +
                                         std::string(messages::kSigningKeyVariable));
        }
        messages::EmailParts parts;
        parts.from = config.from;
        parts.to = message.address;
        parts.subject = message.subject;
        parts.text = message.body_text;
        // Click links and the open pixel are added as it goes out; the outbox keeps the HTML
        // as rendered, which is where the server finds a click's URL (tracking_links.h).
        parts.html = messages::AddTracking(message.body_html, settings_.tracking.base_url,
                                           options_.signing_key, message.key);
        parts.language = message.language;
        parts.message_id = messages::MessageIdForKey(message.key, DomainOf(config.from));
        parts.idempotency_key = message.key;
        parts.unsubscribe_url = settings_.tracking.base_url + "/u/" +
                                messages::SignToken(options_.signing_key, message.key);
        parts.date = Now();
        WINBACK_ASSIGN_OR_RETURN(out.email_mime, messages::BuildEmail(parts, message.key));
        if (dkim_ != nullptr) {
          // A message BuildEmail made that cannot be signed is our fault, not the message's:
          // Internal stops the run rather than sending it unsigned or giving it up.
          Result<std::string> signed_mime = dkim_->Sign(out.email_mime);
          if (!signed_mime.ok()) {
            return InternalError("message " + message.key + ": " + signed_mime.status().message());
          }
          out.email_mime = std::move(*signed_mime);
        }
        out.text = message.body_text;
        break;
      }
      case ChannelKind::kSms:
        out.text = message.body_text;
        break;
      case ChannelKind::kWhatsapp: {
        const nlohmann::json j = nlohmann::json::parse(message.body_text, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("template") ||
            !j["template"].is_string()) {
          return InvalidArgumentError("whatsapp body is not {\"template\": ..., ...} JSON");
        }
        out.whatsapp_template = j["template"].get<std::string>();
        if (j.contains("language") && j["language"].is_string()) {
          out.whatsapp_language = j["language"].get<std::string>();
        } else {
          out.whatsapp_language = message.language;
        }
        if (j.contains("parameters")) {
          if (!j["parameters"].is_array()) {
            return InvalidArgumentError("whatsapp parameters are not a JSON array");
          }
          for (const nlohmann::json& p : j["parameters"]) {
            out.whatsapp_parameters.push_back(p.is_string() ? p.get<std::string>() : p.dump());
          }
        }
        break;
      }
    }
    return out;
  }

  Result<channels::Channel*> ChannelFor(ChannelKind kind) {
    std::unique_ptr<channels::Channel>& slot = made_[static_cast<int>(kind)];
    if (slot) return slot.get();
    const std::optional<channels::ChannelConfig>& config = channels_.For(kind);
    if (!config) {
      return FailedPreconditionError("a " + std::string(ChannelKindName(kind)) +
                                     " message is due and winback.toml has no [channels." +
                                     std::string(ChannelKindName(kind)) + "]");
    }
    WINBACK_ASSIGN_OR_RETURN(slot, factory_(kind, *config));
    return slot.get();
  }

  Status SendOne(const OutboxMessage& message) {
    const std::string& owner = options_.owner;
    const Campaign* campaign = settings_.FindCampaign(message.campaign);
    Result<store::CustomerProfile> customer = store_.LoadCustomerByKey(message.customer);
    std::string reason;
    if (!customer.ok()) {
      if (customer.status().code() != StatusCode::kNotFound) return customer.status();
      reason = "customer no longer exists";
    } else {
      WINBACK_ASSIGN_OR_RETURN(reason, CancelReason(message, campaign, *customer));
    }
    if (!reason.empty()) {
      WINBACK_RETURN_IF_ERROR(store_.CancelMessage(message.id, reason));
      Count(message.channel, &SendCounts::cancelled);
      return Status::Ok();
    }
    const Policy& policy = settings_.policy;
    Result<TimeZone> zone = TimeZone::Find(customer->record.time_zone);
    if (!zone.ok()) zone = TimeZone::Find(policy.time_zone);
    if (!zone.ok()) zone = TimeZone();
    const Instant now = Now();
    if (InQuietHours(zone->LocalSecondsOfDay(now), policy)) {
      WINBACK_RETURN_IF_ERROR(store_.Defer(message.id, owner, AfterQuietHours(now, *zone, policy)));
      Count(message.channel, &SendCounts::deferred);
      return Status::Ok();
    }
    WINBACK_ASSIGN_OR_RETURN(channels::Channel * channel, ChannelFor(message.channel));
    Result<channels::OutboundMessage> out = Render(message, *channels_.For(message.channel));
    if (!out.ok()) {
      if (out.status().code() == StatusCode::kFailedPrecondition ||
          out.status().code() == StatusCode::kInternal) {
        return out.status();
      }
      WINBACK_RETURN_IF_ERROR(store_.RecordOutcome(
          message.id, owner,
          Record(MessageStatus::kDead, now, "not sent: " + out.status().message())));
      Count(message.channel, &SendCounts::dead);
      return Status::Ok();
    }
    const Status marked =
        store_.MarkInFlight(message.id, owner, now.PlusSeconds(options_.lease_seconds));
    if (marked.code() == StatusCode::kFailedPrecondition) {
      // Cancelled, or the claim was taken back, since we claimed it: not ours to send.
      return Status::Ok();
    }
    WINBACK_RETURN_IF_ERROR(marked);
    const channels::DeliveryResult result = channel->Send(*out);
    const Instant at = Now();
    const std::int64_t attempt = message.attempts + 1;
    DeliveryRecord record;
    switch (result.outcome) {
      case channels::DeliveryOutcome::kSent:
        record = Record(MessageStatus::kSent, at, result.detail, result.provider_id);
        Count(message.channel, &SendCounts::sent);
        break;
      case channels::DeliveryOutcome::kRetry:
        if (attempt >= options_.max_attempts) {
          record =
              Record(MessageStatus::kDead, at,
                     "gave up after " + std::to_string(attempt) + " attempts: " + result.detail,
                     result.provider_id);
          Count(message.channel, &SendCounts::dead);
        } else {
          std::optional<std::int64_t> retry_after;
          if (result.retry_after) retry_after = result.retry_after->count();
          const double jitter = 0.75 + 0.5 * random_.Uniform();
          record = Record(MessageStatus::kRetry, at, result.detail, result.provider_id,
                          at.PlusSeconds(RetryDelaySeconds(attempt, jitter, retry_after)));
          Count(message.channel, &SendCounts::retry);
        }
        break;
      case channels::DeliveryOutcome::kDead:
        record = Record(MessageStatus::kDead, at, result.detail, result.provider_id);
        Count(message.channel, &SendCounts::dead);
        break;
      case channels::DeliveryOutcome::kUnknown:
        record = Record(MessageStatus::kUnknown, at, result.detail, result.provider_id);
        Count(message.channel, &SendCounts::unknown);
        break;
    }
    return store_.RecordOutcome(message.id, owner, record);
  }

  store::Store& store_;
  const CampaignSettings& settings_;
  const channels::ChannelSettings& channels_;
  const SendOptions& options_;
  const ChannelFactory& factory_;
  const messages::DkimSigner* dkim_;  // Null: email goes out unsigned.
  Xoshiro256 random_;
  std::vector<Date> score_dates_;
  std::unique_ptr<channels::Channel> made_[kChannelKindCount];
  SendSummary summary_;
};

}  // namespace

Result<std::unique_ptr<channels::Channel>> MakeChannel(ChannelKind kind,
                                                       const channels::ChannelConfig& config) {
  return channels::MakeChannel(kind, config);
}

std::string SenderOwner() {
  const std::string pid = std::to_string(getpid());
  return HostName() + ":" + pid + ":" + ProcessStartTime(pid);
}

bool SenderIsGone(std::string_view owner) {
  const std::size_t last = owner.rfind(':');
  if (last == std::string_view::npos || last == 0) return false;
  const std::size_t mid = owner.rfind(':', last - 1);
  if (mid == std::string_view::npos) return false;
  if (owner.substr(0, mid) != HostName()) return false;
  const std::string pid(owner.substr(mid + 1, last - mid - 1));
  if (pid.empty() ||
      !std::all_of(pid.begin(), pid.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  const std::string start = ProcessStartTime(pid);
  return start.empty() || start != owner.substr(last + 1);
}

std::int64_t RetryDelaySeconds(std::int64_t attempts, double jitter,
                               std::optional<std::int64_t> retry_after) {
  constexpr std::int64_t kCap = 3600;
  const std::int64_t exponent = std::clamp<std::int64_t>(attempts - 1, 0, 20);
  const double base = std::ldexp(1.0, static_cast<int>(exponent)) * jitter;
  std::int64_t delay = std::min<std::int64_t>(kCap, std::max<std::int64_t>(1, std::llround(base)));
  if (retry_after && *retry_after > delay) delay = *retry_after;
  return delay;
}

Result<SendSummary> SendDue(store::Store& store, const CampaignSettings& settings,
                            const channels::ChannelSettings& channels, const SendOptions& options,
                            const ChannelFactory& factory) {
  if (options.owner.empty()) return InvalidArgumentError("send: empty claim owner");
  if (options.limit < 0 || options.lease_seconds < 1 || options.batch < 1 ||
      options.max_attempts < 1) {
    return InvalidArgumentError(
        "send: limit must be >= 0, lease_seconds, batch and max_attempts >= 1");
  }
  // The DKIM key is checked before anything is recovered or claimed, and the signer (one
  // libopendkim library handle) serves the whole run.
  std::unique_ptr<messages::DkimSigner> dkim;
  if (channels.email && !channels.email->dkim_domain.empty()) {
    if (options.dkim_private_key.empty()) {
      return FailedPreconditionError(
          "[channels.email] dkim_domain = \"" + channels.email->dkim_domain +
          "\" signs email with DKIM: set " + std::string(messages::kDkimKeyVariable) +
          " to the PEM private key");
    }
    WINBACK_ASSIGN_OR_RETURN(dkim, messages::DkimSigner::Create(channels.email->dkim_domain,
                                                                channels.email->dkim_selector,
                                                                options.dkim_private_key));
  }
  Sender sender(store, settings, channels, options, factory, dkim.get());
  return sender.Run();
}

}  // namespace winback::campaigns
