#include "server/inbound.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/hmac.h"
#include "core/html.h"
#include "core/utf8.h"
#include "server/tracking.h"

namespace winback::server {
namespace {

using config::SectionView;
using config::Value;

// ---- Folding ----

// Decodes one UTF-8 code point at `i` (advancing it); invalid bytes come back as themselves.
std::uint32_t NextCodePoint(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  auto cont = [&](std::size_t k) -> int {
    if (i + k >= s.size()) return -1;
    const auto b = static_cast<unsigned char>(s[i + k]);
    return (b & 0xc0) == 0x80 ? (b & 0x3f) : -1;
  };
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  if ((b0 & 0xe0) == 0xc0 && cont(1) >= 0) {
    const std::uint32_t cp = ((b0 & 0x1fu) << 6) | static_cast<std::uint32_t>(cont(1));
    i += 2;
    return cp;
  }
  if ((b0 & 0xf0) == 0xe0 && cont(1) >= 0 && cont(2) >= 0) {
    const std::uint32_t cp = ((b0 & 0x0fu) << 12) | (static_cast<std::uint32_t>(cont(1)) << 6) |
                             static_cast<std::uint32_t>(cont(2));
    i += 3;
    return cp;
  }
  if ((b0 & 0xf8) == 0xf0 && cont(1) >= 0 && cont(2) >= 0 && cont(3) >= 0) {
    const std::uint32_t cp = ((b0 & 0x07u) << 18) | (static_cast<std::uint32_t>(cont(1)) << 12) |
                             (static_cast<std::uint32_t>(cont(2)) << 6) |
                             static_cast<std::uint32_t>(cont(3));
    i += 4;
    return cp;
  }
  ++i;
  return b0;
}

bool IsSpace(std::uint32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
         cp == 0xa0 || cp == 0x2007 || cp == 0x202f || cp == 0x3000 ||
         (cp >= 0x2000 && cp <= 0x200a);
}

bool IsPunctuation(std::uint32_t cp) {
  if (cp < 0x80) {
    return (cp >= 0x21 && cp <= 0x2f) || (cp >= 0x3a && cp <= 0x40) || (cp >= 0x5b && cp <= 0x60) ||
           (cp >= 0x7b && cp <= 0x7e);
  }
  // Arabic comma, semicolon, question mark, full stop; guillemets; ellipsis; quotes.
  return cp == 0x060c || cp == 0x061b || cp == 0x061f || cp == 0x06d4 || cp == 0xab || cp == 0xbb ||
         cp == 0x2026 || (cp >= 0x2018 && cp <= 0x201f) || cp == 0xa1 || cp == 0xbf;
}

// The folded code point, or 0 to drop it.
std::uint32_t FoldCodePoint(std::uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  switch (cp) {
    case 0x0130:  // İ
    case 0x0131:  // ı
      return 'i';
    case 0x0307:  // combining dot above ("i̇", what a plain lower-casing of İ gives)
      return 0;
    case 0x00c7:  // Ç
    case 0x00d6:  // Ö
    case 0x00dc:  // Ü
      return cp + 0x20;
    case 0x011e:  // Ğ
    case 0x015e:  // Ş
      return cp + 1;
    case 0x064a:      // Arabic yeh
    case 0x0649:      // alef maksura
      return 0x06cc;  // Persian yeh
    case 0x0643:      // Arabic kaf
      return 0x06a9;  // Persian keheh
    case 0x0640:      // tatweel
    case 0x200c:      // ZWNJ
    case 0x200d:      // ZWJ
    case 0x200e:      // LRM
    case 0x200f:      // RLM
    case 0xfeff:      // BOM
      return 0;
    default:
      break;
  }
  if ((cp >= 0x064b && cp <= 0x065f) || cp == 0x0670) return 0;  // Arabic diacritics
  return cp;
}

// Folds and splits into words (punctuation and white space separate words).
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (std::size_t i = 0; i < text.size();) {
    const std::uint32_t cp = NextCodePoint(text, i);
    if (IsSpace(cp) || IsPunctuation(cp)) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      continue;
    }
    const std::uint32_t folded = FoldCodePoint(cp);
    if (folded != 0) AppendUtf8(word, folded);
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out.push_back(' ');
    out += w;
  }
  return out;
}

// ---- Config ----

std::vector<std::string> Strings(const Value& v) {
  std::vector<std::string> out;
  for (const Value& e : v.AsArray()) out.push_back(e.AsString());
  return out;
}

