#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/registry.h"

namespace winback::server {

// The [server] section of winback.toml: where `winback serve` listens, who may call the API
// and the limits that keep one client from starving the others. Every number has a unit in its
// name; the defaults are the values below.
struct ServerSettings {
  std::string listen = "127.0.0.1:8080";  // host:port; --listen overrides it.
  // SHA-256 digests of the accepted API keys, 64 lower-case hex digits each (`printf %s KEY |
  // sha256sum`). The keys themselves never appear in the file. WINBACK_API_KEY in the
  // environment is one more valid key.
  std::vector<std::string> api_key_sha256;
  std::int64_t max_body_bytes = 8 << 20;  // A larger request body is 413.
  // Token bucket per API key: `rate_per_second` requests per second on average, bursts of up
  // to `rate_burst` requests. 0 turns the limit off.
  double rate_per_second = 1000;
  std::int64_t rate_burst = 2000;
  // A client that sends nothing for read_timeout_seconds while the server waits for its request
  // (headers or body), or accepts nothing for write_timeout_seconds while the server writes the
  // response, is disconnected.
  std::int64_t read_timeout_seconds = 5;
  std::int64_t write_timeout_seconds = 5;
  // Those two apply to each read and write; this one to the whole request: a request must
  // arrive in full (counted from the accept or the previous response, keep-alive idle time
  // included) and its response be written within request_timeout_seconds each, or the
  // connection is closed. A client trickling a byte at a time cannot hold a worker longer.
  std::int64_t request_timeout_seconds = 30;
  // An idle keep-alive connection is closed after this many seconds.
  std::int64_t keep_alive_seconds = 5;
  // Worker threads serving connections (one connection at a time each), and how many accepted
  // connections may wait for a worker before the server stops accepting (the kernel's backlog
  // then holds further ones).
  std::int64_t threads = 16;
  std::int64_t max_queued_connections = 256;
  // Group commit: the writer takes up to this many queued write requests into one transaction.
  std::int64_t group_commit_max_requests = 256;
  // The ingest log (ingest_log.h, `<store>-ingest`): a batch of new events is answered once it
  // is in the log, and applied to the store just after, in larger transactions; reads through
  // the API wait for it. false: every request is answered after the store has it (each request
  // then waits for a store commit; for setups where other processes must see every answered
  // record in the store at once).
  bool ingest_log = true;
  // The journey loop (journey_loop.h): every this many seconds it plans everyone as of the
  // current UTC day and sends what is due, as `winback run` does; 0 turns it off (orders still
  // exit journeys at once; events are then planned by the next `winback run` or `plan`).
  std::int64_t plan_interval_seconds = 300;
};

// Registers [server] with the strict loader (keys, types, ranges; digests must be 64 hex digits).
void AddConfigSections(config::Registry& registry);

}  // namespace winback::server
