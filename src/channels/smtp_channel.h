#pragma once

#include <memory>
#include <string>

#include "channels/channel.h"
#include "channels/channel_settings.h"
#include "core/status.h"

namespace winback::channels {

// SMTP AUTH credentials; an empty username means no AUTH.
struct SmtpCredentials {
  std::string username;
  std::string password;
};

// The "smtp" transport (libcurl): MAIL FROM the address inside the message's `from` (or, when
// empty, `config.from`; "Shop <shop@example.com>" gives <shop@example.com>), RCPT TO the
// message's `to`, DATA `email_mime` as is (libcurl dot-stuffs it and ends it with CRLF.CRLF).
// `config.url` is smtp://host[:port] (STARTTLS required when `config.starttls`, no TLS
// otherwise) or smtps://host[:port] (implicit TLS). One libcurl handle lives as long as the
// channel, so consecutive messages reuse the SMTP session. Every attempt ends after
// `config.timeout_seconds`.
//
// Classification of Send, from libcurl's result and the last SMTP reply code:
//   250 after DATA                                             kSent, provider_id the id in
//                                                              "250 ... queued as ID", if any
//   a 4xx reply (greeting, MAIL, RCPT, DATA, end of data)     kRetry
//   a 5xx reply                                               kDead
//   AUTH refused (535 and friends)                            kRetry: the message is fine,
//                                                              the credentials are not
//   no connection, TLS failure, STARTTLS required but not offered, a timeout or broken
//   connection before the whole message was handed over       kRetry
//   the whole message was handed over (the read callback gave its last byte), then a
//   timeout or broken connection before the final reply      kUnknown
// The detail is the last reply line of the server ("550 5.1.1 no such user") or libcurl's
// error; credentials never appear in it.
// Errors: Internal when libcurl cannot make a handle.
Result<std::unique_ptr<Channel>> MakeSmtpChannel(const ChannelConfig& config,
                                                 SmtpCredentials credentials);

// The addr-spec of a mailbox: "Shop <shop@example.com>" gives "shop@example.com"; a bare
// address is returned trimmed.
std::string MailboxAddress(const std::string& mailbox);

}  // namespace winback::channels