Status ParseInbound(const SectionView& s, InboundSettings& out) {
  if (const Value* v = s.Find("stop_reply")) out.stop_reply = v->AsString();
  if (const Value* v = s.Find("stop_whatsapp_template")) {
    out.stop_whatsapp_template = v->AsString();
  }
  if (const Value* v = s.Find("twilio_url")) {
    if (!v->AsString().starts_with("https://") && !v->AsString().starts_with("http://")) {
      return s.Error(*v, "twilio_url", "expected an http(s) URL, got '" + v->AsString() + "'");
    }
    out.twilio_url = v->AsString();
  }
  if (const Value* v = s.Find("reply")) {
    for (const Value& t : v->AsArray()) {
      AutoReply reply;
      reply.name = t.Find("name")->AsString();
      if (reply.name.empty()) return s.Error(t, "reply.name", "must not be empty");
      for (const AutoReply& other : out.replies) {
        if (other.name == reply.name) {
          return s.Error(t, "reply.name", "'" + reply.name + "' is used twice");
        }
      }
      reply.keywords = Strings(*t.Find("keywords"));
      if (reply.keywords.empty()) return s.Error(t, "reply.keywords", "must list a keyword");
      for (const std::string& k : reply.keywords) {
        if (Words(k).empty()) {
          return s.Error(t, "reply.keywords", "'" + k + "' has no letters or digits");
        }
        if (IsStopWord(k)) {
          return s.Error(t, "reply.keywords", "'" + k + "' is a STOP word; it always unsubscribes");
        }
      }
      reply.text = t.Find("text")->AsString();
      if (reply.text.empty()) return s.Error(t, "reply.text", "must not be empty");
      if (const Value* w = t.Find("whatsapp_template")) reply.whatsapp_template = w->AsString();
      out.replies.push_back(std::move(reply));
    }
  }
  return Status::Ok();
}

// ---- Handlers ----

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

Response NotConfigured(std::string_view what) {
  Response r = Response::Error(503, "not_configured", std::string(what) + " is not set");
  r.headers.emplace_back("Retry-After", "300");
  return r;
}

Response BadSignature() { return Response::Error(403, "forbidden", "missing or wrong signature"); }

Response StoreFailure(const Status& status) {
  if (status.code() == StatusCode::kUnavailable) {
    Response r = Response::Error(503, "unavailable", "the store is busy; try again");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  return Response::Error(500, "internal", "internal error");
}

// What one inbound message led to.
struct InboundOutcome {
  std::string reply_text;         // SMS reply; "" none.
  std::string whatsapp_template;  // WhatsApp reply; "" none.
  std::string language = "en";
};

// Steps 1-3 of inbound.h for a message from `phone` on `channel`.
Result<InboundOutcome> ProcessInbound(const TrackingContext& context, store::Store& store,
                                      ChannelKind channel, std::string_view phone,
                                      std::string_view provider_id, std::string_view text,
                                      Instant now) {
  InboundOutcome outcome;
  WINBACK_ASSIGN_OR_RETURN(std::optional<CustomerKey> customer, store.FindCustomerByPhone(phone));
  if (!customer) return outcome;
  WINBACK_ASSIGN_OR_RETURN(store::CustomerProfile profile, store.LoadCustomerByKey(*customer));
  if (!profile.record.language.empty()) outcome.language = profile.record.language;
  const std::string event_id =
      "wb-in:" + std::string(ChannelKindName(channel)) + ":" + std::string(provider_id);
  if (IsStopWord(text)) {
    WINBACK_ASSIGN_OR_RETURN(
        bool first, Unsubscribe(store, *customer, channel, event_id, "", "stop_word", now));
    if (first) {
      outcome.reply_text = context.inbound.stop_reply;
      outcome.whatsapp_template = context.inbound.stop_whatsapp_template;
    }
    return outcome;
  }
  TrackedEvent event;
  event.id = event_id;
  event.customer = *customer;
  event.type = channel == ChannelKind::kWhatsapp ? EventType::kWhatsappReply : EventType::kSmsReply;
  event.at = now;
  event.channel = std::string(ChannelKindName(channel));
  event.text = std::string(text);
  const int match = MatchAutoReply(context.inbound.replies, text);
  const AutoReply* reply =
      match < 0 ? nullptr : &context.inbound.replies[static_cast<std::size_t>(match)];
  // A WhatsApp message is answered only when the reply has a template and there is an adapter.
  if (reply != nullptr && channel == ChannelKind::kWhatsapp &&
      (reply->whatsapp_template.empty() || !context.send_whatsapp)) {
    reply = nullptr;
  }
  if (reply != nullptr) {
    event.properties = nlohmann::json({{"auto_reply", reply->name}}).dump();
  } else {
    event.properties = "{\"needs_answer\":true}";
  }
  WINBACK_ASSIGN_OR_RETURN(bool recorded, RecordEvent(store, event));
  if (recorded && reply != nullptr) {
    outcome.reply_text = reply->text;
    outcome.whatsapp_template = reply->whatsapp_template;
  }
  return outcome;
}

std::string Twiml(std::string_view reply) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response>";
  if (!reply.empty()) out += "<Message>" + EscapeHtml(reply) + "</Message>";
  out += "</Response>\n";
  return out;
}

