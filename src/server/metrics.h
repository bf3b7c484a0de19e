#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "core/mutex.h"
#include "core/status.h"
#include "server/ingest_writer.h"
#include "store/store.h"

namespace winback::server {

// The server's own counters, rendered in the Prometheus text exposition format (version 0.0.4):
//
//   winback_http_requests_total{route,method,status}          counter
//   winback_http_request_duration_seconds{route,method,status} histogram, seconds from the
//       request's first byte being handled to the response being ready (not the network time)
//
// `route` is the router's pattern ("/v1/customers/{id}"), never the raw path, so a client cannot
// grow the label set; requests that match no route count under route "unmatched". Thread-safe.
class Metrics {
 public:
  // Upper bounds of the latency histogram, in seconds (plus +Inf).
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    5};

  void RecordRequest(std::string_view route, std::string_view method, int status, double seconds)
      EXCLUDES(mu_);

  // The counters and histograms above, one metric family each with HELP and TYPE lines.
  std::string Render() const EXCLUDES(mu_);

  // Real-time journeys (journey_loop.h), rendered as counters:
  //   winback_journey_loop_steps_total{kind="everyone|customers",outcome="ok|error"}
  //   winback_journey_loop_planned_messages_total   new messages the loop's plans added
  //   winback_journey_loop_sent_messages_total      messages the loop's sends delivered
  //   winback_order_exits_journeys_total            journeys exited at once by an order
  //   winback_order_exits_cancelled_messages_total  pending messages cancelled by an order
  void RecordLoopStep(bool everyone, bool ok, std::int64_t planned, std::int64_t sent)
      EXCLUDES(mu_);
  void RecordOrderExits(std::int64_t journeys, std::int64_t messages) EXCLUDES(mu_);

  // How many requests were recorded with this route and status (for tests).
  std::int64_t Count(std::string_view route, std::string_view method, int status) const
      EXCLUDES(mu_);

 private:
  struct Series {
    std::int64_t count = 0;
    double sum_seconds = 0;
    std::array<std::int64_t, kBuckets.size()> buckets{};  // Non-cumulative per bucket.
  };
  using Labels = std::pair<std::pair<std::string, std::string>, int>;  // route, method; status.
  mutable Mutex mu_;
  std::map<Labels, Series> series_ GUARDED_BY(mu_);
  // Loop steps by (everyone, ok); messages planned and sent by the loop; order exits.
  std::map<std::pair<bool, bool>, std::int64_t> loop_steps_ GUARDED_BY(mu_);
  std::int64_t loop_planned_ GUARDED_BY(mu_) = 0;
  std::int64_t loop_sent_ GUARDED_BY(mu_) = 0;
  std::int64_t exited_journeys_ GUARDED_BY(mu_) = 0;
  std::int64_t cancelled_messages_ GUARDED_BY(mu_) = 0;
};

// Gauges read from the store at scrape time, in the same format:
//
//   winback_outbox_messages{status}               messages in the outbox by status
//   winback_sends{channel,outcome}                messages by channel whose delivery reached an
//                                                 outcome: sent, retry, dead, unknown
//   winback_journeys{campaign,step,state}         journeys by campaign, next step (index) and
//                                                 state
//
// One pass over the outbox and one over the journeys. Unavailable on store errors.
Result<std::string> RenderStoreGauges(store::OutboxStore& outbox);

// The ingest writer's counters at scrape time, in the same format:
//
//   winback_ingest_pending_records          records logged and not yet applied to the store
//   winback_ingest_commits_total{target}    transactions of the ingest log and of the store
//   winback_ingest_early_answers_total      write requests answered once logged
std::string RenderIngestMetrics(const IngestWriter::Stats& stats);

// `text` escaped for a Prometheus label value (backslash, double quote, newline).
std::string EscapeLabel(std::string_view text);

}  // namespace winback::server
