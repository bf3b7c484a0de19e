#include "messages/dkim_signer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "messages/mime.h"
#include "testutil/status_matchers.h"

// See dkim_signer.cc: dkim.h spells bool the C99 way.
#define _Bool bool  // NOLINT(bugprone-reserved-identifier)
#include <opendkim/dkim.h>
#undef _Bool

namespace winback::messages {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::string_view kDomain = "example.com";
constexpr std::string_view kSelector = "winback2024";

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// A fresh key of `type` (EVP_PKEY_RSA with `bits`, or EVP_PKEY_ED25519): no private key is
// committed to the tree.
Pkey NewKey(int type, int bits = 2048) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(type, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1) return nullptr;
  if (type == EVP_PKEY_RSA && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1) {
    return nullptr;
  }
  if (EVP_PKEY_keygen(ctx.get(), &key) != 1) return nullptr;
  return Pkey(key);
}

std::string ReadAll(BIO* bio) {
  std::string out(BIO_ctrl_pending(bio), '\0');
  const int n = BIO_read(bio, out.data(), static_cast<int>(out.size()));
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

// The private key as PEM (PKCS #8, "BEGIN PRIVATE KEY"); encrypted with `passphrase` when it
// is not empty.
std::string PrivatePem(EVP_PKEY* key, const std::string& passphrase = "") {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  const EVP_CIPHER* cipher = passphrase.empty() ? nullptr : EVP_aes_256_cbc();
  auto* pass = reinterpret_cast<unsigned char*>(const_cast<char*>(passphrase.c_str()));
  PEM_write_bio_PrivateKey(bio.get(), key, cipher, passphrase.empty() ? nullptr : pass,
                           static_cast<int>(passphrase.size()), nullptr, nullptr);
  return ReadAll(bio.get());
}

// The DNS TXT record that publishes `key`: "v=DKIM1; k=rsa; p=" + base64(SubjectPublicKeyInfo).
std::string TxtRecord(EVP_PKEY* key) {
  const int der_size = i2d_PUBKEY(key, nullptr);
  std::vector<unsigned char> der(static_cast<std::size_t>(der_size));
  unsigned char* p = der.data();
  i2d_PUBKEY(key, &p);
  std::vector<unsigned char> b64(4 * ((der.size() + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(b64.data(), der.data(), der_size);
  return "v=DKIM1; k=rsa; p=" +
         std::string(reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(n));
}

EmailParts Sample() {
  EmailParts p;
  p.from = "Shop <shop@example.com>";
  p.to = "Ayşe Yılmaz <ayse@example.org>";
  p.subject = "Sizi özledik, Ayşe";
  p.preheader = "20% off this week";
  p.text = "Hello Ayşe,\nCome back = save.\n";
  p.html = "<html><body><p>Hello Ay&#351;e</p></body></html>";
  p.language = "tr";
  p.message_id = MessageIdForKey("winback/come_back/c42/1", "example.com");
  p.idempotency_key = "winback/come_back/c42/1";
  p.unsubscribe_url = "https://shop.example.com/u/abc.def";
  p.date = Instant::FromUnixSeconds(1'700'000'000);
  return p;
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  const std::size_t at = s.find(from);
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

class DkimSignerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = NewKey(EVP_PKEY_RSA).release();
    ASSERT_NE(key_, nullptr);
  }
  static void TearDownTestSuite() { EVP_PKEY_free(key_); }

  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("winback_dkim_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    // libopendkim's key-file query method: "NAME RECORD" lines.
    key_file_ = dir_ / "keys";
    std::ofstream(key_file_) << kSelector << "._domainkey." << kDomain << " " << TxtRecord(key_)
                             << "\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<DkimSigner> Signer() {
    Result<std::unique_ptr<DkimSigner>> signer =
        DkimSigner::Create(kDomain, kSelector, PrivatePem(key_));
    EXPECT_THAT(signer, IsOk());
    return signer.ok() ? std::move(*signer) : nullptr;
  }

  std::string SignedSample(const DkimSigner& signer, const EmailParts& parts = Sample()) {
    Result<std::string> mail = BuildEmail(parts, "seed");
    EXPECT_THAT(mail, IsOk());
    Result<std::string> signed_mail = signer.Sign(*mail);
    EXPECT_THAT(signed_mail, IsOk());
    return signed_mail.ok() ? *signed_mail : "";
  }

  struct Verdict {
    DKIM_STAT status = DKIM_STAT_INTERNAL;
    bool passed = false;
    std::string signed_headers;  // The h= tag.
  };

  // Verifies `message` with libopendkim, the public key read from key_file_ instead of DNS.
  Verdict Verify(const std::string& message) {
    Verdict verdict;
    DKIM_LIB* lib = dkim_init(nullptr, nullptr);
    if (lib == nullptr) return verdict;
    dkim_query_t method = DKIM_QUERY_FILE;
    std::string path = key_file_.string();
    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &method, sizeof method);
    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO, path.data(), path.size());
    DKIM_STAT status = DKIM_STAT_OK;
    DKIM* dkim = dkim_verify(lib, reinterpret_cast<const unsigned char*>("test"), nullptr, &status);
    if (dkim != nullptr) {
      std::string copy = message;
      status = dkim_chunk(dkim, reinterpret_cast<unsigned char*>(copy.data()), copy.size());
      if (status == DKIM_STAT_OK) status = dkim_chunk(dkim, nullptr, 0);
      bool testkey = false;
      if (status == DKIM_STAT_OK) status = dkim_eom(dkim, &testkey);
      verdict.status = status;
      DKIM_SIGINFO* sig = dkim_getsignature(dkim);
      verdict.passed = status == DKIM_STAT_OK && sig != nullptr && DKIM_SIG_CHECK(sig);
      if (sig != nullptr) {
        std::string tag = "h";
        const unsigned char* h =
            dkim_sig_gettagvalue(sig, false, reinterpret_cast<unsigned char*>(tag.data()));
        if (h != nullptr) verdict.signed_headers = reinterpret_cast<const char*>(h);
      }
      dkim_free(dkim);
    }
    dkim_close(lib);
    return verdict;
  }

  static EVP_PKEY* key_;
  std::filesystem::path dir_;
  std::filesystem::path key_file_;
};

EVP_PKEY* DkimSignerTest::key_ = nullptr;

TEST_F(DkimSignerTest, LibopendkimVerifiesASignedEmail) {
  std::unique_ptr<DkimSigner> signer = Signer();
  ASSERT_NE(signer, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(const std::string mail, BuildEmail(Sample(), "seed"));
  WINBACK_ASSERT_OK_AND_ASSIGN(const std::string signed_mail, signer->Sign(mail));

  // One header field prepended, the message unchanged after it.
  ASSERT_THAT(signed_mail, StartsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; "));
  const std::size_t end = signed_mail.find("\r\nDate: ");
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(signed_mail.substr(end + 2), mail);
  const std::string header = signed_mail.substr(0, end);
  std::string unfolded = header;
  for (std::size_t at; (at = unfolded.find("\r\n\t")) != std::string::npos;) {
    unfolded.replace(at, 3, " ");
  }
  EXPECT_THAT(unfolded,
              HasSubstr("; d=" + std::string(kDomain) + "; s=" + std::string(kSelector) + "; t="));
  EXPECT_THAT(unfolded, Not(HasSubstr(" l=")));
  for (std::size_t i = 0; i < signed_mail.size(); ++i) {
    if (signed_mail[i] == '\n') {
      ASSERT_TRUE(i > 0 && signed_mail[i - 1] == '\r') << i;
    }
  }
  // Folded lines are continuation lines within 78 characters (RFC 5322 section 2.1.1).
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t eol = header.find("\r\n", start);
    if (eol == std::string::npos) eol = header.size();
    EXPECT_LE(eol - start, 78U) << header;
    if (start > 0) {
      EXPECT_TRUE(header[start] == '\t' || header[start] == ' ') << header;
    }
    start = eol + 2;
  }

  const Verdict verdict = Verify(signed_mail);
  EXPECT_EQ(verdict.status, DKIM_STAT_OK) << dkim_getresultstr(verdict.status);
  EXPECT_TRUE(verdict.passed);
  std::string h = verdict.signed_headers;
  for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const std::string_view name : kDkimSignedHeaders) {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_THAT(":" + h + ":", HasSubstr(":" + lower + ":")) << verdict.signed_headers;
  }
  EXPECT_THAT(":" + h + ":", Not(HasSubstr(":content-language:")));
}

TEST_F(DkimSignerTest, AlteredBodySubjectOrUnsubscribeFailsVerification) {
  std::unique_ptr<DkimSigner> signer = Signer();
  ASSERT_NE(signer, nullptr);
  const std::string signed_mail = SignedSample(*signer);
  ASSERT_TRUE(Verify(signed_mail).passed);

  // One byte of the body: "Come back" -> "Come bacK".
  const std::string body = Replace(signed_mail, "Come back", "Come bacK");
  ASSERT_NE(body, signed_mail);
  EXPECT_FALSE(Verify(body).passed);
  EXPECT_EQ(Verify(body).status, DKIM_STAT_BADSIG);

  std::string subject = signed_mail;
  const std::size_t at = subject.find("\r\nSubject: ");
  ASSERT_NE(at, std::string::npos);
  subject.insert(at + 11, "Re: ");
  EXPECT_FALSE(Verify(subject).passed);

  const std::string unsubscribe =
      Replace(signed_mail, "https://shop.example.com/u/", "https://evil.example/u/");
  ASSERT_NE(unsubscribe, signed_mail);
  EXPECT_FALSE(Verify(unsubscribe).passed);

  // Relaxed canonicalisation: whitespace a relay may change does not matter.
  const std::string rewrapped =
      Replace(signed_mail, "\r\nMIME-Version: 1.0", "\r\nMIME-Version:  1.0 ");
  EXPECT_TRUE(Verify(rewrapped).passed);
}

TEST_F(DkimSignerTest, WithoutUnsubscribeUrlTheListHeadersAreNotSigned) {
  std::unique_ptr<DkimSigner> signer = Signer();
  ASSERT_NE(signer, nullptr);
  EmailParts parts = Sample();
  parts.unsubscribe_url.clear();
  const Verdict verdict = Verify(SignedSample(*signer, parts));
  EXPECT_TRUE(verdict.passed);
  EXPECT_THAT(verdict.signed_headers, Not(HasSubstr("List-Unsubscribe")));
  EXPECT_THAT(verdict.signed_headers, HasSubstr("X-Winback-Key"));
}

TEST_F(DkimSignerTest, OneSignerSignsManyMessages) {
  std::unique_ptr<DkimSigner> signer = Signer();
  ASSERT_NE(signer, nullptr);
  for (int i = 0; i < 5; ++i) {
    EmailParts parts = Sample();
    parts.idempotency_key = "winback/come_back/c" + std::to_string(i) + "/1";
    parts.text = std::string(static_cast<std::size_t>(i) * 1000, 'x') + "\n";
    EXPECT_TRUE(Verify(SignedSample(*signer, parts)).passed) << i;
  }
}

TEST_F(DkimSignerTest, OneSignerSignsFromSeveralThreadsAtOnce) {
  std::unique_ptr<DkimSigner> signer = Signer();
  ASSERT_NE(signer, nullptr);
  constexpr int kThreads = 4;
  constexpr int kEach = 5;
  WINBACK_ASSERT_OK_AND_ASSIGN(const std::string mail, BuildEmail(Sample(), "seed"));
  std::vector<std::vector<Result<std::string>>> results(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        results[static_cast<std::size_t>(t)].push_back(signer->Sign(mail));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& per_thread : results) {
    ASSERT_EQ(per_thread.size(), static_cast<std::size_t>(kEach));
    for (const Result<std::string>& signed_mail : per_thread) {
      ASSERT_THAT(signed_mail, IsOk());
      EXPECT_TRUE(Verify(*signed_mail).passed);
    }
  }
}

TEST_F(DkimSignerTest, MessageWithoutHeadersIsInternal) {
  std::unique_ptr<DkimSigner> signer = Signer();
  ASSERT_NE(signer, nullptr);
  EXPECT_THAT(signer->Sign("no header here\r\n"), StatusIs(StatusCode::kInternal));
}

// dkimpy (python3-dkim), a second implementation, accepts the signature and the public key
// record as they would be published, and rejects a tampered copy.
TEST_F(DkimSignerTest, DkimpyVerifiesTheSignature) {
  constexpr const char* kPython = "/usr/bin/python3";
  if (access(kPython, X_OK) != 0) GTEST_SKIP() << kPython << " not installed";
  std::unique_ptr<DkimSigner> signer = Signer();
  ASSERT_NE(signer, nullptr);
  const std::string signed_mail = SignedSample(*signer);
  std::ofstream(dir_ / "signed.eml", std::ios::binary) << signed_mail;
  std::ofstream(dir_ / "body.eml", std::ios::binary)
      << Replace(signed_mail, "Come back", "Come bacK");
  std::ofstream(dir_ / "subject.eml", std::ios::binary)
      << Replace(signed_mail, "\r\nSubject: ", "\r\nSubject: Re: ");
  std::ofstream(dir_ / "record.txt") << TxtRecord(key_) << "\n";
  // One run for all three: importing dkimpy (and dnspython) takes a second or two.
  std::string command = std::string(kPython) + " " WINBACK_MESSAGES_TESTDATA "/dkim_verify.py " +
                        (dir_ / "record.txt").string() + " " + std::string(kSelector) + " " +
                        std::string(kDomain);
  for (const char* file : {"signed.eml", "body.eml", "subject.eml"}) {
    command += " " + (dir_ / file).string();
  }
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  const int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 1) << output;
  EXPECT_THAT(output, HasSubstr("signed.eml: pass\n")) << "python3-dkim (scripts/install-deps)";
  EXPECT_THAT(output, HasSubstr("body.eml: fail: "));
  EXPECT_THAT(output, HasSubstr("subject.eml: fail: "));
}

TEST_F(DkimSignerTest, BadDomainOrSelectorIsInvalidArgument) {
  const std::string pem = PrivatePem(key_);
  for (const std::string_view domain :
       {"", "example..com", "-example.com", "exa mple.com", "example.com.", "a;b=c.com"}) {
    EXPECT_THAT(DkimSigner::Create(domain, kSelector, pem),
                StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("DKIM domain")))
        << domain;
  }
  EXPECT_THAT(DkimSigner::Create(kDomain, "s;h=from", pem),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("DKIM selector")));
  EXPECT_THAT(DkimSigner::Create(kDomain, "", pem), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(DkimSigner::Create(kDomain, "mail.2024-01", pem), IsOk());
}

