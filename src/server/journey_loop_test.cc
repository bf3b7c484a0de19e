// Real-time journeys: an order written through the server's IngestWriter exits the customer's
// win-back and cart journeys and cancels their pending messages before the write is answered
// (the real planner plans first, on a real SQLite file); the JourneyLoop's scheduling of steps.
#include "server/journey_loop.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "campaigns/campaign_config.h"
#include "campaigns/planner.h"
#include "messages/template_set.h"
#include "server/ingest_writer.h"
#include "server/plan_fixture_test_util.h"
#include "store/open_store.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::server {
namespace {

using store::JourneyState;
using store::MessageStatus;
using store::OutboxMessage;

constexpr char kKey[] = "0123456789abcdef0123456789abcdef-journey-loop";

Instant At(std::string_view text) { return ParseTimestamp(text)->instant; }

class OrderExitTest : public testing::Test {
 protected:
  void SetUp() override {
    WINBACK_ASSERT_OK_AND_ASSIGN(
        templates_,
        testing_plan::WriteTemplates(dir_.path(), {"come_back", "incentive", "birthday", "cart"}));
    db_ = dir_.File("winback.db");
    WINBACK_ASSERT_OK_AND_ASSIGN(store_, store::OpenStore(db_));
    // Three lapsed customers with an email consent, scored inactive; C2 left a cart.
    ASSERT_THAT(
        testing_plan::AddLapsedCustomers(
            *store_,
            {.count = 3, .time_zone = "UTC", .birth_date = "1990-06-02", .currency = "USD"}),
        IsOk());
    {
      WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("cart"));
      store::EventRecord e;
      e.id = "cart-C2";
      e.customer_id = "C2";
      e.type = EventType::kCartAbandoned;
      e.at = At("2024-06-02T08:00:00Z");
      ASSERT_THAT(session->UpsertEvent(CustomerKey(3), e), IsOk());
      ASSERT_THAT(session->Commit().status(), IsOk());
    }

    // A win-back journey (three days between steps), a cart reminder four hours after the
    // cart, and birthday greetings (which an order does not end).
    campaigns::Campaign cart;
    cart.name = "cart";
    cart.holdout = 0;
    cart.trigger = campaigns::TriggerKind::kCartAbandoned;
    cart.cart_hours = 4;
    campaigns::Step remind;
    remind.name = "cart";
    cart.steps = {remind};
    settings_.campaigns = {testing_plan::WinbackCampaign(), cart, testing_plan::BirthdayCampaign()};
    settings_.policy.expected_return = 1;
    settings_.policy.cap_messages = 10;
    settings_.policy.quiet_start_seconds = 0;
    settings_.policy.quiet_end_seconds = 0;
  }
  void TearDown() override { store_.reset(); }

  void PlanDay(std::string_view day) {
    campaigns::PlanOptions o;
    o.as_of = *ParseDate(day);
    o.signing_key = kKey;
    o.templates = &*templates_;
    o.threads = 1;
    ASSERT_THAT(campaigns::Plan(*store_, settings_, o).status(), IsOk());
  }

  std::vector<OutboxMessage> Messages(int key) {
    std::vector<OutboxMessage> out;
    store::MessageFilter filter;
    filter.customer = CustomerKey(key);
    EXPECT_THAT(store_->ForEachMessage(filter,
                                       [&](const OutboxMessage& m) {
                                         out.push_back(m);
                                         return Status::Ok();
                                       }),
                IsOk());
    return out;
  }

  const OutboxMessage* Find(const std::vector<OutboxMessage>& all, std::string_view step) {
    for (const OutboxMessage& m : all) {
      if (m.step == step) return &m;
    }
    return nullptr;
  }

  store::Journey JourneyOf(int key, std::string_view campaign) {
    Result<std::vector<store::Journey>> all = store_->LoadJourneys(CustomerKey(key));
    EXPECT_THAT(all.status(), IsOk());
    for (const store::Journey& j : *all) {
      if (j.campaign == campaign) return j;
    }
    ADD_FAILURE() << "no journey of " << campaign << " for key " << key;
    return {};
  }

  testutil::ScratchDir dir_{"winback_order_exit"};
  std::string db_;
  std::optional<messages::TemplateSet> templates_;
  std::unique_ptr<store::Store> store_;
  campaigns::CampaignSettings settings_;
};

// The records of one order for the writer.
RecordBatch OrderBatch(std::string id, std::string customer, std::string_view at,
                       OrderStatus status = OrderStatus::kCompleted) {
  RecordBatch b;
  store::OrderRecord o;
  o.id = std::move(id);
  o.customer_id = std::move(customer);
  o.placed_at = At(at);
  o.amount_minor = 1000;
  o.currency = "USD";
  o.status = status;
  b.orders.push_back(o);
  return b;
}