// The URL Twilio signed: the configured one, or base_url + the path. A query string is not
// rebuilt: the HTTP adapter cannot tell a URL's query from a form body's fields, so a Twilio
// webhook URL with a query must be given exactly as [inbound] twilio_url.
std::string TwilioUrl(const TrackingContext& context, const Request& request) {
  if (!context.inbound.twilio_url.empty()) return context.inbound.twilio_url;
  return context.base_url + request.path;
}

const std::string* FormValue(const std::vector<std::pair<std::string, std::string>>& form,
                             std::string_view name) {
  for (const auto& [k, v] : form) {
    if (k == name) return &v;
  }
  return nullptr;
}

Response Ok() { return Response::Json("{\"ok\":true}"); }

}  // namespace

void AddInboundConfigSection(config::Registry& registry) {
  registry.Add<InboundSettings>(
      "inbound",
      {config::String("stop_reply"), config::String("stop_whatsapp_template"),
       config::String("twilio_url"),
       config::TableArray("reply", {config::Required(config::String("name")),
                                    config::Required(config::StringList("keywords")),
                                    config::Required(config::String("text")),
                                    config::String("whatsapp_template")})},
      ParseInbound);
}

InboundSecrets InboundSecretsFromEnv() {
  InboundSecrets s;
  s.twilio_auth_token = Env("WINBACK_TWILIO_AUTH_TOKEN");
  s.whatsapp_app_secret = Env("WINBACK_WHATSAPP_APP_SECRET");
  s.whatsapp_verify_token = Env("WINBACK_WHATSAPP_VERIFY_TOKEN");
  return s;
}

std::string FoldForMatch(std::string_view text) { return Join(Words(text)); }

bool IsStopWord(std::string_view text) {
  static const std::vector<std::string> kStop = {
      "stop", "stopall", "unsubscribe", "cancel", "end", "quit", "iptal", "dur",
      // لغو, توقف
      "\xd9\x84\xd8\xba\xd9\x88", "\xd8\xaa\xd9\x88\xd9\x82\xd9\x81"};
  const std::vector<std::string> words = Words(text);
  if (words.size() != 1) return false;
  return std::find(kStop.begin(), kStop.end(), words[0]) != kStop.end();
}

int MatchAutoReply(const std::vector<AutoReply>& replies, std::string_view text) {
  const std::string message = " " + FoldForMatch(text) + " ";
  for (std::size_t i = 0; i < replies.size(); ++i) {
    for (const std::string& keyword : replies[i].keywords) {
      const std::string folded = FoldForMatch(keyword);
      if (!folded.empty() && message.find(" " + folded + " ") != std::string::npos) {
        return static_cast<int>(i);
      }
    }
  }
  return -1;
}

std::string TwilioSignature(std::string_view auth_token, std::string_view url,
                            std::vector<std::pair<std::string, std::string>> params) {
  std::sort(params.begin(), params.end());
  std::string data(url);
  for (const auto& [k, v] : params) data += k + v;
  return HmacSha1Base64(auth_token, data);
}

