// outbox_fill DB COUNT [KIND [MANIFEST]]: creates a winback store with COUNT customers c1..cCOUNT
// (an email address, a phone number, consent granted on every channel, UTC) and one planned
// message each of campaign "winback", step "first", due 2024-01-01: the starting point of
// send_kill_test.sh. KIND is email (the default), sms, whatsapp or mixed (email, sms and
// whatsapp in turn). The messages carry text that survives a transport only when it is
// encoded right: non-ASCII letters, '&', '%', '+', quotes. MANIFEST, when given, receives one
// JSON object a line per message with what a receiver must see: key, kind, to, subject, text
// (email text part or SMS body), template, language and parameters (WhatsApp).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/open_store.h"

namespace {

using winback::ChannelKind;
using winback::Instant;
using winback::Status;

int Fail(const Status& status) {
  std::fprintf(stderr, "outbox_fill: %s\n", status.ToString().c_str());
  return 1;
}

// A JSON string literal of UTF-8 `s`.
// A JSON string literal of `s`.
std::string Json(std::string_view s) { return nlohmann::json(std::string(s)).dump(); }

std::string JsonArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + Json(items[i]);
  return out + "]";
}

// "+90555" and seven digits of `i`: an E.164 number per customer.
std::string Phone(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+90555%07d", i);
  return buf;
}

std::string_view Language(int i) {
  static constexpr std::string_view kLanguages[] = {"en", "tr", "fa"};
  return kLanguages[i % 3];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 5) {
    std::fprintf(stderr, "usage: outbox_fill DB COUNT [email|sms|whatsapp|mixed [MANIFEST]]\n");
    return 2;
  }
  const int count = std::atoi(argv[2]);
  const std::string kind = argc > 3 ? argv[3] : "email";
  if (kind != "email" && kind != "sms" && kind != "whatsapp" && kind != "mixed") {
    std::fprintf(stderr, "outbox_fill: KIND must be email, sms, whatsapp or mixed\n");
    return 2;
  }
  std::ofstream manifest;
  if (argc > 4) {
    manifest.open(argv[4]);
    if (!manifest) {
      std::fprintf(stderr, "outbox_fill: cannot write %s\n", argv[4]);
      return 1;
    }
  }
  auto store = winback::store::OpenStore(argv[1]);
  if (!store.ok()) return Fail(store.status());
  {
    auto session = (*store)->BeginImport("customers");
    if (!session.ok()) return Fail(session.status());
    for (int i = 1; i <= count; ++i) {
      winback::store::CustomerRecord c;
      c.id = "c" + std::to_string(i);
      c.email = c.id + "@example.com";
      c.phone = Phone(i);
      c.time_zone = "UTC";
      c.language = std::string(Language(i));
      for (auto& consent : c.consent) consent = winback::Consent::kGranted;
      auto key = (*session)->UpsertCustomer(c);
      if (!key.ok()) return Fail(key.status());
    }
    auto committed = (*session)->Commit();
    if (!committed.ok()) return Fail(committed.status());
  }
  auto write = (*store)->BeginWrite();
  if (!write.ok()) return Fail(write.status());
  const Instant due = Instant::FromUnixSeconds(1704067200);  // 2024-01-01T00:00:00Z
  for (int i = 1; i <= count; ++i) {
    const std::string id = "c" + std::to_string(i);
    ChannelKind channel = ChannelKind::kEmail;
    if (kind == "sms" || (kind == "mixed" && i % 3 == 1)) channel = ChannelKind::kSms;
    if (kind == "whatsapp" || (kind == "mixed" && i % 3 == 2)) channel = ChannelKind::kWhatsapp;
    winback::store::OutboxMessage m;
    m.customer = winback::CustomerKey(i);
    m.key = "winback/first/" + id + "/1";
    m.campaign = "winback";
    m.step = "first";
    m.channel = channel;
    m.channel_reason = "consent";
    m.planned_at = due.PlusSeconds(-86400);
    m.scheduled_at = due;
    m.language = std::string(Language(i));
    std::vector<std::string> parameters;
    switch (channel) {
      case ChannelKind::kEmail:
        m.address = id + "@example.com";
        m.subject = "We miss you, Ayşe & " + id;
        m.body_text = "Come back, " + id + ": 10% off & \"free\" shipping + more";
        m.body_html = "<p>Come back, " + id + "</p>";
        break;
      case ChannelKind::kSms:
        m.address = Phone(i);
        m.body_text = "Come back, " + id + ": 10% off & \"free\" shipping + more, Ayşe";
        break;
      case ChannelKind::kWhatsapp:
        m.address = Phone(i);
        parameters = {id, "%10 & \"more\" + ğüş"};
        m.body_text = "{\"template\":\"winback_come_back\",\"language\":" + Json(m.language) +
                      ",\"parameters\":" + JsonArray(parameters) + "}";
        break;
    }
    auto added = (*write)->AddMessage(m);
    if (!added.ok()) return Fail(added.status());
    if (manifest.is_open()) {
      manifest << "{\"key\":" << Json(m.key) << ",\"kind\":\"" << winback::ChannelKindName(channel)
               << "\",\"to\":" << Json(m.address) << ",\"subject\":" << Json(m.subject)
               << ",\"text\":" << Json(channel == ChannelKind::kWhatsapp ? "" : m.body_text)
               << ",\"template\":" << Json(parameters.empty() ? "" : "winback_come_back")
               << ",\"language\":" << Json(m.language)
               << ",\"parameters\":" << JsonArray(parameters) << "}\n";
    }
  }
  if (Status s = (*write)->Commit(); !s.ok()) return Fail(s);
  if (manifest.is_open()) {
    manifest.close();
    if (manifest.fail()) {
      std::fprintf(stderr, "outbox_fill: cannot write the manifest\n");
      return 1;
    }
  }
  return 0;
}