TEST_F(DkimSignerTest, UnusableKeyIsFailedPreconditionWithoutTheKey) {
  const std::string pem = PrivatePem(key_);
  // A line of the key's base64 body, which no message may contain.
  const std::string secret_line = pem.substr(pem.find('\n') + 1, 64);
  Pkey small = NewKey(EVP_PKEY_RSA, 768);
  Pkey ed25519 = NewKey(EVP_PKEY_ED25519);
  ASSERT_NE(small, nullptr);
  ASSERT_NE(ed25519, nullptr);
  const std::string truncated = pem.substr(0, pem.size() / 2);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "is empty"},
      {"hunter2", "not PEM"},
      {truncated, "does not parse"},
      {PrivatePem(key_, "passphrase"), "encrypted"},
      {PrivatePem(small.get()), "768 bits"},
      {PrivatePem(ed25519.get()), "not an RSA key"},
  };
  for (const auto& [key, why] : cases) {
    Result<std::unique_ptr<DkimSigner>> signer = DkimSigner::Create(kDomain, kSelector, key);
    EXPECT_THAT(signer, StatusIsWith(StatusCode::kFailedPrecondition,
                                     HasSubstr("WINBACK_DKIM_PRIVATE_KEY")))
        << why;
    EXPECT_THAT(signer.status().message(), HasSubstr(why));
    EXPECT_THAT(signer.status().message(), Not(HasSubstr(secret_line)));
    EXPECT_THAT(signer.status().message(), Not(HasSubstr("hunter2")));
  }
}

class DkimKeyFromEnvTest : public ::testing::Test {
 protected:
  void TearDown() override { unsetenv("WINBACK_DKIM_PRIVATE_KEY"); }
};

TEST_F(DkimKeyFromEnvTest, MissingOrEmptyIsFailedPrecondition) {
  unsetenv("WINBACK_DKIM_PRIVATE_KEY");
  EXPECT_THAT(DkimKeyFromEnv(), StatusIsWith(StatusCode::kFailedPrecondition,
                                             HasSubstr("WINBACK_DKIM_PRIVATE_KEY is not set")));
  ASSERT_EQ(setenv("WINBACK_DKIM_PRIVATE_KEY", "", 1), 0);
  EXPECT_THAT(DkimKeyFromEnv(), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(DkimKeyFromEnvTest, ReturnsTheValue) {
  ASSERT_EQ(setenv("WINBACK_DKIM_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\nx\n", 1), 0);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string key, DkimKeyFromEnv());
  EXPECT_EQ(key, "-----BEGIN PRIVATE KEY-----\nx\n");
}

}  // namespace
}  // namespace winback::messages