Response HandleTwilioInbound(const TrackingContext& context, const Request& request) {
  if (context.secrets.twilio_auth_token.empty()) {
    return NotConfigured("WINBACK_TWILIO_AUTH_TOKEN");
  }
  const std::string* signature = request.Header("x-twilio-signature");
  if (signature == nullptr) return BadSignature();
  auto form = ParseForm(request.body);
  if (!form) return Response::Error(400, "invalid_argument", "malformed form body");
  const std::string expected =
      TwilioSignature(context.secrets.twilio_auth_token, TwilioUrl(context, request), *form);
  if (!ConstantTimeEqual(*signature, expected)) return BadSignature();

  const std::string* sid = FormValue(*form, "MessageSid");
  if (sid == nullptr) sid = FormValue(*form, "SmsSid");
  if (sid == nullptr || sid->empty()) {
    return Response::Error(400, "invalid_argument", "MessageSid: missing");
  }
  const std::string* body = FormValue(*form, "Body");
  const std::string* status = FormValue(*form, "MessageStatus");
  const Instant now = Now(context);
  Response answer;
  answer.content_type = "text/xml; charset=utf-8";
  if (body == nullptr) {
    // A status callback.
    if (status == nullptr) return Response::Error(400, "invalid_argument", "Body: missing");
    std::optional<store::MessageStatus> to;
    std::string detail = *status;
    if (*status == "delivered") {
      to = store::MessageStatus::kSent;
    } else if (*status == "failed" || *status == "undelivered") {
      to = store::MessageStatus::kDead;
      if (const std::string* code = FormValue(*form, "ErrorCode")) detail += ": " + *code;
    }
    if (to) {
      Status done = context.store->Run([&](store::Store& store) -> Status {
        WINBACK_ASSIGN_OR_RETURN(std::optional<store::OutboxMessage> message,
                                 store.FindMessageByProviderId(ChannelKind::kSms, *sid));
        if (!message) return Status::Ok();
        Result<bool> r = store.RecordDeliveryReport(message->id, *to, detail);
        if (!r.ok() && r.status().code() == StatusCode::kFailedPrecondition) return Status::Ok();
        return r.status();
      });
      if (!done.ok()) return StoreFailure(done);
    }
    answer.body = Twiml("");
    return answer;
  }
  const std::string* from = FormValue(*form, "From");
  if (from == nullptr || from->empty()) {
    return Response::Error(400, "invalid_argument", "From: missing");
  }
  Result<InboundOutcome> outcome = context.store->Run([&](store::Store& store) {
    return ProcessInbound(context, store, ChannelKind::kSms, *from, *sid, *body, now);
  });
  if (!outcome.ok()) return StoreFailure(outcome.status());
  answer.body = Twiml(outcome->reply_text);
  return answer;
}

Response HandleWhatsappVerify(const TrackingContext& context, const Request& request) {
  if (context.secrets.whatsapp_verify_token.empty()) {
    return NotConfigured("WINBACK_WHATSAPP_VERIFY_TOKEN");
  }
  const std::string* mode = request.Query("hub.mode");
  const std::string* token = request.Query("hub.verify_token");
  const std::string* challenge = request.Query("hub.challenge");
  if (mode == nullptr || *mode != "subscribe" || token == nullptr || challenge == nullptr ||
      !ConstantTimeEqual(*token, context.secrets.whatsapp_verify_token)) {
    return Response::Error(403, "forbidden", "verification failed");
  }
  Response r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = *challenge;
  return r;
}

