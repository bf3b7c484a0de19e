// Benchmark of the outbox on a SQLite file store (files removed afterwards): the planner adding
// N messages in one unit of work (messages/s), and the sender's cycle on them: ClaimDue of 100,
// then MarkInFlight and RecordOutcome per message, each a committed transaction (messages/s).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "store/open_store.h"

namespace {

using winback::Instant;
using winback::store::OutboxMessage;
using winback::store::Store;

constexpr std::int64_t kCustomers = 20'000;
const Instant kNow = Instant::FromUnixSeconds(1'720'000'000);

// Bytes of text and HTML body per message: OUTBOX_BENCH_BODY_BYTES, default 2,600.
std::size_t BodyBytes() {
  const char* v = std::getenv("OUTBOX_BENCH_BODY_BYTES");
  return v != nullptr ? static_cast<std::size_t>(std::strtoul(v, nullptr, 10)) : 2'600;
}

std::filesystem::path Dir() {
  return std::filesystem::temp_directory_path() / "winback_outbox_bench";
}

// A new store of kCustomers customers.
std::unique_ptr<Store> FreshStore(benchmark::State& state) {
  std::filesystem::remove_all(Dir());
  std::filesystem::create_directories(Dir());
  auto store = winback::store::OpenStore((Dir() / "outbox.db").string(), {});
  if (!store.ok()) {
    state.SkipWithError(store.status().ToString().c_str());
    return nullptr;
  }
  auto session = (*store)->BeginImport("bench");
  for (std::int64_t i = 1; session.ok() && i <= kCustomers; ++i) {
    winback::store::CustomerRecord c;
    c.id = "c" + std::to_string(i);
    c.email = c.id + "@example.com";
    if (!(*session)->UpsertCustomer(c).ok()) state.SkipWithError("import failed");
  }
  if (!session.ok() || !(*session)->Commit().ok()) state.SkipWithError("import failed");
  return std::move(store).value();
}

// Adds `n` messages in one unit of work; false (and the state skipped) on error.
bool AddMessages(benchmark::State& state, Store& store, std::int64_t n) {
  auto write = store.BeginWrite();
  if (!write.ok()) {
    state.SkipWithError(write.status().ToString().c_str());
    return false;
  }
  OutboxMessage m;
  m.campaign = "winback";
  m.step = "first";
  m.channel_reason = "preferred";
  m.planned_at = kNow;
  m.language = "en";
  m.offer = "10off";
  m.currency = "EUR";
  m.subject = "We miss you";
  m.body_text = std::string(BodyBytes() / 4, 'x');
  m.body_html = std::string(BodyBytes() - BodyBytes() / 4, 'y');
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t customer = 1 + i % kCustomers;
    m.id = 0;
    m.customer = winback::CustomerKey(customer);
    m.occurrence = static_cast<std::int32_t>(1 + i / kCustomers);
    m.key = "winback/first/" + std::to_string(customer) + "/" + std::to_string(m.occurrence);
    m.scheduled_at = kNow.PlusSeconds(-(i * 7919) % 86'400);  // Not in id order.
    m.coupon = "WB-" + std::to_string(i * 7919 + 17);
    m.address = "c" + std::to_string(customer) + "@example.com";
    auto added = (*write)->AddMessage(m);
    if (!added.ok()) {
      state.SkipWithError(added.status().ToString().c_str());
      return false;
    }
  }
  if (!(*write)->Commit().ok()) {
    state.SkipWithError("commit failed");
    return false;
  }
  return true;
}

void BM_AddMessagesInOneUnitOfWork(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Store> store = FreshStore(state);
    state.ResumeTiming();
    if (!store || !AddMessages(state, *store, state.range(0))) break;
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  std::filesystem::remove_all(Dir());
}
BENCHMARK(BM_AddMessagesInOneUnitOfWork)
    ->Arg(200'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

void BM_ClaimMarkInFlightRecordOutcome(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  std::int64_t sent = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Store> store = FreshStore(state);
    if (!store || !AddMessages(state, *store, n)) break;
    state.ResumeTiming();
    while (true) {
      auto batch =
          store->ClaimDue({.owner = "bench:1", .now = kNow, .lease_seconds = 300, .limit = 100});
      if (!batch.ok()) {
        state.SkipWithError(batch.status().ToString().c_str());
        break;
      }
      if (batch->empty()) break;
      for (const OutboxMessage& m : *batch) {
        winback::Status s = store->MarkInFlight(m.id, "bench:1", kNow.PlusSeconds(300));
        if (s.ok()) {
          s = store->RecordOutcome(m.id, "bench:1",
                                   {.status = winback::store::MessageStatus::kSent,
                                    .at = kNow,
                                    .next_attempt_at = std::nullopt,
                                    .detail = "250 2.0.0 Ok",
                                    .provider_id = "q-" + std::to_string(m.id)});
        }
        if (!s.ok()) {
          state.SkipWithError(s.ToString().c_str());
          return;
        }
        ++sent;
      }
    }
  }
  state.SetItemsProcessed(sent);
  std::filesystem::remove_all(Dir());
}
BENCHMARK(BM_ClaimMarkInFlightRecordOutcome)
    ->Arg(20'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
