#include "server/preferences.h"

#include <array>
#include <optional>
#include <vector>

#include "core/hmac.h"
#include "core/html.h"
#include "messages/link_token.h"
#include "messages/tracking_links.h"
#include "server/tracking.h"

namespace winback::server {
namespace {

constexpr std::array<ChannelKind, kChannelKindCount> kChannels = {
    ChannelKind::kEmail, ChannelKind::kSms, ChannelKind::kWhatsapp};

const char* ChannelLabel(ChannelKind channel) {
  switch (channel) {
    case ChannelKind::kEmail:
      return "Email";
    case ChannelKind::kSms:
      return "SMS";
    case ChannelKind::kWhatsapp:
      return "WhatsApp";
  }
  return "";
}

bool HasAddress(const store::CustomerRecord& record, ChannelKind channel) {
  return channel == ChannelKind::kEmail ? !record.email.empty() : !record.phone.empty();
}

bool UnsubscribedFrom(const store::CustomerProfile& profile, ChannelKind channel) {
  return (profile.aggregates.unsubscribed_channels & (1u << static_cast<unsigned>(channel))) != 0;
}

// The message the token names, or nullopt (a bad token: 404).
std::optional<std::string> MessageKey(const TrackingContext& context, std::string_view token) {
  if (context.signing_key.empty()) return std::nullopt;
  std::optional<std::string> payload = messages::VerifyToken(context.signing_key, token);
  if (!payload) return std::nullopt;
  auto parsed = messages::ParseTrackingPayload(*payload);
  if (!parsed || parsed->kind != messages::TrackingPayload::Kind::kMessage) return std::nullopt;
  return parsed->key;
}

std::string Page(const TrackingContext& context, std::string_view token,
                 const store::CustomerProfile& profile, std::string_view notice) {
  const std::string shop = EscapeHtml(context.shop_name);
  std::string html;
  html.reserve(4096);
  html +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"robots\" content=\"noindex\"><title>" +
      shop +
      ": your messages</title><style>"
      "body{font-family:system-ui,sans-serif;max-width:36em;margin:2em auto;padding:0 1em;"
      "color:#222}fieldset{border:1px solid #ccc;border-radius:6px;margin:1em 0;padding:1em}"
      "label{display:block;margin:.4em 0}.off{color:#777}.notice{background:#eef7ee;"
      "border:1px solid #9c9;padding:.6em;border-radius:6px}button{font-size:1em;"
      "padding:.5em 1.2em}</style></head><body>\n<h1>" +
      shop + "</h1>\n";
  if (!notice.empty()) html += "<p class=\"notice\">" + EscapeHtml(notice) + "</p>\n";
  std::string name = profile.record.first_name;
  html += "<p>Hello" + (name.empty() ? std::string() : " " + EscapeHtml(name)) +
          ", choose which messages you get from us.</p>\n";
  html += "<form method=\"post\" action=\"" + EscapeHtml(context.base_url) + "/p/" +
          EscapeHtml(token) + "\">\n<input type=\"hidden\" name=\"csrf\" value=\"" +
          CsrfToken(context.signing_key, token) + "\">\n<fieldset><legend>Channels</legend>\n";
  bool any = false;
  for (ChannelKind channel : kChannels) {
    if (!HasAddress(profile.record, channel)) continue;
    any = true;
    const std::string field = "channel_" + std::string(ChannelKindName(channel));
    if (UnsubscribedFrom(profile, channel)) {
      html += "<label class=\"off\"><input type=\"checkbox\" name=\"" + field + "\" disabled> " +
              ChannelLabel(channel) + ": unsubscribed</label>\n";
    } else {
      html += "<label><input type=\"checkbox\" name=\"" + field + "\"" +
              (Subscribed(profile, channel) ? " checked" : "") + "> " + ChannelLabel(channel) +
              "</label>\n";
    }
  }
  if (!any) html += "<p>We have no address of yours.</p>\n";
  html +=
      "</fieldset>\n<fieldset><legend>Do you want to stay on our list?</legend>\n"
      "<label><input type=\"radio\" name=\"stay\" value=\"yes\" checked> Yes, keep the "
      "channels ticked above</label>\n"
      "<label><input type=\"radio\" name=\"stay\" value=\"no\"> No, take me off every list"
      "</label>\n</fieldset>\n<button type=\"submit\">Save</button>\n</form>\n</body></html>\n";
  return html;
}

Response PageResponse(std::string body) {
  Response r = Response::Html(std::move(body));
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                         "frame-ancestors 'none'; base-uri 'none'");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

Response Failure(const Status& status) {
  if (status.code() == StatusCode::kNotFound) return TokenNotFound();
  if (status.code() == StatusCode::kUnavailable) {
    return Response::Error(503, "unavailable", "the store is busy; try again");
  }
  return Response::Error(500, "internal", "internal error");
}

}  // namespace

std::string CsrfToken(std::string_view signing_key, std::string_view token) {
  return HmacSha256Hex(signing_key, "csrf\n" + std::string(token));
}

Response HandlePreferencesPage(const TrackingContext& context, const Request& request) {
  const std::string_view token = request.Param("token");
  std::optional<std::string> key = MessageKey(context, token);
  if (!key) return TokenNotFound();
  Result<std::string> page = context.store->Run([&](store::Store& store) -> Result<std::string> {
    WINBACK_ASSIGN_OR_RETURN(store::OutboxMessage message, store.LoadMessage(*key));
    WINBACK_ASSIGN_OR_RETURN(store::CustomerProfile profile,
                             store.LoadCustomerByKey(message.customer));
    return Page(context, token, profile, "");
  });
  if (!page.ok()) return Failure(page.status());
  return PageResponse(std::move(*page));
}

Response HandlePreferencesForm(const TrackingContext& context, const Request& request) {
  const std::string_view token = request.Param("token");
  std::optional<std::string> key = MessageKey(context, token);
  if (!key) return TokenNotFound();
  auto form = ParseForm(request.body);
  if (!form) return Response::Error(400, "invalid_argument", "malformed form body");
  auto field = [&](std::string_view name) -> const std::string* {
    for (const auto& [k, v] : *form) {
      if (k == name) return &v;
    }
    return nullptr;
  };
  const std::string* csrf = field("csrf");
  const bool csrf_ok =
      csrf != nullptr && ConstantTimeEqual(*csrf, CsrfToken(context.signing_key, token));
  const std::string* stay = field("stay");
  if (stay != nullptr && *stay != "yes" && *stay != "no") {
    return Response::Error(400, "invalid_argument", "stay: expected yes or no");
  }
  const bool leave = stay != nullptr && *stay == "no";
  const Instant now = Now(context);
  // nullopt: a missing or wrong csrf token.
  Result<std::optional<std::string>> page =
      context.store->Run([&](store::Store& store) -> Result<std::optional<std::string>> {
        WINBACK_ASSIGN_OR_RETURN(store::OutboxMessage message, store.LoadMessage(*key));
        // After the message is found, so that an unknown message is 404 like every bad token.
        if (!csrf_ok) return std::optional<std::string>();
        WINBACK_ASSIGN_OR_RETURN(store::CustomerProfile profile,
                                 store.LoadCustomerByKey(message.customer));
        std::vector<std::string> changes;
        for (ChannelKind channel : kChannels) {
          if (!HasAddress(profile.record, channel) || UnsubscribedFrom(profile, channel)) continue;
          const std::string name(ChannelKindName(channel));
          const bool want = !leave && field("channel_" + name) != nullptr;
          if (!want && Subscribed(profile, channel)) {
            WINBACK_RETURN_IF_ERROR(Unsubscribe(store, message.customer, channel,
                                                "wb-unsubscribe:" + name + ":" + message.key,
                                                message.key, leave ? "stay_no" : "preferences", now)
                                        .status());
            changes.push_back(std::string(ChannelLabel(channel)) + " off");
          } else if (want && !Subscribed(profile, channel)) {
            WINBACK_RETURN_IF_ERROR(GrantConsent(store, message.customer, channel));
            changes.push_back(std::string(ChannelLabel(channel)) + " on");
          }
        }
        WINBACK_ASSIGN_OR_RETURN(store::CustomerProfile after,
                                 store.LoadCustomerByKey(message.customer));
        std::string notice = "Saved.";
        if (leave) notice = "Saved: you are off every list. You will get no more messages from us.";
        if (!leave && !changes.empty()) {
          notice = "Saved:";
          for (std::size_t i = 0; i < changes.size(); ++i) notice += (i ? ", " : " ") + changes[i];
          notice += ".";
        }
        return std::optional<std::string>(Page(context, token, after, notice));
      });
  if (!page.ok()) return Failure(page.status());
  if (!page->has_value()) {
    return Response::Error(403, "forbidden", "missing or wrong csrf token; reload the page");
  }
  return PageResponse(std::move(**page));
}

}  // namespace winback::server
