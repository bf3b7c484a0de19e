#include "ingest/importer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>
#include <type_traits>
#include <variant>

#include "core/mutex.h"
#include "ingest/mapped_file.h"
#include "ingest/row_parser.h"
#include "ingest/string_map.h"

namespace winback::ingest {
namespace {

constexpr std::size_t kChunkRows = 4096;
constexpr std::size_t kQueueDepth = 8;
constexpr std::int64_t kProgressEvery = 65536;

// One parsed row, handed from the parsing thread to the writing thread.
template <typename Record>
struct Parsed {
  std::int64_t line = 0;
  std::string_view raw;
  std::variant<Record, RowError> value;
  // Orders and events of a file read after every stored customer was loaded: the customer,
  // resolved on the parsing thread (empty: no such customer). Otherwise unused: the writing
  // thread resolves it.
  std::optional<std::int64_t> customer_key;
};

std::string DuplicateIdMessage(std::string_view id, std::int64_t first_line) {
  return "duplicate id '" + std::string(id) + "' (first on line " + std::to_string(first_line) +
         ")";
}

template <typename Record>
struct Chunk {
  std::vector<Parsed<Record>> rows;
  std::size_t offset = 0;  // Bytes consumed after this chunk.
  bool fatal = false;      // The source cannot go on after this chunk.
  // The first full chunk: the file's rows, estimated from its bytes per row so far.
  std::size_t expected_rows = 0;
};

// A bounded single-producer single-consumer queue of chunks.
template <typename T>
class ChunkQueue {
 public:
  void Push(T item) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    while (items_.size() >= kQueueDepth && !closed_) not_full_.Wait(&mu_);
    if (closed_) return;
    items_.push_back(std::move(item));
    not_empty_.Signal();
  }
  // Returns nullopt once the producer finished and the queue is drained.
  std::optional<T> Pop() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    while (items_.empty() && !done_) not_empty_.Wait(&mu_);
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.Signal();
    return item;
  }
  void Finish() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    done_ = true;
    not_empty_.SignalAll();
  }
  // The consumer gives up: unblock the producer.
  void Close() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    closed_ = true;
    not_full_.SignalAll();
  }

 private:
  Mutex mu_;
  CondVar not_full_, not_empty_;
  std::deque<T> items_ GUARDED_BY(mu_);
  bool done_ GUARDED_BY(mu_) = false;
  bool closed_ GUARDED_BY(mu_) = false;
};

FileFormat FormatOf(const ImportFile& f) {
  if (f.format) return *f.format;
  const std::string ext = std::filesystem::path(f.path).extension().string();
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return FileFormat::kJsonl;
  return FileFormat::kCsv;
}

// Messages name a file as the user gave it.
const std::string& Display(const ImportFile& f) { return f.path; }

// The name of each file's rejects file in the rejects directory: its base name, or, when two
// files of the import share a base name (a/orders.csv, b/orders.csv), "<kind>-<base name>".
std::vector<std::string> RejectNames(const std::vector<ImportFile>& files) {
  std::vector<std::string> names;
  names.reserve(files.size());
  for (const ImportFile& f : files) {
    names.push_back(std::filesystem::path(f.path).filename().string());
  }
  std::vector<std::string> out = names;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (std::count(names.begin(), names.end(), names[i]) > 1) {
      out[i] = std::string(FileKindName(files[i].kind)) + "-" + names[i];
    }
  }
  return out;
}

// State shared by the files of one import, owned by the writing thread.
class ImportRun {
 public:
  ImportRun(const ImportOptions& options, store::ImportSession& session, ImportReport& report)
      : options_(options), session_(session), report_(report) {}

