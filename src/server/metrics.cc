#include "server/metrics.h"

#include <fmt/core.h>

#include <tuple>

#include "core/vocabulary.h"

namespace winback::server {

std::string RenderIngestMetrics(const IngestWriter::Stats& stats) {
  return fmt::format(
      "# HELP winback_ingest_pending_records Records logged and not yet applied to the store.\n"
      "# TYPE winback_ingest_pending_records gauge\n"
      "winback_ingest_pending_records {}\n"
      "# HELP winback_ingest_commits_total Transactions of the ingest log and of the store.\n"
      "# TYPE winback_ingest_commits_total counter\n"
      "winback_ingest_commits_total{{target=\"log\"}} {}\n"
      "winback_ingest_commits_total{{target=\"store\"}} {}\n"
      "# HELP winback_ingest_early_answers_total Write requests answered once logged.\n"
      "# TYPE winback_ingest_early_answers_total counter\n"
      "winback_ingest_early_answers_total {}\n",
      stats.pending_records, stats.log_commits, stats.groups, stats.early_answers);
}

std::string EscapeLabel(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void Metrics::RecordRequest(std::string_view route, std::string_view method, int status,
                            double seconds) {
  MutexLock lock(&mu_);
  Series& s = series_[{{std::string(route), std::string(method)}, status}];
  ++s.count;
  s.sum_seconds += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++s.buckets[i];
      break;
    }
  }
}

void Metrics::RecordLoopStep(bool everyone, bool ok, std::int64_t planned, std::int64_t sent) {
  MutexLock lock(&mu_);
  ++loop_steps_[{everyone, ok}];
  loop_planned_ += planned;
  loop_sent_ += sent;
}

void Metrics::RecordOrderExits(std::int64_t journeys, std::int64_t messages) {
  MutexLock lock(&mu_);
  exited_journeys_ += journeys;
  cancelled_messages_ += messages;
}

std::int64_t Metrics::Count(std::string_view route, std::string_view method, int status) const {
  MutexLock lock(&mu_);
  auto it = series_.find({{std::string(route), std::string(method)}, status});
  return it == series_.end() ? 0 : it->second.count;
}

std::string Metrics::Render() const {
  MutexLock lock(&mu_);
  std::string out;
  out +=
      "# HELP winback_http_requests_total HTTP requests answered, by route pattern, method "
      "and status.\n# TYPE winback_http_requests_total counter\n";
  for (const auto& [labels, s] : series_) {
    out += fmt::format(
        "winback_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
        EscapeLabel(labels.first.first), EscapeLabel(labels.first.second), labels.second, s.count);
  }
  out +=
      "# HELP winback_http_request_duration_seconds Time to handle a request (seconds), by "
      "route pattern, method and status.\n# TYPE winback_http_request_duration_seconds "
      "histogram\n";
  for (const auto& [labels, s] : series_) {
    const std::string base =
        fmt::format("route=\"{}\",method=\"{}\",status=\"{}\"", EscapeLabel(labels.first.first),
                    EscapeLabel(labels.first.second), labels.second);
    std::int64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += s.buckets[i];
      out += fmt::format("winback_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", base,
                         kBuckets[i], cumulative);
    }
    out += fmt::format("winback_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", base,
                       s.count);
    out += fmt::format("winback_http_request_duration_seconds_sum{{{}}} {}\n", base, s.sum_seconds);
    out += fmt::format("winback_http_request_duration_seconds_count{{{}}} {}\n", base, s.count);
  }
  out +=
      "# HELP winback_journey_loop_steps_total Steps of the plan-and-send loop, by kind "
      "(everyone: the full plan; customers: those of new events) and outcome.\n"
      "# TYPE winback_journey_loop_steps_total counter\n";
  for (bool everyone : {true, false}) {
    for (bool ok : {true, false}) {
      const auto it = loop_steps_.find({everyone, ok});
      out += fmt::format("winback_journey_loop_steps_total{{kind=\"{}\",outcome=\"{}\"}} {}\n",
                         everyone ? "everyone" : "customers", ok ? "ok" : "error",
                         it == loop_steps_.end() ? 0 : it->second);
    }
  }
  out += fmt::format(
      "# HELP winback_journey_loop_planned_messages_total New outbox messages planned by the "
      "loop.\n# TYPE winback_journey_loop_planned_messages_total counter\n"
      "winback_journey_loop_planned_messages_total {}\n"
      "# HELP winback_journey_loop_sent_messages_total Messages the loop delivered.\n"
      "# TYPE winback_journey_loop_sent_messages_total counter\n"
      "winback_journey_loop_sent_messages_total {}\n"
      "# HELP winback_order_exits_journeys_total Journeys exited at once by an order that "
      "arrived over the API.\n# TYPE winback_order_exits_journeys_total counter\n"
      "winback_order_exits_journeys_total {}\n"
      "# HELP winback_order_exits_cancelled_messages_total Pending messages cancelled at once "
      "by an order that arrived over the API.\n"
      "# TYPE winback_order_exits_cancelled_messages_total counter\n"
      "winback_order_exits_cancelled_messages_total {}\n",
      loop_planned_, loop_sent_, exited_journeys_, cancelled_messages_);
  return out;
}

