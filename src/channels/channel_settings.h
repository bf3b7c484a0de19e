#pragma once

// The [channels] section of winback.toml: which transport delivers each channel kind, and
// where to. Secrets never live here; channel_factory.h reads them from the environment.

#include <cstdint>
#include <optional>
#include <string>

#include "core/vocabulary.h"

namespace winback::config {
class Registry;
}  // namespace winback::config

namespace winback::channels {

// How one channel kind is delivered: one of the tables [channels.email], [channels.sms],
// [channels.whatsapp].
struct ChannelConfig {
  // "file", "smtp" (email only), "twilio" (sms only), "whatsapp_cloud" (whatsapp only) or
  // "webhook". Always one of those valid for its kind once parsed.
  std::string transport;
  // file: the outbox folder. A relative folder is resolved against the directory of the config
  // file at parse time, so `url = "outbox"` in conf/winback.toml means conf/outbox whatever the
  // working directory (a config parsed from memory with a bare file name: the working
  // directory). smtp: "smtp://host[:port]" or "smtps://host[:port]" (implicit TLS).
  // twilio, whatsapp_cloud: the API base URL ("https://api.twilio.com",
  // "https://graph.facebook.com/v19.0"). webhook: the http:// or https:// URL posted to.
  std::string url;
  // The default sender: an email address (may carry a display name, "Shop <shop@example.com>")
  // or an E.164 number. A message's own `from`, when not empty, wins.
  std::string from;
  // whatsapp_cloud: the WhatsApp Business phone number id messages are sent from.
  std::string phone_number_id;
  // smtp with smtp://: true requires STARTTLS (a server that does not offer it fails the
  // delivery with kRetry); false never upgrades and talks plain text. When the file does not
  // say, true unless the host is a loopback address (127.0.0.0/8, ::1, localhost), where local
  // relays and test servers rarely speak TLS. Ignored for smtps://, which is TLS from the start.
  bool starttls = true;
  // The whole delivery attempt, connecting included, in seconds (1..600, default 10).
  std::int64_t timeout_seconds = 10;
  // email: DKIM-sign every message (RFC 6376) for the signing domain `dkim_domain` (d=) with
  // the key published at `dkim_selector`._domainkey.`dkim_domain` (s=); both set or both
  // empty (no signature). DNS names: labels of letters, digits and '-' separated by '.'.
  // The private key is never in the file: it comes from WINBACK_DKIM_PRIVATE_KEY
  // (messages/dkim_signer.h) when the sender starts.
  std::string dkim_domain;
  std::string dkim_selector;
  // file: fsync each message file and the folder before reporting it sent (default true), so a
  // crash never loses a message the outbox calls sent. false trades that for speed where the
  // folder is scratch (the demo's outbox/).
  bool sync = true;
};

// Every channel kind's delivery settings; nullopt where winback.toml has no table for the kind
// (that kind cannot be sent).
struct ChannelSettings {
  std::optional<ChannelConfig> email;
  std::optional<ChannelConfig> sms;
  std::optional<ChannelConfig> whatsapp;

  // The settings of `kind` (one of the three members above).
  const std::optional<ChannelConfig>& For(ChannelKind kind) const;
};

// Registers the section [channels] (tables email, sms, whatsapp) with `registry`, parsed into
// the ChannelSettings of the loaded config (config.Get<ChannelSettings>()). Besides the key
// checks (types, known keys, transport among those valid for the kind, timeout_seconds in
// 1..600), the parse function requires `transport` and `url`, a URL scheme that fits the
// transport (smtp:// or smtps:// for smtp, http:// or https:// for the HTTP transports),
// `from` for smtp and twilio, `phone_number_id` for whatsapp_cloud, and for email
// `dkim_domain` and `dkim_selector` together, each a DNS name. Its errors are InvalidArgument
// with the file and line:
// "winback.toml:3: channels.sms.url: twilio needs an http:// or https:// URL",
// "winback.toml:5: channels.email: dkim_domain needs dkim_selector (set both or neither)".
void AddConfigSections(config::Registry& registry);

}  // namespace winback::channels