  // `reject_name`: the file name of its rejects in the rejects directory.
  Status RunFile(const ImportFile& file, const std::string& reject_name, FileReport& fr) {
    WINBACK_ASSIGN_OR_RETURN(MappedFile mapped, MappedFile::Open(file.path));
    fr.format = FormatOf(file);
    std::unique_ptr<RowSource> source = MakeRowSource(file.kind, fr.format, mapped.data());
    Status open = source->Open();
    if (!open.ok()) return InvalidArgumentError(Display(file) + ":" + open.message());
    file_ = &file;
    fr_ = &fr;
    reject_name_ = reject_name;
    header_ = source->header();
    total_bytes_ = mapped.data().size();
    Status status = InternalError("unknown file kind");
    switch (file.kind) {
      case FileKind::kCustomers:
        status = Pipeline<store::CustomerRecord>(
            *source, mapped, [](RowParser& p, const RawRow& r) { return p.ParseCustomer(r); });
        break;
      case FileKind::kOrders:
        WINBACK_RETURN_IF_ERROR(LoadCustomersFor(mapped.data().size()));
        status = Pipeline<store::OrderRecord>(
            *source, mapped, [](RowParser& p, const RawRow& r) { return p.ParseOrder(r); });
        break;
      case FileKind::kEvents:
        WINBACK_RETURN_IF_ERROR(LoadCustomersFor(mapped.data().size()));
        status = Pipeline<store::EventRecord>(
            *source, mapped, [](RowParser& p, const RawRow& r) { return p.ParseEvent(r); });
        break;
      case FileKind::kProducts:
        status = Pipeline<store::ProductRecord>(
            *source, mapped, [](RowParser& p, const RawRow& r) { return p.ParseProduct(r); });
        break;
    }
    // JSONL keys are known only once every row was read.
    fr.unknown_columns = source->unknown_columns();
    fr.unknown_columns_truncated = source->unknown_columns_truncated();
    return status;
  }

  Status CloseRejects() {
    for (auto* f : {&rejects_, &rejects_errors_}) {
      if (f->is_open()) {
        f->close();
        if (!*f)
          return UnavailableError("cannot write reject files in '" + options_.rejects_dir + "'");
      }
    }
    return Status::Ok();
  }

 private:
  // Parses on a second thread while this one validates across rows and writes. `mapped` is
  // the file `source` reads: the pages of rows written are released as the import goes.
  template <typename Record, typename ParseFn>
  Status Pipeline(RowSource& source, MappedFile& mapped, ParseFn parse) {
    ChunkQueue<Chunk<Record>> queue;
    // customers_ does not change while an orders or events file is read once every customer
    // is known (nothing calls ResolveCustomer then), so the parsing thread may read it.
    const bool resolve_while_parsing = all_customers_known_;
    std::thread producer([&] {
      RowParser parser;
      const RawRow& raw = source.row();
      Chunk<Record> chunk;
      bool sized = false;
      while (true) {
        const RowRead read = source.Next();
        if (read == RowRead::kEnd) break;
        Parsed<Record> p;
        p.line = raw.line;
        p.raw = raw.raw;
        if (read != RowRead::kRow) {
          p.value = source.error();
        } else {
          Result<Record> r = parse(parser, raw);
          if (r.ok()) {
            p.value = std::move(r).value();
            // Orders and events: a duplicate id inside the file is caught here, on the
            // parsing thread, which has time to spare (customers need the writer's map).
            if constexpr (std::is_same_v<Record, store::ProductRecord>) {
              const std::string& sku = std::get<Record>(p.value).sku;
              auto [first, inserted] = ids_.Insert(sku, raw.line);
              if (!inserted) {
                p.value = RowError{
                    raw.line, "sku",
                    "duplicate sku '" + sku + "' (first on line " + std::to_string(*first) + ")"};
              }
            } else if constexpr (!std::is_same_v<Record, store::CustomerRecord>) {
              const std::string& id = std::get<Record>(p.value).id;
              auto [first, inserted] = ids_.Insert(id, raw.line);
              if (!inserted) {
                p.value = RowError{raw.line, "id", DuplicateIdMessage(id, *first)};
              } else if (resolve_while_parsing) {
                p.customer_key = KnownCustomer(std::get<Record>(p.value).customer_id);
              }
            }
          } else {
            const Status& st = r.status();
            const std::string& m = st.message();
            const std::size_t colon = m.find(": ");
            p.value = RowError{raw.line, m.substr(0, colon), m.substr(colon + 2)};
          }
        }
        chunk.rows.push_back(std::move(p));
        if (read == RowRead::kBadRowFinal) {
          chunk.fatal = true;
          break;
        }
        if (chunk.rows.size() == kChunkRows) {
          chunk.offset = source.offset();
          if (!sized) {
            sized = true;
            chunk.expected_rows = ExpectRows(chunk.offset);
          }
          queue.Push(std::move(chunk));
          chunk = Chunk<Record>();
          chunk.rows.reserve(kChunkRows);
        }
      }
      chunk.offset = source.offset();
      queue.Push(std::move(chunk));
      queue.Finish();
    });
    Status status;
    while (std::optional<Chunk<Record>> chunk = queue.Pop()) {
      if (chunk->expected_rows > 0) {
        if constexpr (std::is_same_v<Record, store::CustomerRecord>) {
          customers_.Reserve(customers_.size() + chunk->expected_rows, 0);
        } else if constexpr (std::is_same_v<Record, store::OrderRecord>) {
          session_.ExpectOrders(static_cast<std::int64_t>(chunk->expected_rows));
        }
      }
      for (Parsed<Record>& p : chunk->rows) {
        ++fr_->rows;
        if (status.ok()) {
          if (auto* err = std::get_if<RowError>(&p.value)) {
            status = Reject(p.line, p.raw, err->field, err->message);
          } else {
            status = Apply(p);
          }
        }
        if (options_.progress && fr_->rows % kProgressEvery == 0) {
          options_.progress(*file_, std::min(chunk->offset, total_bytes_), total_bytes_, fr_->rows);
        }
      }
      if (!status.ok()) queue.Close();
      // Every row up to the chunk's end is written and copied where it is kept.
      mapped.Release(chunk->offset);
    }
    producer.join();
    if (options_.progress) options_.progress(*file_, total_bytes_, total_bytes_, fr_->rows);
    return status;
  }

