// winback outbox: the messages of the outbox, filtered by status, campaign or customer.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "store/outbox_store.h"

namespace winback::cli {
namespace {

struct OutboxOptions {
  std::string status;
  std::string campaign;
  std::string customer;
  bool json = false;
};

nlohmann::json OrNull(const std::optional<Instant>& t) {
  return t ? nlohmann::json(FormatTimestamp(*t)) : nlohmann::json(nullptr);
}

// At most `width` characters of `text` (bytes; details are ASCII status lines), "..." when cut.
std::string Cut(const std::string& text, std::size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, width - 3) + "...";
}

int RunOutbox(const GlobalOptions& globals, const OutboxOptions& o) {
  store::MessageFilter filter;
  if (!o.status.empty()) {
    filter.status = store::MessageStatusFromName(o.status);
    if (!filter.status) {
      std::string names;
      for (int i = 0; i < store::kMessageStatusCount; ++i) {
        names += (i ? ", " : "") +
                 std::string(store::MessageStatusName(static_cast<store::MessageStatus>(i)));
      }
      return ReportError(
          InvalidArgumentError("--status: '" + o.status + "' is not one of " + names));
    }
  }
  filter.campaign = o.campaign;
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals);
  if (!store.ok()) return ReportError(store.status());
  if (!o.customer.empty()) {
    Result<store::CustomerProfile> customer = (*store)->LoadCustomer(o.customer);
    if (!customer.ok()) return ReportError(customer.status());
    filter.customer = customer->key;
  }
  Result<std::vector<std::string>> ids = (*store)->CustomerIds();
  if (!ids.ok()) return ReportError(ids.status());
  auto id_of = [&](CustomerKey key) -> std::string {
    const auto k = static_cast<std::size_t>(key.value());
    return k < ids->size() ? (*ids)[k] : std::to_string(key.value());
  };
  nlohmann::json messages = nlohmann::json::array();
  std::int64_t count = 0;
  if (!o.json) {
    fmt::print("{:<40} {:<12} {:<9} {:<9} {:<25} {:>3} {:<8} {}\n", "key", "customer", "status",
               "channel", "local time", "try", "language", "detail");
  }
  const Status status = (*store)->ForEachMessage(filter, [&](const store::OutboxMessage& m) {
    ++count;
    const std::string local_time = FormatTimestamp(m.scheduled_at, m.utc_offset_minutes);
    if (o.json) {
      messages.push_back({{"key", m.key},
                          {"customer_id", id_of(m.customer)},
                          {"campaign", m.campaign},
                          {"step", m.step},
                          {"occurrence", m.occurrence},
                          {"variant", m.variant},
                          {"channel", std::string(ChannelKindName(m.channel))},
                          {"channel_reason", m.channel_reason},
                          {"status", std::string(store::MessageStatusName(m.status))},
                          {"scheduled_at", FormatTimestamp(m.scheduled_at)},
                          {"local_time", local_time},
                          {"utc_offset_minutes", m.utc_offset_minutes},
                          {"language", m.language},
                          {"offer", m.offer},
                          {"coupon", m.coupon},
                          {"attempts", m.attempts},
                          {"next_attempt_at", OrNull(m.next_attempt_at)},
                          {"detail", m.detail},
                          {"provider_id", m.provider_id},
                          {"sent_at", OrNull(m.sent_at)}});
      return Status::Ok();
    }
    fmt::print("{:<40} {:<12} {:<9} {:<9} {:<25} {:>3} {:<8} {}\n", Cut(m.key, 40),
               Cut(id_of(m.customer), 12), store::MessageStatusName(m.status),
               ChannelKindName(m.channel), local_time, m.attempts,
               m.language.empty() ? "-" : m.language, Cut(m.detail, 60));
    return Status::Ok();
  });
  if (!status.ok()) return ReportError(status);
  if (o.json) {
    fmt::print("{}\n", nlohmann::json{{"messages", messages}}.dump(2));
  } else {
    fmt::print("{} messages\n", FormatCount(count));
  }
  return kExitOk;
}

}  // namespace

void RegisterOutboxCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<OutboxOptions>();
  CLI::App* cmd = app.add_subcommand(
      "outbox",
      "List the messages of the outbox (planned, sending, sent, retry, dead, cancelled, "
      "unknown, holdout, expired), in schedule order");
  cmd->add_option("--status", o->status, "only messages with this status");
  cmd->add_option("--campaign", o->campaign, "only messages of this campaign");
  cmd->add_option("--customer", o->customer, "only messages of this customer (external id)");
  cmd->add_flag("--json", o->json, "print one JSON document {\"messages\": [...]}");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunOutbox(globals, *o); });
}

}  // namespace winback::cli