Response HandleWhatsappInbound(const TrackingContext& context, const Request& request) {
  if (context.secrets.whatsapp_app_secret.empty()) {
    return NotConfigured("WINBACK_WHATSAPP_APP_SECRET");
  }
  const std::string* signature = request.Header("x-hub-signature-256");
  if (signature == nullptr ||
      !ConstantTimeEqual(*signature, "sha256=" + HmacSha256Hex(context.secrets.whatsapp_app_secret,
                                                               request.body))) {
    return BadSignature();
  }
  const nlohmann::json j = nlohmann::json::parse(request.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Response::Error(400, "invalid_argument", "body: not a JSON object");
  }
  if (!j.contains("entry") || !j["entry"].is_array()) {
    return Response::Error(400, "invalid_argument", "entry: expected an array");
  }
  // Everything the body asks for, checked before any of it is applied.
  struct Incoming {
    std::string from, id, text;
  };
  struct StatusReport {
    std::string id, status, detail;
  };
  std::vector<Incoming> incoming;
  std::vector<StatusReport> reports;
  auto str = [](const nlohmann::json& o, const char* k) -> std::optional<std::string> {
    if (!o.is_object() || !o.contains(k) || !o[k].is_string()) return std::nullopt;
    return o[k].get<std::string>();
  };
  for (const nlohmann::json& entry : j["entry"]) {
    if (!entry.is_object() || !entry.contains("changes") || !entry["changes"].is_array()) {
      return Response::Error(400, "invalid_argument", "entry[].changes: expected an array");
    }
    for (const nlohmann::json& change : entry["changes"]) {
      if (!change.is_object() || !change.contains("value") || !change["value"].is_object()) {
        return Response::Error(400, "invalid_argument",
                               "entry[].changes[].value: expected an object");
      }
      const nlohmann::json& value = change["value"];
      if (value.contains("messages")) {
        if (!value["messages"].is_array()) {
          return Response::Error(400, "invalid_argument", "messages: expected an array");
        }
        for (const nlohmann::json& m : value["messages"]) {
          auto from = str(m, "from");
          auto id = str(m, "id");
          if (!from || !id || from->empty() || id->empty()) {
            return Response::Error(400, "invalid_argument", "messages[]: from and id required");
          }
          std::string text;
          if (auto type = str(m, "type"); type && *type == "text") {
            if (!m.contains("text") || !str(m["text"], "body")) {
              return Response::Error(400, "invalid_argument", "messages[].text.body: missing");
            }
            text = *str(m["text"], "body");
          } else if (type && *type == "button" && m.contains("button")) {
            text = str(m["button"], "text").value_or("");
          }
          // wa_id is the number without '+'.
          incoming.push_back({from->starts_with("+") ? *from : "+" + *from, *id, text});
        }
      }
      if (value.contains("statuses")) {
        if (!value["statuses"].is_array()) {
          return Response::Error(400, "invalid_argument", "statuses: expected an array");
        }
        for (const nlohmann::json& st : value["statuses"]) {
          auto id = str(st, "id");
          auto status = str(st, "status");
          if (!id || !status) {
            return Response::Error(400, "invalid_argument", "statuses[]: id and status required");
          }
          std::string detail = *status;
          if (st.contains("errors") && st["errors"].is_array() && !st["errors"].empty()) {
            const nlohmann::json& e = st["errors"][0];
            if (e.is_object() && e.contains("code") && e["code"].is_number_integer()) {
              detail += ": " + std::to_string(e["code"].get<std::int64_t>());
            }
            if (auto title = str(e, "title")) detail += " " + *title;
          }
          reports.push_back({*id, *status, detail});
        }
      }
    }
  }
  const Instant now = Now(context);
  std::vector<WhatsappReply> replies;
  Status done = context.store->Run([&](store::Store& store) -> Status {
    for (const StatusReport& report : reports) {
      WINBACK_ASSIGN_OR_RETURN(std::optional<store::OutboxMessage> message,
                               store.FindMessageByProviderId(ChannelKind::kWhatsapp, report.id));
      if (!message) continue;
      if (report.status == "read") {
        TrackedEvent event;
        event.id = "wb-read:" + message->key;
        event.customer = message->customer;
        event.type = EventType::kWhatsappRead;
        event.at = now;
        event.channel = "whatsapp";
        event.ref = message->key;
        WINBACK_RETURN_IF_ERROR(RecordEvent(store, event).status());
        continue;
      }
      std::optional<store::MessageStatus> to;
      if (report.status == "delivered") to = store::MessageStatus::kSent;
      if (report.status == "failed") to = store::MessageStatus::kDead;
      if (!to) continue;
      Result<bool> r = store.RecordDeliveryReport(
          message->id, *to, *to == store::MessageStatus::kSent ? "delivered" : report.detail);
      if (!r.ok() && r.status().code() != StatusCode::kFailedPrecondition) return r.status();
    }
    for (const Incoming& m : incoming) {
      WINBACK_ASSIGN_OR_RETURN(
          InboundOutcome outcome,
          ProcessInbound(context, store, ChannelKind::kWhatsapp, m.from, m.id, m.text, now));
      if (!outcome.whatsapp_template.empty() && context.send_whatsapp) {
        replies.push_back(
            {"inbound-reply:" + m.id, m.from, outcome.whatsapp_template, outcome.language});
      }
    }
    return Status::Ok();
  });
  if (!done.ok()) return StoreFailure(done);
  // After the commit, outside the store's lock. A failed reply is not the webhook's failure:
  // Meta would resend the message, which is recorded already and would not be answered again.
  for (const WhatsappReply& reply : replies) context.send_whatsapp(reply).IgnoreError();
  return Ok();
}

}  // namespace winback::server
