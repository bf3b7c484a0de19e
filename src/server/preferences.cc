#include "server/preferences.h"

#include <algorithm>
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

// How the page names a kind of message (core/vocabulary.h: MessageKind).
const char* KindLabel(MessageKind kind) {
  switch (kind) {
    case MessageKind::kOffers:
      return "Offers and discounts";
    case MessageKind::kReminders:
      return "Reminders, such as a cart you left";
    case MessageKind::kOccasions:
      return "Greetings on your birthday, anniversaries and holidays";
    case MessageKind::kService:
      return "Service messages: thanks, reviews, help after an order or a ticket";
    case MessageKind::kNews:
      return "News of features and products";
  }
  return "";
}

// "Offers", "Reminders", ...: the kind's name as the notice of a change shows it.
std::string KindNoticeName(MessageKind kind) {
  std::string name(MessageKindName(kind));
  name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name;
}

bool OptedOut(const std::vector<store::KindOptOut>& opt_outs, MessageKind kind) {
  for (const store::KindOptOut& o : opt_outs) {
    if (o.kind == kind) return true;
  }
  return false;
}

// The kinds the page shows: those the configured campaigns send and those the customer opted
// out of (so that they can opt in again even after a campaign left the config), in kind order.
std::vector<MessageKind> ShownKinds(const TrackingContext& context,
                                    const std::vector<store::KindOptOut>& opt_outs) {
  std::vector<MessageKind> out;
  for (int k = 0; k < kMessageKindCount; ++k) {
    const auto kind = static_cast<MessageKind>(k);
    const bool in_use =
        std::find(context.kinds.begin(), context.kinds.end(), kind) != context.kinds.end();
    if (in_use || OptedOut(opt_outs, kind)) out.push_back(kind);
  }
  return out;
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
                 const store::CustomerProfile& profile,
                 const std::vector<store::KindOptOut>& opt_outs, std::string_view notice) {
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
  html += "</fieldset>\n";
  const std::vector<MessageKind> kinds = ShownKinds(context, opt_outs);
  if (!kinds.empty()) {
    html += "<fieldset><legend>What we write about</legend>\n";
    for (MessageKind kind : kinds) {
      const std::string kind_name(MessageKindName(kind));
      // kind_shown tells the form which kinds this page offered: only those are changed, so an
      // unticked box means "no" and a kind the page did not show keeps its setting.
      html += "<input type=\"hidden\" name=\"kind_shown\" value=\"" + kind_name +
              "\">\n<label><input type=\"checkbox\" name=\"kind_" + kind_name + "\"" +
              (OptedOut(opt_outs, kind) ? "" : " checked") + "> " + KindLabel(kind) + "</label>\n";
    }
    html += "</fieldset>\n";
  }
  html +=
      "<fieldset><legend>Do you want to stay on our list?</legend>\n"
      "<label><input type=\"radio\" name=\"stay\" value=\"yes\" checked> Yes, as ticked "
      "above</label>\n"
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
    WINBACK_ASSIGN_OR_RETURN(std::vector<store::KindOptOut> opt_outs,
                             store.LoadKindOptOuts(message.customer));
    return Page(context, token, profile, opt_outs, "");
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
  std::vector<MessageKind> shown_kinds;
  for (const auto& [k, v] : *form) {
    if (k != "kind_shown") continue;
    std::optional<MessageKind> kind = ParseMessageKind(v);
    if (!kind) return Response::Error(400, "invalid_argument", "kind_shown: not a kind of message");
    if (std::find(shown_kinds.begin(), shown_kinds.end(), *kind) == shown_kinds.end()) {
      shown_kinds.push_back(*kind);
    }
  }
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
        // "No" to the list leaves every channel, whatever the kinds say; the kinds keep their
        // settings for a later re-subscription through the shop.
        for (MessageKind kind : leave ? std::vector<MessageKind>() : shown_kinds) {
          const std::string name(MessageKindName(kind));
          const bool want = field("kind_" + name) != nullptr;
          WINBACK_ASSIGN_OR_RETURN(bool changed,
                                   SetKindPreference(store, message.customer, kind, want, now));
          if (changed) changes.push_back(KindNoticeName(kind) + (want ? " on" : " off"));
        }
        WINBACK_ASSIGN_OR_RETURN(store::CustomerProfile after,
                                 store.LoadCustomerByKey(message.customer));
        WINBACK_ASSIGN_OR_RETURN(std::vector<store::KindOptOut> opt_outs,
                                 store.LoadKindOptOuts(message.customer));
        std::string notice = "Saved.";
        if (leave) notice = "Saved: you are off every list. You will get no more messages from us.";
        if (!leave && !changes.empty()) {
          notice = "Saved:";
          for (std::size_t i = 0; i < changes.size(); ++i) notice += (i ? ", " : " ") + changes[i];
          notice += ".";
        }
        return std::optional<std::string>(Page(context, token, after, opt_outs, notice));
      });
  if (!page.ok()) return Failure(page.status());
  if (!page->has_value()) {
    return Response::Error(403, "forbidden", "missing or wrong csrf token; reload the page");
  }
  return PageResponse(std::move(**page));
}

}  // namespace winback::server
