#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/row_source.h"
#include "store/records.h"

namespace winback::server {

// One problem with one record of a request body. `index` is the record's 0-based position in
// the JSON array (0 for a single object); `field` is the column, as in import messages ("id",
// "amount", "customer_id"), or "record" / "body" for the record or the body as a whole.
struct FieldError {
  std::size_t index = 0;
  std::string field;
  std::string message;

  // "record INDEX: FIELD: MESSAGE", the API's form of the import's "file:line: field: message".
  std::string ToString() const;
};

// The validated records of one request, all of one kind.
struct RecordBatch {
  ingest::FileKind kind = ingest::FileKind::kCustomers;
  std::vector<store::CustomerRecord> customers;
  std::vector<store::OrderRecord> orders;
  std::vector<store::EventRecord> events;
  std::vector<store::ProductRecord> products;
  // Keys of the records that winback does not know, once each (ignored, as import does).
  std::vector<std::string> ignored_keys;

  std::size_t size() const {
    return customers.size() + orders.size() + events.size() + products.size();
  }
};

struct ParsedBatch {
  RecordBatch batch;
  std::vector<FieldError> errors;  // Every error of every record; empty when the batch is good.
};

// The largest number of records one request may carry.
inline constexpr std::size_t kMaxBatchRecords = 100'000;

// Parses a request body holding one JSON object or a JSON array of objects, each a record of
// `kind` with the keys of a JSONL import line (docs/formats.md), through the import's own code:
// the JSONL row source (exact numbers, duplicate keys, nesting limits) and ingest::RowParser
// (every field rule). Within the body, a second record with the same id (sku for products) is
// an error, as in one import file. Errors of every record are collected; a body that is not
// JSON, empty, an empty array or longer than kMaxBatchRecords gives one error with field
// "body". Unknown customers are not checked here (the writer does, against the store).
ParsedBatch ParseRecordBatch(ingest::FileKind kind, std::string_view body);

}  // namespace winback::server
