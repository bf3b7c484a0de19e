#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace winback::messages {

// The environment variable that holds the DKIM private key: the PEM text of an unencrypted RSA
// key ("-----BEGIN PRIVATE KEY-----" or "-----BEGIN RSA PRIVATE KEY-----").
inline constexpr std::string_view kDkimKeyVariable = "WINBACK_DKIM_PRIVATE_KEY";

// The shortest RSA key accepted, in bits (RFC 8301 section 3.2: signers MUST use at least 1024
// bits and SHOULD use 2048).
inline constexpr int kMinDkimKeyBits = 1024;

// The header fields a signature covers (its h= tag), each as often as the message has it; a
// field the message lacks (List-Unsubscribe without an unsubscribe URL) is left out. RFC 8058
// section 4 requires List-Unsubscribe and List-Unsubscribe-Post to be signed.
inline constexpr std::array<std::string_view, 10> kDkimSignedHeaders = {"From",
                                                                        "To",
                                                                        "Subject",
                                                                        "Date",
                                                                        "Message-ID",
                                                                        "MIME-Version",
                                                                        "Content-Type",
                                                                        "List-Unsubscribe",
                                                                        "List-Unsubscribe-Post",
                                                                        "X-Winback-Key"};

// Returns the value of WINBACK_DKIM_PRIVATE_KEY. Errors: FailedPrecondition naming the variable
// when it is unset or empty. Whether the key parses is DkimSigner::Create's check. The key
// itself never appears in a message.
Result<std::string> DkimKeyFromEnv();

// Signs outgoing email with DKIM (RFC 6376) through libopendkim: rsa-sha256, relaxed/relaxed
// canonicalisation, the whole body (no l= tag), the header fields of kDkimSignedHeaders,
// t= the wall clock at signing. Make one per sender run: it holds the library handle
// (dkim_init) and the key, and signs any number of messages. Copying is disabled.
class DkimSigner {
 public:
  // Checks `domain` (d=) and `selector` (s=): DNS names of letters, digits and '-' labels
  // separated by '.', else InvalidArgument naming the field. Checks the key: the PEM text of
  // an unencrypted RSA private key of at least kMinDkimKeyBits bits, else FailedPrecondition
  // naming WINBACK_DKIM_PRIVATE_KEY and the broken rule (never the key). Then signs a test
  // message, so a key libopendkim cannot use fails here rather than at the first email
  // (FailedPrecondition). Internal when libopendkim cannot be initialised.
  static Result<std::unique_ptr<DkimSigner>> Create(std::string_view domain,
                                                    std::string_view selector,
                                                    std::string private_key_pem);

  DkimSigner(const DkimSigner&) = delete;
  DkimSigner& operator=(const DkimSigner&) = delete;
  ~DkimSigner();  // Closes the library handle and wipes the key.

  // Returns `message` (a complete RFC 5322 message with CRLF line ends, as BuildEmail makes)
  // with a "DKIM-Signature:" header field prepended, folded with CRLF TAB, ending in CRLF.
  // Errors: Internal with libopendkim's reason when it cannot sign (a message that is not
  // RFC 5322, an exhausted resource). Thread-safe: each call uses its own libopendkim handle.
  Result<std::string> Sign(std::string_view message) const;

  const std::string& domain() const;
  const std::string& selector() const;

 private:
  struct Impl;
  explicit DkimSigner(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace winback::messages
