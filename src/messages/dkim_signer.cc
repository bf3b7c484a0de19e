#include "messages/dkim_signer.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <cstring>
#include <utility>

// dkim.h declares C99 `_Bool` parameters, which C++ spells `bool` (the same type in the
// x86-64 and AArch64 ABIs).
#define _Bool bool  // NOLINT(bugprone-reserved-identifier)
#include <opendkim/dkim.h>
#undef _Bool

namespace winback::messages {
namespace {

constexpr std::size_t kMaxDnsName = 253;
constexpr std::size_t kMaxDnsLabel = 63;

// RFC 6376 section 3.5 (d=, s=): sub-domain *("." sub-domain), each label letters, digits and
// '-', not starting or ending with '-'.
bool IsDnsName(std::string_view name) {
  if (name.empty() || name.size() > kMaxDnsName) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    const std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > kMaxDnsLabel || label.front() == '-' ||
        label.back() == '-') {
      return false;
    }
    for (const char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Refuses to decrypt: without it OpenSSL would prompt on the terminal for a passphrase.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

Status KeyError(std::string_view what) {
  return FailedPreconditionError(std::string(kDkimKeyVariable) + ": " + std::string(what));
}

// The checks libopendkim leaves to the first signature, with a message that says which rule
// the key breaks.
Status CheckPrivateKey(const std::string& pem) {
  if (pem.empty()) return KeyError("is empty");
  if (pem.find("-----BEGIN") == std::string::npos) {
    return KeyError(
        "is not PEM text (it must start with -----BEGIN PRIVATE KEY----- or "
        "-----BEGIN RSA PRIVATE KEY-----)");
  }
  if (pem.find("ENCRYPTED") != std::string::npos) {
    return KeyError("is encrypted; give the unencrypted PEM (the variable is the secret)");
  }
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return InternalError("DKIM: BIO_new_mem_buf failed");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, NoPassphrase, nullptr);
  BIO_free(bio);
  // OpenSSL's error queue may hold parser details; none of it goes into a message.
  ERR_clear_error();
  if (key == nullptr) return KeyError("does not parse as a PEM private key");
  const int type = EVP_PKEY_base_id(key);
  const int bits = EVP_PKEY_bits(key);
  EVP_PKEY_free(key);
  if (type != EVP_PKEY_RSA) {
    return KeyError("is not an RSA key (DKIM signing uses rsa-sha256)");
  }
  if (bits < kMinDkimKeyBits) {
    return KeyError("is an RSA key of " + std::to_string(bits) + " bits; at least " +
                    std::to_string(kMinDkimKeyBits) +
                    " are needed (RFC 8301), 2048 are recommended");
  }
  return Status::Ok();
}

struct DkimFree {
  void operator()(DKIM* dkim) const { dkim_free(dkim); }
};

std::string LibraryError(DKIM* dkim, DKIM_STAT status) {
  const char* detail = dkim == nullptr ? nullptr : dkim_geterror(dkim);
  std::string out = dkim_getresultstr(status);
  if (detail != nullptr && *detail != '\0') out += std::string(": ") + detail;
  return out;
}

}  // namespace

struct DkimSigner::Impl {
  DKIM_LIB* lib = nullptr;
  std::string domain;
  std::string selector;
  std::string key;  // PEM.

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (lib != nullptr) dkim_close(lib);
    OPENSSL_cleanse(key.data(), key.size());
  }
};

Result<std::string> DkimKeyFromEnv() {
  const char* value = std::getenv(std::string(kDkimKeyVariable).c_str());
  if (value == nullptr || *value == '\0') {
    return FailedPreconditionError(std::string(kDkimKeyVariable) +
                                   " is not set (the PEM text of the DKIM private key)");
  }
  return std::string(value);
}

DkimSigner::DkimSigner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DkimSigner::~DkimSigner() = default;

const std::string& DkimSigner::domain() const { return impl_->domain; }

const std::string& DkimSigner::selector() const { return impl_->selector; }

