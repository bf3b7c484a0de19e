#pragma once

// The action half's state: the outbox (every message winback decided to send, or would have sent
// to a holdout customer) and journeys (where each customer stands in each campaign). The planner
// writes both through one WriteTransaction (write_transaction.h: AddMessage, PutJourney), so a
// plan killed at any moment leaves the store before or after each of its transactions, never in
// between. The sender reads and moves messages through OutboxStore below.
//
// The outbox is the single source of truth for delivery. A message's life:
//
//   planned --claim--> sending --attempt--> sending+in_flight --outcome--> sent | retry | dead
//                                                                          | unknown
//   retry --claim (when next_attempt_at is due)--> sending ...
//   planned | retry --cancel (an order, unsubscribe or let-go before sending)--> cancelled
//   sending (not in flight) --defer (quiet hours at send time)--> planned | retry, later
//   holdout: recorded for measurement, never claimed, never sent.
//   expired: a message the policy could not place before its trigger expired; never sent.
//
// A claim belongs to one owner (a sender process) until its lease ends. A message is handed to
// a channel only after its in_flight mark is committed; so a sender killed at any instant leaves
// at most one message in_flight, and recovering its claims returns every message without the
// mark to the queue (never handed over) and turns the one with the mark into `unknown` (handed
// over, fate unknown: listed, resent only on request).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "core/vocabulary.h"

namespace winback::store {

// Stored as numbers: append-only.
enum class MessageStatus : std::uint8_t {
  kPlanned = 0,
  kSending = 1,
  kSent = 2,
  kRetry = 3,
  kDead = 4,
  kCancelled = 5,
  kUnknown = 6,
  kHoldout = 7,
  kExpired = 8,
};
inline constexpr int kMessageStatusCount = 9;

// "planned", "sending", "sent", "retry", "dead", "cancelled", "unknown", "holdout", "expired".
std::string_view MessageStatusName(MessageStatus status);
// The status named `name`, or nullopt.
std::optional<MessageStatus> MessageStatusFromName(std::string_view name);

// One message of the outbox. The key is the idempotency key, unique in the store:
// "CAMPAIGN/STEP/CUSTOMER_ID/OCCURRENCE" (campaign names and step names hold no '/').
struct OutboxMessage {
  std::int64_t id = 0;  // The store's row id; 0 before it is stored.
  std::string key;
  CustomerKey customer;
  std::string campaign;
  std::string step;
  std::int32_t occurrence = 1;  // Which entry of the customer into the campaign (1, 2, ...).
  std::string variant;          // "" when the step has a single variant.
  ChannelKind channel = ChannelKind::kEmail;
  std::string channel_reason;  // Why this channel ("preferred", "consent", "learned: ...").
  MessageStatus status = MessageStatus::kPlanned;
  Instant planned_at;    // The as_of moment of the plan that made it.
  Instant scheduled_at;  // When it is due (UTC), after quiet hours and the frequency cap.
  std::int32_t utc_offset_minutes = 0;  // The customer's UTC offset at scheduled_at.
  std::string language;
  std::string offer;   // The offer's name, "" for none.
  std::string coupon;  // The coupon code, "" for none; unique in the store when not empty.
  std::optional<Instant> coupon_expires_at;
  std::int64_t offer_cost_minor = 0;  // Expected cost of the offer, in `currency`.
  std::string currency;
  // The rendered message: the address it goes to and the parts the channel needs.
  std::string address;
  std::string subject;
  std::string body_text;  // Email text part, SMS text, or the WhatsApp parameters as JSON.
  std::string body_html;  // Email HTML part; empty for SMS and WhatsApp.
  // Delivery state, written by the sender.
  std::int32_t attempts = 0;
  std::optional<Instant> next_attempt_at;  // kRetry: not before this moment.
  std::string detail;       // The last outcome for people ("250 2.0.0 Ok", the dead reason).
  std::string provider_id;  // The provider's message id, when it gave one.
  std::optional<Instant> sent_at;
  bool in_flight = false;  // kSending: handed, or about to be handed, to the channel.
  std::string claim_owner;
  std::optional<Instant> lease_until;
};

// Where one customer stands in one campaign: one row per (campaign, customer, occurrence).
enum class JourneyState : std::uint8_t {
  kActive = 0,      // Entered; `next_step` is due at `next_due_at`.
  kCompleted = 1,   // Every step planned.
  kExited = 2,      // Left early: `exit_reason` says why (an order, an unsubscribe, let go).
  kSuppressed = 3,  // Qualified to enter but was not let in: `exit_reason` says why (let-go,
                    // negative expected value, no channel with consent).
};

// "active", "completed", "exited", "suppressed".
std::string_view JourneyStateName(JourneyState state);

struct Journey {
  CustomerKey customer;
  std::string campaign;
  std::int32_t occurrence = 1;
  JourneyState state = JourneyState::kActive;
  bool holdout = false;
  Instant entered_at;
  std::int32_t next_step = 0;  // Index into the campaign's steps.
  std::optional<Instant> next_due_at;
  std::optional<Instant> exited_at;
  std::string exit_reason;
  // A trigger's own reference: the order, cart or ticket id that started it; "" for none.
  std::string trigger_ref;
};

// Which messages ForEachMessage visits. Empty / absent fields match everything.
struct MessageFilter {
  std::optional<MessageStatus> status;
  std::string campaign;
  std::optional<CustomerKey> customer;
};

// What a claim asks for.
struct ClaimRequest {
  std::string owner;  // The claiming sender, unique among live senders ("host:pid:start").
  Instant now;        // Messages with scheduled_at (and next_attempt_at) <= now are due.
  std::int64_t lease_seconds = 300;
  std::int64_t limit = 100;
};

// The outcome the sender records for one attempt of a claimed message.
struct DeliveryRecord {
  MessageStatus status = MessageStatus::kSent;  // kSent, kRetry, kDead or kUnknown.
  Instant at;
  std::optional<Instant> next_attempt_at;  // kRetry only.
  std::string detail;
  std::string provider_id;
};

// Role: the outbox as the sender and the reporting commands see it, and journeys in bulk for
// the planner. Reads see committed data only. Writes commit before they return, each in a
// short transaction of its own: Unavailable when another connection holds the write lock past
// the store's busy timeout (5 s); FailedPrecondition on a read-only store and while this store
// object has an import, score run or write transaction open. Not thread-safe: one thread per
// store object; several processes may share one database (claims keep them apart).
// Unavailable for I/O errors.
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  OutboxStore(const OutboxStore&) = delete;
  OutboxStore& operator=(const OutboxStore&) = delete;

