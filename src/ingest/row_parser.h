#pragma once

#include "core/status.h"
#include "ingest/internal/json_scan.h"
#include "ingest/row_source.h"
#include "ingest/string_map.h"
#include "store/records.h"

namespace winback::ingest {

// Turns raw rows into validated store records. Every error is InvalidArgument with the message
// "<field>: <what is wrong>", e.g. "amount: '12.345' has more decimal places than USD allows
// (2)"; the importer prefixes "file:line: ". Checks what a single row can show; cross-row rules
// (duplicate ids, unknown customers) are the importer's. Each record's `present` mask says which
// optional columns the row stated (RawRow::stated). Not thread-safe (caches zones, reuses a JSON
// parser).
class RowParser {
 public:
  Result<store::CustomerRecord> ParseCustomer(const RawRow& row);
  Result<store::OrderRecord> ParseOrder(const RawRow& row);
  Result<store::EventRecord> ParseEvent(const RawRow& row);
  Result<store::ProductRecord> ParseProduct(const RawRow& row);

 private:
  Status CheckTimeZone(std::string_view name);
  StringMap<bool> known_zones_;
  internal::JsonObjectParser json_;  // For order items.
};

}  // namespace winback::ingest
