// outbox_fill DB COUNT: creates (or extends) a winback store with COUNT customers c1..cCOUNT
// (email consent granted, UTC) and one planned email message each of campaign "winback", step
// "first", due 2024-01-01: the starting point of send_kill_test.sh.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "store/open_store.h"

namespace {

using winback::Instant;
using winback::Status;

int Fail(const Status& status) {
  std::fprintf(stderr, "outbox_fill: %s\n", status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: outbox_fill DB COUNT\n");
    return 2;
  }
  const int count = std::atoi(argv[2]);
  auto store = winback::store::OpenStore(argv[1]);
  if (!store.ok()) return Fail(store.status());
  {
    auto session = (*store)->BeginImport("customers");
    if (!session.ok()) return Fail(session.status());
    for (int i = 1; i <= count; ++i) {
      winback::store::CustomerRecord c;
      c.id = "c" + std::to_string(i);
      c.email = c.id + "@example.com";
      c.time_zone = "UTC";
      c.consent[static_cast<int>(winback::ChannelKind::kEmail)] = winback::Consent::kGranted;
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
    winback::store::OutboxMessage m;
    m.customer = winback::CustomerKey(i);
    m.key = "winback/first/c" + std::to_string(i) + "/1";
    m.campaign = "winback";
    m.step = "first";
    m.channel = winback::ChannelKind::kEmail;
    m.channel_reason = "consent";
    m.planned_at = due.PlusSeconds(-86400);
    m.scheduled_at = due;
    m.language = "en";
    m.address = "c" + std::to_string(i) + "@example.com";
    m.subject = "We miss you";
    m.body_text = "Come back, c" + std::to_string(i);
    m.body_html = "<p>Come back</p>";
    auto added = (*write)->AddMessage(m);
    if (!added.ok()) return Fail(added.status());
  }
  if (Status s = (*write)->Commit(); !s.ok()) return Fail(s);
  return 0;
}