TEST_F(OrderExitTest, AnOrderThroughTheWriterExitsJourneysAndCancelsBeforeTheAnswer) {
  PlanDay("2024-06-02");
  // Each customer: come_back planned; C2 also the cart reminder; birthdays for all.
  for (int k = 1; k <= 3; ++k) {
    const std::vector<OutboxMessage> all = Messages(k);
    ASSERT_NE(Find(all, "come_back"), nullptr) << k;
    ASSERT_NE(Find(all, "birthday"), nullptr) << k;
    EXPECT_EQ(Find(all, "come_back")->status, MessageStatus::kPlanned);
  }
  const std::vector<OutboxMessage> third = Messages(3);
  const OutboxMessage* reminder = Find(third, "cart");
  ASSERT_NE(reminder, nullptr);
  EXPECT_EQ(reminder->scheduled_at, At("2024-06-02T12:00:00Z"));  // The cart + 4 h.

  // The writer's own connection, with the serve command's hook.
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> writer_store, store::OpenStore(db_));
  OrderExitCounts seen;
  auto after_commit = [&](store::Store& s, const CommittedRecords& records) -> Status {
    std::vector<OrderArrival> orders;
    for (const auto& [key, order] : records.orders) {
      if (order->status == OrderStatus::kCompleted) {
        orders.push_back(OrderArrival{key, order->id, order->placed_at});
      }
    }
    WINBACK_ASSIGN_OR_RETURN(OrderExitCounts counts, ExitJourneysOnOrders(s, settings_, orders));
    seen.journeys_exited += counts.journeys_exited;
    seen.messages_cancelled += counts.messages_cancelled;
    return Status::Ok();
  };
  IngestWriter writer(std::move(writer_store), IngestWriter::Options{}, after_commit);

  // C1 orders; C2's refunded order ends nothing; C3 orders after the cart.
  WriteOutcome one = writer.Write(OrderBatch("N1", "C0", "2024-06-02T09:00:00Z"));
  ASSERT_THAT(one.status, IsOk());
  // Answered: already visible through another connection.
  std::vector<OutboxMessage> c1 = Messages(1);
  EXPECT_EQ(Find(c1, "come_back")->status, MessageStatus::kCancelled);
  EXPECT_THAT(Find(c1, "come_back")->detail,
              testing::AllOf(testing::HasSubstr("ordered: order N1 at 2024-06-02T09:00:00"),
                             testing::Not(testing::HasSubstr("cart"))));
  EXPECT_EQ(Find(c1, "birthday")->status, MessageStatus::kPlanned);  // Not an order trigger.
  store::Journey j1 = JourneyOf(1, "winback");
  EXPECT_EQ(j1.state, JourneyState::kExited);
  EXPECT_EQ(j1.exit_reason, "ordered");
  EXPECT_EQ(j1.exited_at, At("2024-06-02T09:00:00Z"));
  EXPECT_EQ(JourneyOf(1, "birthday").state, JourneyState::kCompleted);
  EXPECT_EQ(seen.journeys_exited, 1);
  EXPECT_EQ(seen.messages_cancelled, 1);

  ASSERT_THAT(
      writer.Write(OrderBatch("N2", "C1", "2024-06-02T09:00:00Z", OrderStatus::kRefunded)).status,
      IsOk());
  EXPECT_EQ(Find(Messages(2), "come_back")->status, MessageStatus::kPlanned);
  EXPECT_EQ(JourneyOf(2, "winback").state, JourneyState::kActive);

  ASSERT_THAT(writer.Write(OrderBatch("N3", "C2", "2024-06-02T10:00:00Z")).status, IsOk());
  std::vector<OutboxMessage> c3 = Messages(3);
  EXPECT_EQ(Find(c3, "come_back")->status, MessageStatus::kCancelled);
  EXPECT_EQ(Find(c3, "cart")->status, MessageStatus::kCancelled);
  EXPECT_EQ(JourneyOf(3, "cart").state, JourneyState::kExited);
  EXPECT_EQ(seen.journeys_exited, 3);
  EXPECT_EQ(seen.messages_cancelled, 3);

  // A retry of the same order is idempotent: written 0, nothing more cancelled.
  WriteOutcome retry = writer.Write(OrderBatch("N3", "C2", "2024-06-02T10:00:00Z"));
  ASSERT_THAT(retry.status, IsOk());
  EXPECT_EQ(retry.written, 0);
  EXPECT_EQ(seen.messages_cancelled, 3);
  writer.Stop();

  // The planner agrees: the next plan exits nothing more and plans nothing for them.
  PlanDay("2024-06-05");
  for (int k : {1, 3}) {
    for (const OutboxMessage& m : Messages(k)) {
      EXPECT_NE(m.step, "incentive") << k;
    }
  }
  EXPECT_EQ(Find(Messages(2), "incentive")->status, MessageStatus::kPlanned);
}

TEST_F(OrderExitTest, AnOrderBeforeTheJourneyBeganEndsNothing) {
  PlanDay("2024-06-02");
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> other, store::OpenStore(db_));
  // Older than the journeys (entered 2024-06-02) and than the cart.
  const std::vector<OrderArrival> orders = {
      OrderArrival{CustomerKey(3), "OLD", At("2024-06-01T10:00:00Z")}};
  WINBACK_ASSERT_OK_AND_ASSIGN(OrderExitCounts counts,
                               ExitJourneysOnOrders(*other, settings_, orders));
  EXPECT_EQ(counts.journeys_exited, 0);
  EXPECT_EQ(counts.messages_cancelled, 0);
  for (const OutboxMessage& m : Messages(3)) EXPECT_EQ(m.status, MessageStatus::kPlanned);
}