Result<std::unique_ptr<DkimSigner>> DkimSigner::Create(std::string_view domain,
                                                       std::string_view selector,
                                                       std::string private_key_pem) {
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(private_key_pem);
  if (!IsDnsName(domain)) {
    return InvalidArgumentError("DKIM domain \"" + std::string(domain) +
                                "\": not a domain name (labels of letters, digits and '-', "
                                "separated by '.')");
  }
  if (!IsDnsName(selector)) {
    return InvalidArgumentError("DKIM selector \"" + std::string(selector) +
                                "\": not a selector (labels of letters, digits and '-', "
                                "separated by '.')");
  }
  impl->domain = std::string(domain);
  impl->selector = std::string(selector);
  WINBACK_RETURN_IF_ERROR(CheckPrivateKey(impl->key));

  impl->lib = dkim_init(nullptr, nullptr);
  if (impl->lib == nullptr) return InternalError("DKIM: dkim_init failed");
  // libopendkim compiles the names into one case-insensitive regular expression at once, so
  // the array is not needed afterwards.
  std::array<const char*, kDkimSignedHeaders.size() + 1> names{};
  std::array<std::string, kDkimSignedHeaders.size()> storage;
  for (std::size_t i = 0; i < kDkimSignedHeaders.size(); ++i) {
    storage[i] = std::string(kDkimSignedHeaders[i]);
    names[i] = storage[i].c_str();
  }
  names.back() = nullptr;
  const DKIM_STAT set = dkim_options(impl->lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS,
                                     static_cast<void*>(names.data()), sizeof(char**));
  if (set != DKIM_STAT_OK) {
    return InternalError("DKIM: setting the signed header fields failed: " +
                         std::string(dkim_getresultstr(set)));
  }

  std::unique_ptr<DkimSigner> signer(new DkimSigner(std::move(impl)));
  const std::string probe = "From: <probe@" + signer->domain() + ">\r\n\r\nprobe\r\n";
  if (Result<std::string> signed_probe = signer->Sign(probe); !signed_probe.ok()) {
    return KeyError("libopendkim cannot sign with it (" + signed_probe.status().message() + ")");
  }
  return signer;
}

Result<std::string> DkimSigner::Sign(std::string_view message) const {
  static constexpr std::string_view kHeaderName = DKIM_SIGNHEADER ": ";
  DKIM_STAT status = DKIM_STAT_OK;
  // libopendkim copies the key, the selector and the domain into the handle.
  std::unique_ptr<DKIM, DkimFree> dkim(
      dkim_sign(impl_->lib, reinterpret_cast<const unsigned char*>("winback"), nullptr,
                reinterpret_cast<dkim_sigkey_t>(const_cast<char*>(impl_->key.c_str())),
                reinterpret_cast<const unsigned char*>(impl_->selector.c_str()),
                reinterpret_cast<const unsigned char*>(impl_->domain.c_str()), DKIM_CANON_RELAXED,
                DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &status));
  if (dkim == nullptr) return InternalError("DKIM: dkim_sign: " + LibraryError(nullptr, status));
  // dkim_chunk takes a mutable buffer; it does not write to it, but a copy costs little next
  // to the RSA signature.
  std::string copy(message);
  status = dkim_chunk(dkim.get(), reinterpret_cast<unsigned char*>(copy.data()), copy.size());
  if (status == DKIM_STAT_OK) status = dkim_chunk(dkim.get(), nullptr, 0);
  if (status != DKIM_STAT_OK) {
    return InternalError("DKIM: reading the message: " + LibraryError(dkim.get(), status));
  }
  status = dkim_eom(dkim.get(), nullptr);
  if (status != DKIM_STAT_OK) {
    return InternalError("DKIM: signing: " + LibraryError(dkim.get(), status));
  }
  unsigned char* value = nullptr;
  std::size_t length = 0;
  status = dkim_getsighdr_d(dkim.get(), kHeaderName.size(), &value, &length);
  if (status != DKIM_STAT_OK || value == nullptr) {
    return InternalError("DKIM: dkim_getsighdr_d: " + LibraryError(dkim.get(), status));
  }
  std::string out;
  out.reserve(kHeaderName.size() + length + 2 + message.size());
  out += kHeaderName;
  out.append(reinterpret_cast<const char*>(value), length);
  out += "\r\n";
  out += message;
  return out;
}

}  // namespace winback::messages
