#pragma once

// Rows of the outbox and journeys tables (schema.cc, version 6): the column lists, and the
// binding and reading of OutboxMessage and Journey, shared by the unit of work (which writes
// them) and the OutboxStore role (which reads and moves them).

#include <string_view>

#include "store/outbox_store.h"
#include "store/sqlite/sqlite_db.h"

namespace winback::store::sqlite {

// Every column of `outbox`, in the order ReadMessage reads them (from column 0).
inline constexpr const char* kOutboxColumns =
    "id, key, cid, campaign, step, occurrence, variant, channel, channel_reason, status, "
    "planned_at, scheduled_at, utc_offset, language, offer, coupon, coupon_expires_at, "
    "offer_cost, currency, address, subject, body_text, body_html, attempts, next_attempt_at, "
    "detail, provider_id, sent_at, in_flight, claim_owner, lease_until";

// INSERT of a new message (every column but id, parameters ?1..?30 as BindMessage binds them)
// that writes nothing when its key is stored.
extern const char* const kInsertMessage;

// Binds every field of `m` but id to the parameters of kInsertMessage. Strings are not copied:
// `m` must outlive the statement's Step().
void BindMessage(Statement& s, const OutboxMessage& m);

// The message in the current row of a statement that selects kOutboxColumns.
OutboxMessage ReadMessage(const Statement& s);

// Every column of `journeys`, in the order ReadJourney reads them.
inline constexpr const char* kJourneyColumns =
    "cid, campaign, occurrence, state, holdout, entered_at, next_step, next_due_at, exited_at, "
    "exit_reason, trigger_ref";

// INSERT OR REPLACE of a journey (parameters ?1..?11 as BindJourney binds them).
extern const char* const kPutJourney;

// Binds `j` to the parameters of kPutJourney; `j` must outlive the statement's Step().
void BindJourney(Statement& s, const Journey& j);

// The journey in the current row of a statement that selects kJourneyColumns.
Journey ReadJourney(const Statement& s);

// Binds `value` as TEXT, '' (never NULL) when empty: the string columns of both tables are NOT
// NULL. Not copied: must outlive Step().
void BindString(Statement& s, int index, std::string_view value);

}  // namespace winback::store::sqlite