  // A file of `bytes` names about bytes / kBytesPerRow customers. When that is a good part of
  // the store, one scan of every customer's id and key costs less than a lookup per distinct
  // customer (a lookup is a statement execution, ~2 us; a scanned customer ~0.3 us).
  Status LoadCustomersFor(std::size_t bytes) {
    if (all_customers_known_) return Status::Ok();
    constexpr std::size_t kBytesPerRow = 100;
    WINBACK_ASSIGN_OR_RETURN(std::int64_t stored, session_.CustomerCountBound());
    if (static_cast<std::int64_t>(bytes / kBytesPerRow) * 4 < stored) return Status::Ok();
    customers_.Reserve(customers_.size() + static_cast<std::size_t>(stored), 0);
    WINBACK_RETURN_IF_ERROR(session_.ForEachCustomer([&](std::string_view id, CustomerKey key) {
      // Customers of this import's file keep their entry (with its line).
      customers_.Insert(id, CustomerEntry{kFromStore, key.value()});
    }));
    all_customers_known_ = true;
    return Status::Ok();
  }

  // On the parsing thread, once the first kChunkRows rows of the file took `offset` bytes:
  // the file's rows, estimated by that ratio. Sizes the id map for them, so that it does not
  // grow (growing holds the old table and the new one at once: 600 MB at 10M orders).
  std::size_t ExpectRows(std::size_t offset) {
    if (offset == 0) return 0;
    const double scale = static_cast<double>(total_bytes_) / static_cast<double>(offset);
    const auto rows = static_cast<std::size_t>(kChunkRows * scale);
    if (file_->kind != FileKind::kCustomers) {
      ids_.Reserve(rows, static_cast<std::size_t>(static_cast<double>(ids_.key_bytes()) * scale));
    }
    return rows;
  }

  // Whether rows are still written: once an error dooms a strict import, only validate.
  bool Writing() const { return options_.allow_partial || report_.error_count == 0; }

