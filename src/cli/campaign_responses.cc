#include "cli/campaign_responses.h"

#include <filesystem>

#include "campaigns/campaign_config.h"
#include "ingest/importer.h"

namespace winback::cli {

Result<std::vector<sim::CampaignContact>> CampaignContacts(store::Store& store,
                                                           const std::string& campaign) {
  WINBACK_ASSIGN_OR_RETURN(std::vector<std::string> ids, store.CustomerIds());
  std::vector<sim::CampaignContact> contacts;
  store::MessageFilter filter;
  filter.campaign = campaign;
  WINBACK_RETURN_IF_ERROR(store.ForEachMessage(filter, [&](const store::OutboxMessage& m) {
    const auto k = static_cast<std::size_t>(m.customer.value());
    if (k >= ids.size()) {
      return InternalError("outbox message " + m.key + ": customer key " +
                           std::to_string(m.customer.value()) + " is not in the store");
    }
    sim::CampaignContact c;
    c.customer_id = ids[k];
    c.key = m.key;
    c.occurrence = m.occurrence;
    c.variant = m.variant;
    c.offer = m.offer;
    c.coupon = m.coupon;
    c.channel = m.channel;
    c.held_out = m.status == store::MessageStatus::kHoldout;
    c.sent = m.status == store::MessageStatus::kSent && m.sent_at.has_value();
    c.time = c.sent ? *m.sent_at : m.scheduled_at;
    contacts.push_back(std::move(c));
    return Status::Ok();
  }));
  return contacts;
}

Result<sim::ResponseStats> RespondAndImport(store::Store& store, const sim::SimOptions& sim_options,
                                            const sim::ResponseOptions& response,
                                            const std::string& dir) {
  WINBACK_ASSIGN_OR_RETURN(std::vector<sim::CampaignContact> contacts,
                           CampaignContacts(store, response.campaign));
  WINBACK_ASSIGN_OR_RETURN(sim::ResponseStats stats,
                           sim::Respond(sim_options, response, contacts, dir));
  ingest::ImportOptions import_options;
  const std::filesystem::path folder(dir);
  import_options.files.push_back(
      {ingest::FileKind::kOrders, (folder / "response_orders.csv").string(), std::nullopt});
  import_options.files.push_back(
      {ingest::FileKind::kEvents, (folder / "response_events.csv").string(), std::nullopt});
  WINBACK_ASSIGN_OR_RETURN(ingest::ImportReport report, ingest::Import(store, import_options));
  if (!report.committed) {
    std::string first = report.errors.empty() ? std::string("?") : report.errors.front();
    return InternalError("the importer rejected a response the simulator wrote (a bug): " + first);
  }
  return stats;
}

Result<measure::CampaignOptions> CampaignMeasureOptions(const config::Config& config,
                                                        const std::string& campaign,
                                                        Instant as_of) {
  const auto& settings = config.Get<campaigns::CampaignSettings>();
  const auto& measurement = config.Get<measure::MeasurementSettings>();
  const campaigns::Campaign* c = settings.FindCampaign(campaign);
  if (c == nullptr) return InvalidArgumentError("campaign " + campaign + ": not in the config");
  if (!(c->holdout > 0)) return InvalidArgumentError("campaign " + campaign + ": no holdout");
  measure::CampaignOptions options;
  options.as_of = as_of;
  options.attribution_days = measurement.attribution_days;
  options.pre_period_days = measurement.pre_period_days;
  options.alpha = measurement.alpha;
  options.holdout_share = c->holdout;
  for (int k = 0; k < kChannelKindCount; ++k) {
    options.message_cost_minor[k] = settings.policy.message_cost_minor[k];
  }
  options.message_cost_currency = settings.policy.currency;
  return options;
}

}  // namespace winback::cli
