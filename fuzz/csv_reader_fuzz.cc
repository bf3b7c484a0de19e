// Fuzzes the CSV reader and the row pipeline behind it: any bytes must either parse or give an
// InvalidArgument error, never crash, hang or read out of bounds, and every field must lie
// inside the input or the reader's own storage.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/check.h"
#include "ingest/csv_reader.h"
#include "ingest/row_parser.h"
#include "ingest/row_source.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  {
    winback::ingest::CsvReader reader(input);
    std::size_t last_offset = 0;
    for (int records = 0; records < 100000; ++records) {
      winback::Result<bool> more = reader.Next();
      WINBACK_CHECK(reader.offset() >= last_offset);  // Always makes progress.
      last_offset = reader.offset();
      if (!more.ok()) {
        WINBACK_CHECK(more.status().code() == winback::StatusCode::kInvalidArgument);
        continue;
      }
      if (!*more) break;
      std::size_t total = 0;
      for (std::string_view f : reader.fields()) total += f.size();
      WINBACK_CHECK(total <= size);
    }
  }
  // The same bytes as an orders file through header mapping and validation.
  auto source = winback::ingest::MakeRowSource(winback::ingest::FileKind::kOrders,
                                               winback::ingest::FileFormat::kCsv, input);
  if (source->Open().ok()) {
    winback::ingest::RowParser parser;
    for (int rows = 0; rows < 100000; ++rows) {
      const winback::ingest::RowRead read = source->Next();
      if (read == winback::ingest::RowRead::kEnd) break;
      if (read == winback::ingest::RowRead::kRow) (void)parser.ParseOrder(source->row());
      if (read == winback::ingest::RowRead::kBadRowFinal) break;
    }
  }
  // The same bytes as an events JSONL file: the JSON scanner must not crash or recurse on
  // anything, however deep.
  auto jsonl = winback::ingest::MakeRowSource(winback::ingest::FileKind::kEvents,
                                              winback::ingest::FileFormat::kJsonl, input);
  if (jsonl->Open().ok()) {
    winback::ingest::RowParser parser;
    for (int rows = 0; rows < 100000; ++rows) {
      const winback::ingest::RowRead read = jsonl->Next();
      if (read == winback::ingest::RowRead::kEnd) break;
      if (read == winback::ingest::RowRead::kRow) (void)parser.ParseEvent(jsonl->row());
    }
  }
  return 0;
}