TEST_F(OrderExitTest, AMessageInFlightIsLeftToItsSender) {
  PlanDay("2024-06-02");
  WINBACK_ASSERT_OK_AND_ASSIGN(
      std::vector<OutboxMessage> claimed,
      store_->ClaimDue(store::ClaimRequest{"sender-a", At("2024-06-02T23:00:00Z"), 300, 100}));
  const OutboxMessage* come_back = nullptr;
  const OutboxMessage* cart = nullptr;
  for (const OutboxMessage& m : claimed) {
    if (m.customer == CustomerKey(3) && m.step == "come_back") come_back = &m;
    if (m.customer == CustomerKey(3) && m.step == "cart") cart = &m;
  }
  ASSERT_NE(come_back, nullptr);
  ASSERT_NE(cart, nullptr);
  ASSERT_THAT(store_->MarkInFlight(come_back->id, "sender-a", At("2024-06-02T23:05:00Z")), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> other, store::OpenStore(db_));
  const std::vector<OrderArrival> orders = {
      OrderArrival{CustomerKey(3), "N", At("2024-06-02T22:00:00Z")}};
  WINBACK_ASSERT_OK_AND_ASSIGN(OrderExitCounts counts,
                               ExitJourneysOnOrders(*other, settings_, orders));
  // The claimed cart reminder (not yet handed over) is cancelled and its claim ends; the one in
  // flight stays with its sender.
  EXPECT_EQ(counts.messages_cancelled, 1);
  const std::vector<OutboxMessage> after = Messages(3);
  EXPECT_EQ(Find(after, "cart")->status, MessageStatus::kCancelled);
  EXPECT_EQ(Find(after, "come_back")->status, MessageStatus::kSending);
  EXPECT_EQ(store_->MarkInFlight(cart->id, "sender-a", At("2024-06-02T23:05:00Z")).code(),
            StatusCode::kFailedPrecondition);
}

// The loop: a full step at start, a step for the customers it is told about, a full step when
// asked, and Stop() ending it. No timing is asserted: the test waits for each step.
TEST(JourneyLoopTest, RunsAFullStepThenStepsForCustomersAndStops) {
  Mutex mu;
  CondVar changed;
  std::vector<LoopStep> steps;
  bool release = false;  // The first step waits for it, so that requests pile up meanwhile.
  JourneyLoop loop(
      [&](const LoopStep& step, const std::function<bool()>&) -> Result<LoopStepResult> {
        MutexLock lock(&mu);
        steps.push_back(step);
        changed.SignalAll();
        while (!release) changed.Wait(&mu);
        return LoopStepResult{2, 1};
      },
      JourneyLoop::Options{.interval_seconds = 3600, .on_step = {}});
  loop.Start();
  auto wait_for = [&](std::size_t n) {
    MutexLock lock(&mu);
    while (steps.size() < n) changed.Wait(&mu);
  };
  wait_for(1);
  // Requests during the first step are gathered into one step.
  const std::vector<CustomerKey> a = {CustomerKey(7), CustomerKey(3)};
  const std::vector<CustomerKey> b = {CustomerKey(3), CustomerKey(5)};
  loop.PlanCustomers(a);
  loop.PlanCustomers(b);
  {
    MutexLock lock(&mu);
    release = true;
    changed.SignalAll();
  }
  wait_for(2);
  loop.PlanEveryone();
  wait_for(3);
  loop.Stop();
  MutexLock lock(&mu);
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_TRUE(steps[0].everyone);
  EXPECT_FALSE(steps[1].everyone);
  EXPECT_EQ(steps[1].customers,
            (std::vector<CustomerKey>{CustomerKey(3), CustomerKey(5), CustomerKey(7)}));
  EXPECT_TRUE(steps[2].everyone);
  EXPECT_TRUE(steps[2].customers.empty());
  const JourneyLoop::Stats stats = loop.stats();
  EXPECT_EQ(stats.steps, 3);
  EXPECT_EQ(stats.planned, 6);
  EXPECT_EQ(stats.sent, 3);
}

TEST(JourneyLoopTest, StopEndsTheStepInHandThroughItsStoppingCheck) {
  std::promise<void> started;
  JourneyLoop loop(
      [&](const LoopStep&, const std::function<bool()>& stopping) -> Result<LoopStepResult> {
        started.set_value();
        // A send that goes on batch after batch until asked to stop.
        while (!stopping()) std::this_thread::yield();
        return UnavailableError("stopped between two send batches");
      },
      JourneyLoop::Options{.interval_seconds = 1, .on_step = {}});
  loop.Start();
  started.get_future().wait();
  loop.Stop();  // Returns only because the step saw stopping() turn true.
  EXPECT_EQ(loop.stats().steps, 1);
  EXPECT_EQ(loop.stats().failed, 1);
}

}  // namespace
}  // namespace winback::server
