#include "server/server_config.h"

namespace winback::server {
namespace {

bool IsSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status ParseServer(const config::SectionView& s, ServerSettings& out) {
  if (const config::Value* v = s.Find("listen")) {
    if (v->AsString().find(':') == std::string::npos) {
      return s.Error(*v, "listen", "expected host:port, got '" + v->AsString() + "'");
    }
    out.listen = v->AsString();
  }
  if (const config::Value* v = s.Find("api_key_sha256")) {
    for (const config::Value& e : v->AsArray()) {
      if (!IsSha256Hex(e.AsString())) {
        return s.Error(e, "api_key_sha256",
                       "expected a SHA-256 digest as 64 lower-case hex digits (printf %s KEY | "
                       "sha256sum), not the key itself");
      }
      out.api_key_sha256.push_back(e.AsString());
    }
  }
  if (const config::Value* v = s.Find("max_body_bytes")) out.max_body_bytes = v->AsInteger();
  if (const config::Value* v = s.Find("rate_per_second")) out.rate_per_second = v->AsNumber();
  if (const config::Value* v = s.Find("rate_burst")) out.rate_burst = v->AsInteger();
  if (const config::Value* v = s.Find("read_timeout_seconds")) {
    out.read_timeout_seconds = v->AsInteger();
  }
  if (const config::Value* v = s.Find("write_timeout_seconds")) {
    out.write_timeout_seconds = v->AsInteger();
  }
  if (const config::Value* v = s.Find("request_timeout_seconds")) {
    out.request_timeout_seconds = v->AsInteger();
  }
  if (const config::Value* v = s.Find("keep_alive_seconds")) {
    out.keep_alive_seconds = v->AsInteger();
  }
  if (const config::Value* v = s.Find("threads")) out.threads = v->AsInteger();
  if (const config::Value* v = s.Find("max_queued_connections")) {
    out.max_queued_connections = v->AsInteger();
  }
  if (const config::Value* v = s.Find("group_commit_max_requests")) {
    out.group_commit_max_requests = v->AsInteger();
  }
  if (const config::Value* v = s.Find("ingest_log")) out.ingest_log = v->AsBoolean();
  if (const config::Value* v = s.Find("plan_interval_seconds")) {
    out.plan_interval_seconds = v->AsInteger();
  }
  return Status::Ok();
}

}  // namespace

void AddConfigSections(config::Registry& registry) {
  registry.Add<ServerSettings>(
      "server",
      {config::String("listen"), config::StringList("api_key_sha256"),
       config::Integer("max_body_bytes", 1024, std::int64_t{1} << 30),
       config::Number("rate_per_second", 0, 1e9), config::Integer("rate_burst", 1, 1'000'000'000),
       config::Integer("read_timeout_seconds", 1, 3600),
       config::Integer("write_timeout_seconds", 1, 3600),
       config::Integer("request_timeout_seconds", 1, 3600),
       config::Integer("keep_alive_seconds", 1, 3600), config::Integer("threads", 1, 1024),
       config::Integer("max_queued_connections", 1, 1'000'000),
       config::Integer("group_commit_max_requests", 1, 100'000), config::Boolean("ingest_log"),
       config::Integer("plan_interval_seconds", 0, 7 * 86'400)},
      ParseServer);
}

}  // namespace winback::server
