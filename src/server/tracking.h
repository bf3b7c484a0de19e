#pragma once

// The public side of `winback serve`: the links every message carries (open pixel, click
// redirect, one-click unsubscribe, the preference centre) and the providers' inbound webhooks.
// No route here needs a login or an API key (Access::kPublic): each checks what it is given
// instead (a signed link token, a provider's signature).
//
// Paths. Messages carry `[tracking] base_url` + "/o/", "/c/", "/u/", "/p/" + a token
// (messages/tracking_links.h). The server answers those paths at its root: a reverse proxy
// maps BASE to the server's own address, so base_url https://shop.example/wb means
// https://shop.example/wb/u/TOKEN reaches the server as /u/TOKEN.
//
//   GET  /o/{token}               open pixel: a 1x1 GIF; records email_open (ref = key)
//   GET  /c/{token}               click: 302 to the URL recorded for that message and link;
//                                 records email_click (ref = key, properties {"link": I})
//   POST /u/{token}               RFC 8058 one-click unsubscribe (body List-Unsubscribe=One-Click)
//   GET  /u/{token}, /p/{token}   the preference centre (preferences.h)
//   POST /p/{token}               the preference centre's form (CSRF token required)
//   POST /v1/inbound/twilio       Twilio SMS webhook and status callback (inbound.h)
//   GET  /v1/inbound/whatsapp     WhatsApp Cloud webhook verification handshake
//   POST /v1/inbound/whatsapp     WhatsApp Cloud webhook: messages and statuses
//
// A token that is tampered, truncated, signed with another key, of the wrong kind for the
// path, or names no outbox message is 404 with the same body in every case (the tag is
// compared in constant time: messages/link_token.h).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/time.h"
#include "core/vocabulary.h"
#include "server/http.h"
#include "server/inbound.h"
#include "server/tracking_actions.h"

namespace winback::server {

// Everything the public handlers need. Copied into the routes: keep it small.
struct TrackingContext {
  std::shared_ptr<SharedStore> store;
  std::string signing_key;             // WINBACK_SIGNING_KEY (messages::SigningKeyFromEnv).
  std::string base_url;                // [tracking] base_url, without a trailing '/'.
  std::string shop_name = "Our shop";  // [policy] shop_name, shown on the preference centre.
  InboundSettings inbound;             // [inbound] (inbound.h).
  InboundSecrets secrets;              // From the environment (InboundSecretsFromEnv).
  // Sends an auto-reply on WhatsApp through a channel adapter (src/channels); null: WhatsApp
  // replies are not sent and the message is left on the timeline for a person.
  std::function<Status(const WhatsappReply&)> send_whatsapp;
  // The wall clock; null: the system clock.
  std::function<Instant()> clock;
  // The kinds of message the configured campaigns send (CampaignSettings::KindsInUse): the
  // preference centre offers these (and any other kind the customer opted out of before).
  std::vector<MessageKind> kinds;
};

// Adds every route above to `router`, each kPublic. The handlers share `context` (copied) and
// are thread-safe: store access is serialized by the SharedStore.
void AddTrackingRoutes(Router& router, const TrackingContext& context);

// The handlers, for tests and for the routes above. Each takes the request as the router
// fills it (params["token"] for the token routes).
Response HandleOpen(const TrackingContext& context, const Request& request);
Response HandleClick(const TrackingContext& context, const Request& request);
Response HandleOneClickUnsubscribe(const TrackingContext& context, const Request& request);

// The one 404 of every bad token.
Response TokenNotFound();

// "now" from the context's clock.
Instant Now(const TrackingContext& context);

}  // namespace winback::server
