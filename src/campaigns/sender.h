#pragma once

// The send half of the outbox: claims due messages, checks each again at send time (consent,
// unsubscribe, bounce, the kinds of message opted out of, an order since it was planned,
// let-go, quiet hours), renders it for its channel and hands it over under the claim protocol
// of store/outbox_store.h:
//
//   ClaimDue -> MarkInFlight (committed) -> Channel::Send -> RecordOutcome
//
// so a sender killed at any instant leaves at most one message it may have handed over
// (in_flight), which recovery turns into `unknown`; every other claimed message goes back to
// the queue and is sent later, once.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "campaigns/campaign_config.h"
#include "channels/channel.h"
#include "channels/channel_settings.h"
#include "core/status.h"
#include "core/time.h"
#include "core/vocabulary.h"
#include "store/store.h"

namespace winback::campaigns {

// Makes the channel for one kind (channels::MakeChannel in production; tests pass fakes).
using ChannelFactory = std::function<Result<std::unique_ptr<channels::Channel>>(
    ChannelKind, const channels::ChannelConfig&)>;

// The production factory: channels::MakeChannel.
Result<std::unique_ptr<channels::Channel>> MakeChannel(ChannelKind kind,
                                                       const channels::ChannelConfig& config);

struct SendOptions {
  // The moment of this run: messages with scheduled_at (and next_attempt_at) <= now are due;
  // quiet hours, backoff and leases count from it. Fixed for the whole run unless `clock` is set.
  Instant now;
  // When set, read before each claim and each hand-over instead of `now` (the CLI passes the
  // wall clock so long runs keep their leases fresh).
  std::function<Instant()> clock;
  std::int64_t limit = 0;      // Messages to claim at most; 0: every due message.
  bool retry_unknown = false;  // Requeue every `unknown` message first (RequeueUnknown).
  // This sender's claim owner, "host:pid:starttime" (SenderOwner()); must not be empty.
  std::string owner;
  std::int64_t lease_seconds = 300;
  std::int64_t batch = 100;  // Messages per claim.
  // The key of unsubscribe link tokens (messages::SigningKeyFromEnv); required to send email.
  std::string signing_key;
  // The DKIM private key, PEM (messages::DkimKeyFromEnv); required when [channels.email] sets
  // dkim_domain, ignored otherwise.
  std::string dkim_private_key;
  // A message whose attempt number `max_attempts` is a retry becomes dead instead.
  std::int64_t max_attempts = 8;
  // Seeds the backoff jitter; 0: a random seed.
  std::uint64_t jitter_seed = 0;
};

// Counts of what became of the messages one run claimed.
struct SendCounts {
  std::int64_t sent = 0;
  std::int64_t retry = 0;
  std::int64_t dead = 0;
  std::int64_t unknown = 0;
  std::int64_t cancelled = 0;
  std::int64_t deferred = 0;  // Quiet hours at send time: back to the queue, later.

  std::int64_t total() const { return sent + retry + dead + unknown + cancelled + deferred; }
};

struct SendSummary {
  SendCounts total;
  SendCounts by_channel[kChannelKindCount];  // Indexed by ChannelKind.
  std::int64_t recovered = 0;                // Claims of gone senders and expired leases.
  std::int64_t requeued_unknown = 0;         // --retry-unknown.
};

// Sends every due message (up to options.limit). First returns to the queue the claims of
// senders that are gone (an owner on this host whose process no longer exists: SenderIsGone)
// and every claim whose lease has ended (RecoverClaims), and with retry_unknown requeues the
// `unknown` messages. Then claims due messages in batches and, for each, at send time:
//   - cancels it (CancelMessage, the reason in detail) when its campaign is no longer
//     configured, the customer no longer exists or is not Contactable on its channel (policy.h),
//     the customer opted out of the campaign's kind of message (WantsKind; the detail is
//     KindRefusal's "preference: opted out of KIND"),
//     the customer ordered after message.planned_at and the campaign's trigger exits on an order
//     (winback, long_inactive, cart_abandoned), or, for win-back campaigns (winback,
//     long_inactive), the latest score on or before now has let_go reasons;
//   - defers it to AfterQuietHours(now) when now is inside the quiet hours in the customer's
//     time zone (record.time_zone, else policy.time_zone);
//   - records it dead, without handing it over, when it cannot be rendered (a bad address,
//     WhatsApp parameters that are not the planner's JSON);
//   - otherwise marks it in flight (committed), hands it to its channel and records the
//     outcome: sent; retry with next_attempt_at = now + backoff (1 s x 2^(attempts - 1),
//     +-25% jitter, at most 1 h; a larger Retry-After wins), or dead once the attempt was
//     number max_attempts; dead; unknown.
// Old messages are never dropped: a message scheduled in the past is simply due.
// Channels are made on first use per kind from `channels` by `factory`. When
// channels.email->dkim_domain is set, every email is DKIM-signed (messages::DkimSigner, made
// once per run from dkim_domain, dkim_selector and options.dkim_private_key) before any
// transport sees it.
// Errors: InvalidArgument for an empty owner or a limit, lease, batch or max_attempts below
// its minimum; FailedPrecondition, before anything is recovered or claimed, when dkim_domain
// is set and options.dkim_private_key is empty or unusable (the message names
// WINBACK_DKIM_PRIVATE_KEY, never the key); FailedPrecondition when a due message's kind has no
// [channels.KIND] table, when the factory fails (a missing secret), or for an email without
// options.signing_key; Internal when signing an email fails; store errors pass through. On an
// error, the run's claims not yet handed over go back to the queue before it returns. Not
// thread-safe; one run per store object at a time.
Result<SendSummary> SendDue(store::Store& store, const CampaignSettings& settings,
                            const channels::ChannelSettings& channels, const SendOptions& options,
                            const ChannelFactory& factory = MakeChannel);

// This process's claim owner: "HOST:PID:STARTTIME", STARTTIME the process start time in clock
// ticks since boot (/proc/self/stat field 22), so a reused PID is a different owner.
std::string SenderOwner();

// True when `owner` ("HOST:PID:STARTTIME") names a process on this host that no longer exists:
// no /proc/PID/stat, or one with another start time. False for other hosts and for names not
// of that form (their claims come back when their lease ends).
bool SenderIsGone(std::string_view owner);

// The delay before retry number `attempts` + 1 after attempt number `attempts` (>= 1) failed:
// 1 s x 2^(attempts - 1), times `jitter` in [0.75, 1.25], at most 3600 s; `retry_after` (the
// provider's Retry-After) wins when larger. In seconds.
std::int64_t RetryDelaySeconds(std::int64_t attempts, double jitter,
                               std::optional<std::int64_t> retry_after);

}  // namespace winback::campaigns
