#pragma once

// The public routes of `winback serve` (server/tracking.h): tracking links, the preference
// centre and the inbound webhooks, wired from the config and the environment.

#include <string>

#include "config/config.h"
#include "core/status.h"
#include "server/http.h"

namespace winback::cli {

// Adds the public routes to `router`, with their own store connection to `db` and:
// WINBACK_SIGNING_KEY (unset: a warning on stderr, and every link answers 404), [tracking]
// base_url, [policy] shop_name, [inbound], WINBACK_TWILIO_AUTH_TOKEN,
// WINBACK_WHATSAPP_APP_SECRET and WINBACK_WHATSAPP_VERIFY_TOKEN (an unset one: its route
// answers 503), and the [channels.whatsapp] adapter for WhatsApp auto-replies. Errors: the
// store's, when it cannot be opened.
Status AddPublicRoutes(server::Router& router, const config::Config& config, const std::string& db);

}  // namespace winback::cli