  // Every journey, in (customer key, campaign, occurrence) order. Stops at, and returns, the
  // first error of `fn`. `fn` may read through this store but must not write through it.
  virtual Status ForEachJourney(const std::function<Status(const Journey&)>& fn) = 0;

  // The journeys of one customer, in (campaign, occurrence) order; empty for a customer
  // without any (or an unknown key).
  virtual Result<std::vector<Journey>> LoadJourneys(CustomerKey customer) = 0;

  // The messages that `filter` matches, in (scheduled_at, id) order. Stops at, and returns,
  // the first error of `fn`. `fn` may read through this store but must not write through it.
  virtual Status ForEachMessage(const MessageFilter& filter,
                                const std::function<Status(const OutboxMessage&)>& fn) = 0;

  // For every message, in no particular order: its customer, scheduled time and status (the
  // planner's frequency cap and daily limit). Reads no bodies: a fraction of ForEachMessage.
  virtual Status ForEachMessageSchedule(
      const std::function<Status(CustomerKey, Instant, MessageStatus)>& fn) = 0;

  // Atomically claims up to `request.limit` due messages for `request.owner`, oldest
  // scheduled_at first: planned ones, and retry ones whose next_attempt_at has come. Claimed
  // messages are kSending with the owner and a lease until now + lease_seconds, in_flight false.
  // Returns them, in (scheduled_at, id) order; empty when nothing is due. Two senders never
  // claim the same message. InvalidArgument for an empty owner, or a limit or lease below 1.
  virtual Result<std::vector<OutboxMessage>> ClaimDue(const ClaimRequest& request) = 0;

  // Marks claimed message `id` in_flight, committed before the caller hands it to a channel,
  // and extends the owner's lease on it to `lease_until` (each message has its own lease).
  // FailedPrecondition when the message is not kSending for `owner` (its claim was taken back,
  // or it was cancelled); NotFound when no message has that id.
  virtual Status MarkInFlight(std::int64_t id, std::string_view owner, Instant lease_until) = 0;

