#pragma once

// Test-only pieces shared by the server tests that run the real planner over a SQLite file
// (journey_loop_test, unsubscribe_plan_test): templates, lapsed customers, two campaigns.

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>

#include "campaigns/campaign_config.h"
#include "core/status.h"
#include "core/time.h"
#include "messages/template_set.h"
#include "store/store.h"

namespace winback::server::testing_plan {

// Writes DIR/templates/NAME.en.mustache for each name (every part: subject, text with the
// unsubscribe link, html with one shop link, sms, whatsapp) and loads the folder.
inline Result<messages::TemplateSet> WriteTemplates(const std::filesystem::path& dir,
                                                    std::initializer_list<const char*> names) {
  std::filesystem::create_directories(dir / "templates");
  for (const char* name : names) {
    std::ofstream(dir / "templates" / (std::string(name) + ".en.mustache"))
        << "--- subject\nHi {{first_name}}\n--- text\n"
        << name << " {{unsubscribe_url}}\n"
        << "--- html\n<body><a href=\"https://shop.example/\">" << name << "</a></body>\n"
        << "--- sms\n"
        << name << "\n--- whatsapp\nwb_" << name << "\n{{first_name}}\n";
  }
  return messages::TemplateSet::Load((dir / "templates").string());
}

struct LapsedCustomers {
  int count = 0;
  std::string time_zone;
  std::string birth_date;  // YYYY-MM-DD
  std::string currency;
};

// Customers C0..C{count-1} (keys 1..count) with an email address and consent, language en, one
// order of 500.00 on 2023-06-01, scored inactive / hibernating as of 2024-06-01.
inline Status AddLapsedCustomers(store::Store& store, const LapsedCustomers& spec) {
  WINBACK_ASSIGN_OR_RETURN(auto session, store.BeginImport("test"));
  for (int i = 0; i < spec.count; ++i) {
    store::CustomerRecord c;
    c.id = "C" + std::to_string(i);
    c.email = "c" + std::to_string(i) + "@example.com";
    c.language = "en";
    c.time_zone = spec.time_zone;
    c.birth_date = *ParseDate(spec.birth_date);
    c.consent[static_cast<int>(ChannelKind::kEmail)] = Consent::kGranted;
    WINBACK_ASSIGN_OR_RETURN(CustomerKey key, session->UpsertCustomer(c));
    store::OrderRecord o;
    o.id = "O" + std::to_string(i);
    o.customer_id = c.id;
    o.placed_at = ParseTimestamp("2023-06-01T12:00:00Z")->instant;
    o.amount_minor = 50'000;
    o.currency = spec.currency;
    WINBACK_RETURN_IF_ERROR(session->UpsertOrder(key, o).status());
  }
  WINBACK_RETURN_IF_ERROR(session->Commit().status());
  WINBACK_ASSIGN_OR_RETURN(auto writer, store.BeginScores(*ParseDate("2024-06-01")));
  for (int i = 1; i <= spec.count; ++i) {
    store::CustomerScore s;
    s.key = CustomerKey(i);
    s.lifecycle = "inactive";
    s.segment = "hibernating";
    WINBACK_RETURN_IF_ERROR(writer->Add(s));
  }
  return writer->Commit().status();
}

// A win-back journey: come_back, then incentive three days on; no holdout.
inline campaigns::Campaign WinbackCampaign() {
  campaigns::Campaign winback;
  winback.name = "winback";
  winback.holdout = 0;
  campaigns::Step come_back;
  come_back.name = "come_back";
  campaigns::Step incentive;
  incentive.name = "incentive";
  incentive.wait_days = 3;
  winback.steps = {come_back, incentive};
  return winback;
}

// Birthday greetings, one step; no holdout.
inline campaigns::Campaign BirthdayCampaign() {
  campaigns::Campaign birthday;
  birthday.name = "birthday";
  birthday.holdout = 0;
  birthday.trigger = campaigns::TriggerKind::kBirthday;
  campaigns::Step greet;
  greet.name = "birthday";
  birthday.steps = {greet};
  return birthday;
}

}  // namespace winback::server::testing_plan