  Status Reject(std::int64_t line, std::string_view raw, std::string_view field,
                std::string_view message) {
    ++fr_->rejected;
    ++report_.error_count;
    std::string text = Display(*file_) + ":" + std::to_string(line) + ": " + std::string(field) +
                       ": " + std::string(message);
    if (options_.allow_partial) WINBACK_RETURN_IF_ERROR(WriteReject(raw, text));
    if (report_.errors.size() < options_.max_listed_errors)
      report_.errors.push_back(std::move(text));
    return Status::Ok();
  }

  Status WriteReject(std::string_view raw, const std::string& text) {
    if (fr_->rejects_path.empty()) {
      WINBACK_RETURN_IF_ERROR(CloseRejects());
      std::error_code ec;
      std::filesystem::create_directories(options_.rejects_dir, ec);
      if (ec)
        return UnavailableError("cannot create '" + options_.rejects_dir + "': " + ec.message());
      const std::filesystem::path dir(options_.rejects_dir);
      fr_->rejects_path = (dir / reject_name_).string();
      fr_->rejects_errors_path = fr_->rejects_path + ".errors.txt";
      rejects_.open(fr_->rejects_path, std::ios::binary | std::ios::trunc);
      rejects_errors_.open(fr_->rejects_errors_path, std::ios::binary | std::ios::trunc);
      if (!rejects_ || !rejects_errors_) {
        return UnavailableError("cannot write '" + fr_->rejects_path + "'");
      }
      if (!header_.empty()) rejects_ << header_ << '\n';
    }
    rejects_ << raw << '\n';
    rejects_errors_ << text << '\n';
    return Status::Ok();
  }

  // Cross-row checks and the write, per kind.
  Status Apply(const Parsed<store::CustomerRecord>& p) {
    const store::CustomerRecord& c = std::get<store::CustomerRecord>(p.value);
    const std::int64_t line = p.line;
    auto [entry, inserted] = customers_.Insert(c.id, CustomerEntry{line, 0});
    if (!inserted && entry->line > 0) {
      return Reject(line, p.raw, "id", DuplicateIdMessage(c.id, entry->line));
    }
    entry->line = line;
    if (!Writing()) return Status::Ok();
    WINBACK_ASSIGN_OR_RETURN(CustomerKey key, session_.UpsertCustomer(c));
    entry->key = key.value();
    return Status::Ok();
  }

  Status Apply(const Parsed<store::OrderRecord>& p) {
    return ApplyCustomerRow(p, [&](CustomerKey key, const store::OrderRecord& o) {
      return session_.UpsertOrder(key, o);
    });
  }

  Status Apply(const Parsed<store::ProductRecord>& p) {
    if (!Writing()) return Status::Ok();
    WINBACK_ASSIGN_OR_RETURN(bool written,
                             session_.UpsertProduct(std::get<store::ProductRecord>(p.value)));
    fr_->written += written ? 1 : 0;
    return Status::Ok();
  }

  Status Apply(const Parsed<store::EventRecord>& p) {
    return ApplyCustomerRow(p, [&](CustomerKey key, const store::EventRecord& e) {
      return session_.UpsertEvent(key, e);
    });
  }

  // Orders and events: an unknown customer rejects the row (duplicate ids were rejected while
  // parsing); otherwise `write` stores it.
  template <typename Record, typename Write>
  Status ApplyCustomerRow(const Parsed<Record>& p, const Write& write) {
    const Record& r = std::get<Record>(p.value);
    // Once every customer is known, the parsing thread resolved it (Pipeline).
    std::optional<std::int64_t> key = p.customer_key;
    if (!all_customers_known_) {
      WINBACK_ASSIGN_OR_RETURN(key, ResolveCustomer(r.customer_id));
    }
    if (!key) return RejectUnknownCustomer(p.line, p.raw, r.customer_id);
    if (!Writing()) return Status::Ok();
    WINBACK_ASSIGN_OR_RETURN(bool written, write(CustomerKey(*key), r));
    fr_->written += written ? 1 : 0;
    return Status::Ok();
  }

  Status RejectUnknownCustomer(std::int64_t line, std::string_view raw, const std::string& id) {
    return Reject(line, raw, "customer_id",
                  "no customer '" + id + "' in the store or in this import");
  }