  // Records the outcome of the attempt on in-flight message `id`: attempts + 1, the status,
  // detail and provider id (both replaced); sent_at = record.at for kSent; next_attempt_at =
  // record.next_attempt_at (record.at when absent) for kRetry, cleared otherwise; clears the
  // claim and in_flight. A message the sender gives up on before handing it over (a dead
  // address) may be recorded without MarkInFlight. FailedPrecondition when the message is not
  // kSending for `owner`; NotFound when no message has that id; InvalidArgument when
  // record.status is not kSent, kRetry, kDead or kUnknown.
  virtual Status RecordOutcome(std::int64_t id, std::string_view owner,
                               const DeliveryRecord& record) = 0;

  // Returns the owner's unsent claimed messages to the queue: kSending without in_flight goes
  // back to its previous status (planned, or retry when attempts > 0) and kSending with
  // in_flight becomes kUnknown (attempts + 1: it was handed over; detail says so). Recovers
  // the claims of `owner` when given (a sender known to be gone: its process no longer
  // exists), and, whatever the owner, the claims whose lease ended before `expired_before`
  // (pass the epoch, Instant(), to recover by owner only). Returns how many messages changed.
  virtual Result<std::int64_t> RecoverClaims(std::optional<std::string_view> owner,
                                             Instant expired_before) = 0;

  // The distinct owners of kSending messages.
  virtual Result<std::vector<std::string>> ClaimOwners() = 0;

  // Cancels message `id` (an order, unsubscribe or let-go since it was planned); `reason` goes
  // to detail. Allowed while it is planned or retry, or kSending for a claim not yet in_flight
  // (the claim ends: the sender's MarkInFlight then fails, its last check before handing it
  // over); FailedPrecondition otherwise; NotFound when no message has that id.
  virtual Status CancelMessage(std::int64_t id, std::string_view reason) = 0;

  // Puts claimed message `id` back in the queue without an attempt, due at `scheduled_at`:
  // the sender found it inside the customer's quiet hours at send time. The message must be
  // kSending for `owner` and not in_flight; it becomes planned (retry when attempts > 0, with
  // next_attempt_at = scheduled_at), scheduled_at = `scheduled_at`, the claim cleared, attempts
  // unchanged. FailedPrecondition when the message is not kSending for `owner` or is in flight
  // (it may have been handed over); NotFound when no message has that id.
  virtual Status Defer(std::int64_t id, std::string_view owner, Instant scheduled_at) = 0;

  // Every kUnknown message becomes kRetry, due now (winback send --retry-unknown). Returns how
  // many.
  virtual Result<std::int64_t> RequeueUnknown(Instant now) = 0;

  // Message counts by status: kMessageStatusCount entries, indexed by MessageStatus.
  virtual Result<std::vector<std::int64_t>> CountByStatus() = 0;

  // The message with idempotency key `key` (a tracking link's token names it). NotFound when
  // no message has that key.
  virtual Result<OutboxMessage> LoadMessage(std::string_view key) = 0;

  // The latest message (highest id) on `channel` whose provider id is `provider_id` (a
  // provider's delivery callback names it), or nullopt; nullopt for an empty provider_id.
  // Reads every row with a provider id of that channel (no index): fine for callbacks, not for
  // bulk use.
  virtual Result<std::optional<OutboxMessage>> FindMessageByProviderId(
      ChannelKind channel, std::string_view provider_id) = 0;

  // Records what a provider reported after a message was handed over: `status` kSent (it was
  // delivered, or is on its way) or kDead (failed, undelivered, bounced); `detail` replaces
  // the stored one. Allowed while the message is kSent, kUnknown or kDead (a late "delivered"
  // after "failed" does not revive it: a kDead message stays kDead and keeps its detail).
  // Returns true when the row changed. FailedPrecondition for a message in any other status
  // (never handed over); NotFound when no message has that id; InvalidArgument for a status
  // other than kSent or kDead.
  virtual Result<bool> RecordDeliveryReport(std::int64_t id, MessageStatus status,
                                            std::string_view detail) = 0;

 protected:
  OutboxStore() = default;
};

}  // namespace winback::store
