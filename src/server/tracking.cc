#include "server/tracking.h"

#include <chrono>

#include "messages/link_token.h"
#include "messages/tracking_links.h"
#include "server/preferences.h"

namespace winback::server {
namespace {

// A transparent 1x1 GIF (GIF89a, 43 bytes).
constexpr unsigned char kPixel[] = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

Response StoreError(const Status& status) {
  // The message may name store internals: it is not shown; the status code says enough.
  if (status.code() == StatusCode::kUnavailable) {
    Response r = Response::Error(503, "unavailable", "the store is busy; try again");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  return Response::Error(500, "internal", "internal error");
}

// The verified payload of the request's token when it is of `kind`.
std::optional<messages::TrackingPayload> Verify(const TrackingContext& context,
                                                const Request& request,
                                                messages::TrackingPayload::Kind kind) {
  if (context.signing_key.empty()) return std::nullopt;
  std::optional<std::string> payload =
      messages::VerifyToken(context.signing_key, request.Param("token"));
  if (!payload) return std::nullopt;
  std::optional<messages::TrackingPayload> parsed = messages::ParseTrackingPayload(*payload);
  if (!parsed || parsed->kind != kind) return std::nullopt;
  return parsed;
}

// A Location value is ASCII: bytes outside printable ASCII (UTF-8 of an IRI, spaces) are
// percent-encoded; everything else, '%' included, is kept as the message had it.
std::string AsciiLocation(std::string_view url) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : url) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7f) {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Response NoStore() {
  Response r;
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

Instant Now(const TrackingContext& context) {
  if (context.clock) return context.clock();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return Instant::FromUnixMicros(us);
}

Response TokenNotFound() { return Response::Error(404, "not_found", "no such link"); }

Response HandleOpen(const TrackingContext& context, const Request& request) {
  auto payload = Verify(context, request, messages::TrackingPayload::Kind::kOpen);
  if (!payload) return TokenNotFound();
  const Instant now = Now(context);
  Result<bool> recorded = context.store->Run([&](store::Store& store) -> Result<bool> {
    WINBACK_ASSIGN_OR_RETURN(store::OutboxMessage message, store.LoadMessage(payload->key));
    TrackedEvent event;
    event.id = "wb-open:" + message.key;
    event.customer = message.customer;
    event.type = EventType::kEmailOpen;
    event.at = now;
    event.channel = "email";
    event.ref = message.key;
    return RecordEvent(store, event);
  });
  if (!recorded.ok()) {
    if (recorded.status().code() == StatusCode::kNotFound) return TokenNotFound();
    return StoreError(recorded.status());
  }
  Response r = NoStore();
  r.content_type = "image/gif";
  r.body.assign(reinterpret_cast<const char*>(kPixel), sizeof(kPixel));
  return r;
}

Response HandleClick(const TrackingContext& context, const Request& request) {
  auto payload = Verify(context, request, messages::TrackingPayload::Kind::kClick);
  if (!payload) return TokenNotFound();
  const Instant now = Now(context);
  Result<std::string> target = context.store->Run([&](store::Store& store) -> Result<std::string> {
    WINBACK_ASSIGN_OR_RETURN(store::OutboxMessage message, store.LoadMessage(payload->key));
    // The URL comes from the message as the outbox recorded it, never from the request.
    const std::vector<std::string> links =
        messages::TrackedLinks(message.body_html, context.base_url);
    if (payload->link < 0 || static_cast<std::size_t>(payload->link) >= links.size()) {
      return NotFoundError("no such link");
    }
    TrackedEvent event;
    event.id = "wb-click:" + std::to_string(payload->link) + ":" + message.key;
    event.customer = message.customer;
    event.type =
        message.channel == ChannelKind::kEmail ? EventType::kEmailClick : EventType::kSmsClick;
    event.at = now;
    event.channel = std::string(ChannelKindName(message.channel));
    event.ref = message.key;
    event.properties = "{\"link\":" + std::to_string(payload->link) + "}";
    WINBACK_RETURN_IF_ERROR(RecordEvent(store, event).status());
    return links[static_cast<std::size_t>(payload->link)];
  });
  if (!target.ok()) {
    if (target.status().code() == StatusCode::kNotFound) return TokenNotFound();
    return StoreError(target.status());
  }
  Response r = Response::Redirect(AsciiLocation(*target), 302);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

Response HandleOneClickUnsubscribe(const TrackingContext& context, const Request& request) {
  auto payload = Verify(context, request, messages::TrackingPayload::Kind::kMessage);
  if (!payload) return TokenNotFound();
  // RFC 8058 section 3.2: the body is List-Unsubscribe=One-Click (form-encoded or, from some
  // mail providers, multipart/form-data: the key and value are then found as they are).
  std::optional<std::vector<std::pair<std::string, std::string>>> form = ParseForm(request.body);
  bool one_click = false;
  if (form) {
    for (const auto& [k, v] : *form) {
      if (k == "List-Unsubscribe" && v == "One-Click") one_click = true;
    }
  }
  if (!one_click && request.body.find("List-Unsubscribe") != std::string::npos &&
      request.body.find("One-Click") != std::string::npos) {
    const std::string* type = request.Header("content-type");
    one_click = type != nullptr && type->starts_with("multipart/form-data");
  }
  if (!one_click) {
    return Response::Error(400, "invalid_argument",
                           "expected the body List-Unsubscribe=One-Click (RFC 8058)");
  }
  const Instant now = Now(context);
  Result<bool> done = context.store->Run([&](store::Store& store) -> Result<bool> {
    WINBACK_ASSIGN_OR_RETURN(store::OutboxMessage message, store.LoadMessage(payload->key));
    return Unsubscribe(store, message.customer, message.channel, "wb-unsubscribe:" + message.key,
                       message.key, "one_click", now);
  });
  if (!done.ok()) {
    if (done.status().code() == StatusCode::kNotFound) return TokenNotFound();
    return StoreError(done.status());
  }
  // 200, no redirect (RFC 8058 section 3.2: the mailbox provider follows none).
  Response r = NoStore();
  r.content_type = "text/plain; charset=utf-8";
  r.body = "unsubscribed\n";
  return r;
}

void AddTrackingRoutes(Router& router, const TrackingContext& context) {
  auto ctx = std::make_shared<const TrackingContext>(context);
  router.Add("GET", "/o/{token}", Access::kPublic,
             [ctx](const Request& r) { return HandleOpen(*ctx, r); });
  router.Add("GET", "/c/{token}", Access::kPublic,
             [ctx](const Request& r) { return HandleClick(*ctx, r); });
  router.Add("POST", "/u/{token}", Access::kPublic,
             [ctx](const Request& r) { return HandleOneClickUnsubscribe(*ctx, r); });
  router.Add("GET", "/u/{token}", Access::kPublic,
             [ctx](const Request& r) { return HandlePreferencesPage(*ctx, r); });
  router.Add("GET", "/p/{token}", Access::kPublic,
             [ctx](const Request& r) { return HandlePreferencesPage(*ctx, r); });
  router.Add("POST", "/p/{token}", Access::kPublic,
             [ctx](const Request& r) { return HandlePreferencesForm(*ctx, r); });
  router.Add("POST", "/v1/inbound/twilio", Access::kPublic,
             [ctx](const Request& r) { return HandleTwilioInbound(*ctx, r); });
  router.Add("GET", "/v1/inbound/whatsapp", Access::kPublic,
             [ctx](const Request& r) { return HandleWhatsappVerify(*ctx, r); });
  router.Add("POST", "/v1/inbound/whatsapp", Access::kPublic,
             [ctx](const Request& r) { return HandleWhatsappInbound(*ctx, r); });
}

}  // namespace winback::server
