#pragma once

#include <functional>

#include "config/config.h"
#include "core/time.h"
#include "server/http.h"
#include "server/ingest_writer.h"
#include "server/metrics.h"
#include "server/store_pool.h"

namespace winback::server {

// What the API handlers use. Everything must outlive the router's routes.
struct ApiContext {
  StorePool* readers = nullptr;
  IngestWriter* writer = nullptr;
  const config::Config* config = nullptr;
  Metrics* metrics = nullptr;
  // The current time, for measurement windows (`as_of` defaults to now).
  std::function<Instant()> now;
};

// Adds the JSON API to `router`:
//
//   POST /v1/customers, /v1/orders, /v1/events, /v1/products   (kApiKey)
//       One JSON object or an array of them, validated as `winback import` validates a JSONL
//       line. 200 {"records": N, "written": W, "ignored_keys": [...]} once committed and
//       durable; 400 "invalid_records" with every error in "details" ({record, field,
//       message}) and nothing written; 503 "unavailable" when the store failed (retry).
//   GET /v1/customers/{id}                  profile, scores, journeys, timeline (404 unknown)
//   GET /v1/segments[?as_of=YYYY-MM-DD]     the latest (or given) score run's segment table
//   GET /v1/campaigns                       configured campaigns with journey/message counts
//   GET /v1/campaigns/{name}/results[?as_of=YYYY-MM-DD]   MeasureCampaign (404, 409)
//   GET /v1/rates?period=day|week|month|year[&from=D&to=D]   CRR and churn per period
//   GET /healthz                            (kPublic) {"status":"ok"} when the store is readable
//   GET /metrics                            (kApiKey) Prometheus text: Metrics + store gauges
void AddApiRoutes(Router& router, const ApiContext& context);

// The POST handler for one kind, exposed for tests.
Response HandleIngest(const ApiContext& context, ingest::FileKind kind, const Request& request);

}  // namespace winback::server
