#pragma once

#include <string>

namespace winback::campaigns {

// A commented example of the sending sections of winback.toml, appended by `winback init` to
// the example file and used by `winback demo`: [channels.email|sms|whatsapp] (the file
// transport, with the real transports and their environment variables commented out),
// [policy], [tracking], [templates], [[offer]] by exit reason (article 001), [[holiday]], and
// one [[campaign]] per trigger, the three-step win-back first (come_back, incentive,
// last_chance: articles 000, 002, 004). Every line carries a comment saying what it does and
// the default. It loads cleanly with campaigns::AddConfigSections and
// channels::AddConfigSections, and its templates are those of examples/templates/.
std::string ExampleCampaignConfig();

}  // namespace winback::campaigns