  // The key of customer `id` from this import or the store, before every stored customer is
  // known (then KnownCustomer); 0 for a customer of this import that was validated but not
  // written (strict import after an error).
  Result<std::optional<std::int64_t>> ResolveCustomer(const std::string& id) {
    if (const CustomerEntry* e = customers_.Find(id)) {
      if (e->line == kUnknownCustomer) return std::optional<std::int64_t>();
      return std::optional<std::int64_t>(e->key);
    }
    WINBACK_ASSIGN_OR_RETURN(std::optional<CustomerKey> found, session_.FindCustomer(id));
    // Cache both answers; line -1 marks a customer known from the store, not from a file row.
    customers_.Insert(
        id, CustomerEntry{found ? kFromStore : kUnknownCustomer, found ? found->value() : 0});
    if (!found) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(found->value());
  }

  // The key of customer `id` once every stored customer is in customers_ (LoadCustomersFor).
  // Reads only, so the parsing thread may call it.
  std::optional<std::int64_t> KnownCustomer(const std::string& id) const {
    const CustomerEntry* e = customers_.Find(id);
    if (e == nullptr || e->line == kUnknownCustomer) return std::nullopt;
    return e->key;
  }

  static constexpr std::int64_t kFromStore = -1;
  static constexpr std::int64_t kUnknownCustomer = -2;
  struct CustomerEntry {
    std::int64_t line = 0;  // Line in the customers file, or kFromStore / kUnknownCustomer.
    std::int64_t key = 0;
  };

  const ImportOptions& options_;
  store::ImportSession& session_;
  ImportReport& report_;
  const ImportFile* file_ = nullptr;
  FileReport* fr_ = nullptr;
  std::string reject_name_;
  std::string header_;
  std::size_t total_bytes_ = 0;
  StringMap<CustomerEntry> customers_;
  // Ids of the current orders or events file, to their line; used by the parsing thread.
  StringMap<std::int64_t> ids_;
  // Every stored customer is in customers_ (LoadCustomers ran), so a miss is an unknown id.
  bool all_customers_known_ = false;
  std::ofstream rejects_, rejects_errors_;

 public:
  void StartFile() { ids_ = StringMap<std::int64_t>(); }
};

}  // namespace

Result<ImportReport> Import(store::Store& store, const ImportOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<ImportFile> files = options.files;
  if (files.empty())
    return InvalidArgumentError(
        "nothing to import: give --customers, --orders, --events or --products");
  std::stable_sort(files.begin(), files.end(),
                   [](const ImportFile& a, const ImportFile& b) { return a.kind < b.kind; });
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].kind == files[i - 1].kind) {
      return InvalidArgumentError("two " + std::string(FileKindName(files[i].kind)) +
                                  " files in one import; import them one after the other");
    }
  }
  std::string description;
  for (const ImportFile& f : files) {
    if (!description.empty()) description += " ";
    description += std::string(FileKindName(f.kind)) + "=" + f.path;
  }
  ImportReport report;
  WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<store::ImportSession> session,
                           store.BeginImport(description));
  {
    // Scoped so that its id maps (about 1 GB at 10M orders) are freed before the commit, which
    // builds the indexes and the aggregates: the import's peak memory.
    ImportRun run(options, *session, report);
    const std::vector<std::string> reject_names = RejectNames(files);
    for (std::size_t i = 0; i < files.size(); ++i) {
      FileReport fr;
      fr.file = files[i];
      report.files.push_back(std::move(fr));
      run.StartFile();
      WINBACK_RETURN_IF_ERROR(run.RunFile(files[i], reject_names[i], report.files.back()));
    }
    WINBACK_RETURN_IF_ERROR(run.CloseRejects());
  }
  if (report.error_count > 0 && !options.allow_partial) {
    // `session` rolls back as it goes out of scope.
    report.committed = false;
  } else {
    WINBACK_ASSIGN_OR_RETURN(report.counts, session->Commit());
    report.committed = true;
  }
  for (FileReport& fr : report.files) {
    if (fr.file.kind == FileKind::kCustomers) fr.written = report.counts.customers_written;
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace winback::ingest