Result<std::string> RenderStoreGauges(store::OutboxStore& outbox) {
  WINBACK_ASSIGN_OR_RETURN(std::vector<std::int64_t> by_status, outbox.CountByStatus());
  std::string out =
      "# HELP winback_outbox_messages Messages in the outbox by status.\n# TYPE "
      "winback_outbox_messages gauge\n";
  for (int i = 0; i < store::kMessageStatusCount && i < static_cast<int>(by_status.size()); ++i) {
    out += fmt::format("winback_outbox_messages{{status=\"{}\"}} {}\n",
                       store::MessageStatusName(static_cast<store::MessageStatus>(i)),
                       by_status[static_cast<std::size_t>(i)]);
  }
  // Delivery outcomes by channel: the outbox is the record of every send.
  std::map<std::pair<std::string, std::string>, std::int64_t> sends;
  WINBACK_RETURN_IF_ERROR(outbox.ForEachMessage({}, [&sends](const store::OutboxMessage& m) {
    using store::MessageStatus;
    if (m.status == MessageStatus::kSent || m.status == MessageStatus::kRetry ||
        m.status == MessageStatus::kDead || m.status == MessageStatus::kUnknown) {
      ++sends[{std::string(ChannelKindName(m.channel)),
               std::string(store::MessageStatusName(m.status))}];
    }
    return Status::Ok();
  }));
  out +=
      "# HELP winback_sends Outbox messages whose delivery reached an outcome, by channel and "
      "outcome (sent, retry, dead, unknown).\n# TYPE winback_sends gauge\n";
  for (const auto& [labels, n] : sends) {
    out += fmt::format("winback_sends{{channel=\"{}\",outcome=\"{}\"}} {}\n", labels.first,
                       labels.second, n);
  }
  std::map<std::tuple<std::string, int, std::string>, std::int64_t> journeys;
  WINBACK_RETURN_IF_ERROR(outbox.ForEachJourney([&journeys](const store::Journey& j) {
    ++journeys[{j.campaign, j.next_step, std::string(store::JourneyStateName(j.state))}];
    return Status::Ok();
  }));
  out +=
      "# HELP winback_journeys Campaign journeys by campaign, next step (0-based index) and "
      "state.\n# TYPE winback_journeys gauge\n";
  for (const auto& [labels, n] : journeys) {
    out +=
        fmt::format("winback_journeys{{campaign=\"{}\",step=\"{}\",state=\"{}\"}} {}\n",
                    EscapeLabel(std::get<0>(labels)), std::get<1>(labels), std::get<2>(labels), n);
  }
  return out;
}

}  // namespace winback::server
