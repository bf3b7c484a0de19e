#include "cli/serve_tracking.h"

#include <fmt/core.h>

#include <cstdio>
#include <memory>

#include "campaigns/campaign_config.h"
#include "channels/channel_factory.h"
#include "channels/channel_settings.h"
#include "core/mutex.h"
#include "messages/link_token.h"
#include "server/tracking.h"
#include "store/open_store.h"

namespace winback::cli {
namespace {

// The WhatsApp adapter for auto-replies: one channel object, one reply at a time.
class WhatsappReplier {
 public:
  explicit WhatsappReplier(std::unique_ptr<channels::Channel> channel)
      : channel_(std::move(channel)) {}
  Status Send(const server::WhatsappReply& reply) {
    channels::OutboundMessage m;
    m.key = reply.key;
    m.kind = ChannelKind::kWhatsapp;
    m.to = reply.to;
    m.whatsapp_template = reply.template_name;
    m.whatsapp_language = reply.language;
    MutexLock lock(&mu_);
    const channels::DeliveryResult r = channel_->Send(m);
    if (r.outcome != channels::DeliveryOutcome::kSent) {
      fmt::print(stderr, "winback serve: WhatsApp reply {} not sent: {}\n", reply.key, r.detail);
      return UnavailableError("whatsapp reply not sent");
    }
    return Status::Ok();
  }

 private:
  Mutex mu_;
  std::unique_ptr<channels::Channel> channel_ GUARDED_BY(mu_);
};

}  // namespace

Status AddPublicRoutes(server::Router& router, const config::Config& config,
                       const std::string& db) {
  // Its own connection; every commit synced, as the writer's: an answer means durable.
  store::OpenOptions options;
  options.mode = store::OpenMode::kMustExist;
  options.sync = store::Sync::kFull;
  WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store, store::OpenStore(db, options));
  server::TrackingContext context;
  context.store = std::make_shared<server::SharedStore>(std::move(store));
  Result<std::string> key = messages::SigningKeyFromEnv();
  if (key.ok()) {
    context.signing_key = std::move(*key);
  } else {
    fmt::print(stderr, "winback serve: warning: {}; every tracking link will answer 404\n",
               key.status().message());
  }
  const auto& campaign_settings = config.Get<campaigns::CampaignSettings>();
  context.base_url = campaign_settings.tracking.base_url;
  context.shop_name = campaign_settings.policy.shop_name;
  context.kinds = campaign_settings.KindsInUse();
  context.inbound = config.Get<server::InboundSettings>();
  context.secrets = server::InboundSecretsFromEnv();
  const auto& whatsapp = config.Get<channels::ChannelSettings>().whatsapp;
  if (whatsapp) {
    Result<std::unique_ptr<channels::Channel>> channel =
        channels::MakeChannel(ChannelKind::kWhatsapp, *whatsapp);
    if (channel.ok()) {
      auto replier = std::make_shared<WhatsappReplier>(std::move(*channel));
      context.send_whatsapp = [replier](const server::WhatsappReply& reply) {
        return replier->Send(reply);
      };
    } else {
      fmt::print(stderr, "winback serve: warning: no WhatsApp auto-replies: {}\n",
                 channel.status().message());
    }
  }
  server::AddTrackingRoutes(router, context);
  return Status::Ok();
}

}  // namespace winback::cli
