#include "server/record_batch.h"

#include <string>
#include <unordered_map>

#include "core/utf8.h"
#include "ingest/internal/json_scan.h"
#include "ingest/row_parser.h"

namespace winback::server {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Splits "field: message" as RowParser writes its errors.
FieldError SplitError(std::size_t index, const std::string& text) {
  const std::size_t colon = text.find(": ");
  if (colon == std::string::npos) return FieldError{index, "record", text};
  return FieldError{index, text.substr(0, colon), text.substr(colon + 2)};
}

// The record index of a JSONL line (lines are 1-based, one record each).
std::size_t IndexOf(std::int64_t line) { return line > 0 ? static_cast<std::size_t>(line - 1) : 0; }

}  // namespace

std::string FieldError::ToString() const {
  return "record " + std::to_string(index) + ": " + field + ": " + message;
}

ParsedBatch ParseRecordBatch(ingest::FileKind kind, std::string_view body) {
  ParsedBatch out;
  out.batch.kind = kind;
  auto body_error = [&out](std::string message) {
    out.errors.push_back(FieldError{0, "body", std::move(message)});
    return std::move(out);
  };
  std::size_t bad = 0;
  if (!IsValidUtf8(body, &bad)) {
    return body_error("invalid UTF-8 at byte " + std::to_string(bad));
  }
  const std::string_view text = Trim(body);
  if (text.empty()) return body_error("empty; expected a JSON object or an array of objects");
  // The records as JSONL: one object per line, so that the import's JSONL reader reads them.
  // Raw line breaks can only be whitespace between tokens (JSON strings cannot hold them), so
  // turning them into spaces changes no value.
  std::vector<std::string_view> elements;
  if (text.front() == '[') {
    Result<std::vector<ingest::internal::JsonValue>> split =
        ingest::internal::SplitJsonArray(text);
    if (!split.ok()) return body_error(split.status().message());
    if (split->empty()) return body_error("an empty array; expected at least one record");
    if (split->size() > kMaxBatchRecords) {
      return body_error(std::to_string(split->size()) + " records, more than the limit of " +
                        std::to_string(kMaxBatchRecords) + " per request");
    }
    for (std::size_t i = 0; i < split->size(); ++i) {
      const ingest::internal::JsonValue& v = (*split)[i];
      if (v.kind != ingest::internal::JsonKind::kObject) {
        out.errors.push_back(FieldError{i, "record",
                                        "expected a JSON object, got " +
                                            std::string(ingest::internal::JsonKindName(v.kind))});
        continue;
      }
      elements.push_back(v.text);
    }
    if (!out.errors.empty()) return out;
  } else if (text.front() == '{') {
    elements.push_back(text);
  } else {
    return body_error("expected a JSON object or an array of objects");
  }
  std::string jsonl;
  std::size_t total = 0;
  for (std::string_view e : elements) total += e.size() + 1;
  jsonl.reserve(total);
  for (std::string_view e : elements) {
    for (char c : e) jsonl.push_back(c == '\n' || c == '\r' ? ' ' : c);
    jsonl.push_back('\n');
  }

  std::unique_ptr<ingest::RowSource> source =
      ingest::MakeRowSource(kind, ingest::FileFormat::kJsonl, jsonl);
  if (Status opened = source->Open(); !opened.ok()) {
    // "<line>: <field>: <what>" from the source.
    const std::string& m = opened.message();
    const std::size_t colon = m.find(": ");
    std::int64_t line = 1;
    if (colon != std::string::npos) line = std::atoll(m.substr(0, colon).c_str());
    out.errors.push_back(SplitError(IndexOf(line), colon == std::string::npos
                                                       ? m
                                                       : m.substr(colon + 2)));
    return out;
  }
  ingest::RowParser parser;
  std::unordered_map<std::string, std::size_t> first_index;
  auto check_duplicate = [&](const std::string& id, std::size_t index, const char* field) {
    auto [it, inserted] = first_index.emplace(id, index);
    if (inserted) return true;
    out.errors.push_back(FieldError{index, field,
                                    "duplicate " + std::string(field) + " '" + id +
                                        "' (first in record " + std::to_string(it->second) + ")"});
    return false;
  };
  const ingest::RawRow& row = source->row();
  while (true) {
    const ingest::RowRead read = source->Next();
    if (read == ingest::RowRead::kEnd) break;
    const std::size_t index = IndexOf(row.line);
    if (read != ingest::RowRead::kRow) {
      const ingest::RowError& e = source->error();
      out.errors.push_back(FieldError{IndexOf(e.line), e.field, e.message});
      if (read == ingest::RowRead::kBadRowFinal) break;
      continue;
    }
    switch (kind) {
      case ingest::FileKind::kCustomers: {
        Result<store::CustomerRecord> r = parser.ParseCustomer(row);
        if (!r.ok()) {
          out.errors.push_back(SplitError(index, r.status().message()));
        } else if (check_duplicate(r->id, index, "id")) {
          out.batch.customers.push_back(std::move(r).value());
        }
        break;
      }
      case ingest::FileKind::kOrders: {
        Result<store::OrderRecord> r = parser.ParseOrder(row);
        if (!r.ok()) {
          out.errors.push_back(SplitError(index, r.status().message()));
        } else if (check_duplicate(r->id, index, "id")) {
          out.batch.orders.push_back(std::move(r).value());
        }
        break;
      }
      case ingest::FileKind::kEvents: {
        Result<store::EventRecord> r = parser.ParseEvent(row);
        if (!r.ok()) {
          out.errors.push_back(SplitError(index, r.status().message()));
        } else if (check_duplicate(r->id, index, "id")) {
          out.batch.events.push_back(std::move(r).value());
        }
        break;
      }
      case ingest::FileKind::kProducts: {
        Result<store::ProductRecord> r = parser.ParseProduct(row);
        if (!r.ok()) {
          out.errors.push_back(SplitError(index, r.status().message()));
        } else if (check_duplicate(r->sku, index, "sku")) {
          out.batch.products.push_back(std::move(r).value());
        }
        break;
      }
    }
  }
  out.batch.ignored_keys = source->unknown_columns();
  return out;
}

}  // namespace winback::server
