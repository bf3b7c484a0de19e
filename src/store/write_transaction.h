#pragma once

#include <memory>
#include <optional>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "core/vocabulary.h"
#include "store/outbox_store.h"

namespace winback::store {

// A general all-or-nothing unit of work for the writes that are not imports (a consent
// withdrawn through a channel, a kind of message opted out of; outbox messages and journey state
// when those roles come, each adding its writes here so that one unit of work can span them). Every
// write goes into one database transaction: Commit() makes all of it durable and visible, and
// destroying the transaction without Commit() (or a crash) leaves nothing of it. The transaction
// holds the store's write lock until it is committed or destroyed, and the store object serves no
// other call meanwhile. Not thread-safe. Every method returns FailedPrecondition after Commit(),
// and Unavailable for I/O errors.
class WriteTransaction {
 public:
  virtual ~WriteTransaction() = default;
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  // Records what customer `key` said about being contacted on `channel`: kGranted or kDenied
  // replaces the stored consent, kUnknown forgets it. NotFound when no customer has that key.
  virtual Status SetConsent(CustomerKey key, ChannelKind channel, Consent consent) = 0;

  // Records that customer `key` opted out of `kind` of message at `opted_out_at`, or with
  // nullopt that they opted in again (the opt-out is deleted). Opting out of a kind already
  // opted out of keeps the first time. NotFound when no customer has that key.
  virtual Status SetKindOptOut(CustomerKey key, MessageKind kind,
                               std::optional<Instant> opted_out_at) = 0;

  // Adds `message` to the outbox unless a message with its key is already stored: planning the
  // same thing twice adds nothing. Returns true and sets message.id when it was added, false
  // (writing nothing) when the key existed. AlreadyExists when its non-empty coupon code is
  // already another message's (the caller draws a new code; the transaction stays usable);
  // NotFound for an unknown customer. Every other field of `message` is stored as given.
  virtual Result<bool> AddMessage(OutboxMessage& message) = 0;

  // Inserts or replaces the journey with the same (campaign, customer, occurrence).
  virtual Status PutJourney(const Journey& journey) = 0;

  // Makes every write of this transaction durable and visible, at once.
  virtual Status Commit() = 0;

 protected:
  WriteTransaction() = default;
};

// Role: starting units of work.
class WriteStore {
 public:
  virtual ~WriteStore() = default;
  WriteStore(const WriteStore&) = delete;
  WriteStore& operator=(const WriteStore&) = delete;

  // Starts a unit of work. Unavailable when another connection holds the write lock (after a
  // wait of up to 5 s); FailedPrecondition when the store was opened read-only or this store
  // already has an import, score run or write transaction open. The store must outlive the
  // transaction.
  virtual Result<std::unique_ptr<WriteTransaction>> BeginWrite() = 0;

 protected:
  WriteStore() = default;
};

}  // namespace winback::store
