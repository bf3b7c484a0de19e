#include "messages/mime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "testutil/status_matchers.h"

namespace winback::messages {
namespace {

using ::testing::AllOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::string_view kTurkishSubject = "Sizi özledik ğüşiöç";
constexpr std::string_view kPersianSubject = "دلمان برایتان تنگ شده";

EmailParts Sample() {
  EmailParts p;
  p.from = "Shop <shop@example.com>";
  p.to = "ayse@example.org";
  p.subject = "We miss you";
  p.preheader = "20% off <this week>";
  p.text = "Hello Ayşe,\nCome back = save.\n";
  p.html = "<html><body><p>Hello Ay&#351;e</p></body></html>";
  p.language = "en";
  p.message_id = MessageIdForKey("k1", "mail.example.com");
  p.idempotency_key = "campaign-7/customer-42/step-1";
  p.unsubscribe_url = "https://example.com/u/abc.def";
  p.date = Instant::FromUnixSeconds(1'700'000'000);  // 2023-11-14T22:13:20Z, a Tuesday.
  return p;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const std::size_t end = s.find("\r\n", start);
    if (end == std::string::npos) {
      out.push_back(s.substr(start));
      break;
    }
    out.push_back(s.substr(start, end - start));
    start = end + 2;
  }
  return out;
}

TEST(BuildEmailTest, HasTheHeaders) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string mail, BuildEmail(Sample(), "seed"));
  EXPECT_THAT(mail, StartsWith("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
  EXPECT_THAT(mail, HasSubstr("\r\nFrom: Shop <shop@example.com>\r\n"));
  EXPECT_THAT(mail, HasSubstr("\r\nTo: ayse@example.org\r\n"));
  EXPECT_THAT(mail, HasSubstr("\r\nSubject: We miss you\r\n"));
  EXPECT_THAT(mail,
              HasSubstr("\r\nMessage-ID: <" + MessageIdForKey("k1", "mail.example.com") + ">\r\n"));
  EXPECT_THAT(mail, HasSubstr("\r\nMIME-Version: 1.0\r\n"));
  EXPECT_THAT(mail, HasSubstr("\r\nContent-Language: en\r\n"));
  EXPECT_THAT(mail, HasSubstr("\r\nList-Unsubscribe: <https://example.com/u/abc.def>\r\n"));
  EXPECT_THAT(mail, HasSubstr("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
  EXPECT_THAT(mail, HasSubstr("\r\nX-Winback-Key: campaign-7/customer-42/step-1\r\n"));
  EXPECT_THAT(mail, HasSubstr("Content-Type: multipart/alternative;\r\n boundary=\"=_winback_"));
}

TEST(BuildEmailTest, EveryLineEndsInCrlfAndIsShort) {
  EmailParts p = Sample();
  p.subject = std::string(kTurkishSubject) + " " + std::string(kPersianSubject) + " " +
              std::string(kTurkishSubject);
  p.text =
      std::string(300, 'x') + "\n" + std::string(100, ' ') + "\nşşşşşşşşşşşşşşşşşşşşşşşşşşşşşşş\n";
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string mail, BuildEmail(p, "seed"));
  for (std::size_t i = 0; i < mail.size(); ++i) {
    if (mail[i] == '\n') {
      ASSERT_TRUE(i > 0 && mail[i - 1] == '\r') << i;
    }
    if (mail[i] == '\r') {
      ASSERT_TRUE(i + 1 < mail.size() && mail[i + 1] == '\n') << i;
    }
  }
  for (const std::string& line : Lines(mail)) {
    EXPECT_LE(line.size(), 78U) << line;
    EXPECT_EQ(line.find_first_not_of(" \t!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWX"
                                     "YZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"),
              std::string::npos)
        << "non-ASCII in " << line;
  }
}

TEST(BuildEmailTest, IsDeterministicForTheSeed) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string a, BuildEmail(Sample(), "seed"));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string b, BuildEmail(Sample(), "seed"));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string c, BuildEmail(Sample(), "other"));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(BuildEmailTest, BoundaryAppearsOnlyAsDelimiter) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string mail, BuildEmail(Sample(), "seed"));
  const std::size_t at = mail.find("boundary=\"") + 10;
  const std::string boundary = mail.substr(at, mail.find('"', at) - at);
  std::size_t count = 0;
  for (std::size_t i = mail.find(boundary); i != std::string::npos;
       i = mail.find(boundary, i + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 4U);  // The parameter, two part delimiters, the close delimiter.
  EXPECT_THAT(mail, HasSubstr("\r\n--" + boundary + "--\r\n"));
}

TEST(BuildEmailTest, QuotedPrintableBody) {
  EmailParts p = Sample();
  p.text = "a=b ş \nend.\n.dot\nFrom here\n" + std::string(100, 'y');
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string mail, BuildEmail(p, "seed"));
  EXPECT_THAT(mail, HasSubstr("\r\n\r\na=3Db =C5=9F=20\r\nend.\r\n=2Edot\r\n=46rom here\r\n" +
                              std::string(75, 'y') + "=\r\n" + std::string(25, 'y') + "\r\n--"));
}

TEST(BuildEmailTest, PreheaderIsHiddenAndEscapedAfterBody) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string mail, BuildEmail(Sample(), "seed"));
  // Joins the quoted-printable soft line breaks.
  for (std::size_t at = mail.find("=\r\n"); at != std::string::npos; at = mail.find("=\r\n")) {
    mail.erase(at, 3);
  }
  EXPECT_THAT(mail, HasSubstr("<html><body><div style=3D\"display:none;"));
  EXPECT_THAT(mail, HasSubstr("20% off &lt;this week&gt;</div><p>Hello"));
}

TEST(HtmlWithPreheaderTest, HiddenAndEscapedRightAfterTheBodyTag) {
  EXPECT_EQ(HtmlWithPreheader("<html><BODY class=\"x\"><p>Hi</p></BODY></html>", "a <b> & \"c\""),
            "<html><BODY class=\"x\"><div style=\"display:none;font-size:1px;line-height:1px;"
            "max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all\">"
            "a &lt;b&gt; &amp; &quot;c&quot;</div><p>Hi</p></BODY></html>");
}

TEST(HtmlWithPreheaderTest, FirstWithoutABodyTagAndNothingWhenEmpty) {
  // "<bodyguard>" is no body tag.
  EXPECT_THAT(
      HtmlWithPreheader("<p>Hi</p><bodyguard>", "soon"),
      AllOf(StartsWith("<div style=\"display:none;"), EndsWith(">soon</div><p>Hi</p><bodyguard>")));
  EXPECT_EQ(HtmlWithPreheader("<body><p>Hi</p></body>", ""), "<body><p>Hi</p></body>");
}

TEST(BuildEmailTest, NonAsciiSubjectIsEncodedWords) {
  EmailParts p = Sample();
  p.subject = kTurkishSubject;
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string mail, BuildEmail(p, "seed"));
  EXPECT_THAT(mail, HasSubstr("\r\nSubject: =?UTF-8?B?"));
}

TEST(BuildEmailTest, EncodedWordsAreShortAndSplitBetweenCharacters) {
  EmailParts p = Sample();
  p.subject = std::string(kPersianSubject) + std::string(kPersianSubject) + "😀😀😀😀😀😀";
  p.from =
      "فروشگاه بزرگ تهران با نام بسیار طولانی که باید به چند کلمه شکسته شود <shop@example.com>";
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string mail, BuildEmail(p, "seed"));
  std::size_t words = 0;
  for (std::size_t i = mail.find("=?UTF-8?B?"); i != std::string::npos;
       i = mail.find("=?UTF-8?B?", i + 1)) {
    const std::size_t end = mail.find("?=", i + 10);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end + 2 - i, 75U);
    ++words;
  }
  EXPECT_GE(words, 4U);
}

TEST(BuildEmailTest, QuotesDisplayNamesWithSpecials) {
  EmailParts p = Sample();
  p.from = "\"Shop, Inc.\" <shop@example.com>";
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string mail, BuildEmail(p, "seed"));
  EXPECT_THAT(mail, HasSubstr("\r\nFrom: \"Shop, Inc.\" <shop@example.com>\r\n"));
}

TEST(BuildEmailTest, LongAsciiSubjectIsFolded) {
  EmailParts p = Sample();
  p.subject = "";
  for (int i = 0; i < 30; ++i) p.subject += "word" + std::to_string(i) + " ";
  p.subject += "end";
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string mail, BuildEmail(p, "seed"));
  EXPECT_THAT(mail, HasSubstr("\r\nSubject: word0 word1"));
  EXPECT_THAT(mail, HasSubstr("\r\n word"));
}

TEST(BuildEmailTest, OmitsOptionalHeaders) {
  EmailParts p = Sample();
  p.language.clear();
  p.unsubscribe_url.clear();
  p.idempotency_key.clear();
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string mail, BuildEmail(p, "seed"));
  EXPECT_THAT(mail, Not(HasSubstr("Content-Language")));
  EXPECT_THAT(mail, Not(HasSubstr("List-Unsubscribe")));
  EXPECT_THAT(mail, Not(HasSubstr("X-Winback-Key")));
}

TEST(BuildEmailTest, RejectsHeaderInjection) {
  const std::vector<std::pair<std::string, std::string EmailParts::*>> fields = {
      {"from", &EmailParts::from},
      {"to", &EmailParts::to},
      {"subject", &EmailParts::subject},
      {"message_id", &EmailParts::message_id},
      {"language", &EmailParts::language},
      {"idempotency_key", &EmailParts::idempotency_key},
      {"unsubscribe_url", &EmailParts::unsubscribe_url}};
  for (const auto& [name, member] : fields) {
    for (const std::string_view evil : {"\r\nBcc: x@evil.com", "\nBcc: x@evil.com", "a\rb"}) {
      EmailParts p = Sample();
      p.*member += evil;
      EXPECT_THAT(BuildEmail(p, "seed"),
                  StatusIsWith(StatusCode::kInvalidArgument, HasSubstr(name)))
          << name;
    }
  }
}

TEST(BuildEmailTest, RejectsBadInputs) {
  auto with = [](auto change) {
    EmailParts p = Sample();
    change(p);
    return BuildEmail(p, "seed");
  };
  EXPECT_THAT(with([](EmailParts& p) { p.to = ""; }), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(with([](EmailParts& p) { p.to = "no-at-sign"; }),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(with([](EmailParts& p) { p.to = "Ali <ali@example.com"; }),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(with([](EmailParts& p) { p.to = "ali@exämple.com"; }),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("SMTPUTF8")));
  EXPECT_THAT(with([](EmailParts& p) { p.message_id = "no-at"; }),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(with([](EmailParts& p) { p.message_id = "a b@c"; }),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(with([](EmailParts& p) { p.language = "en_US"; }),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(with([](EmailParts& p) { p.unsubscribe_url = "https://x/a>b"; }),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(with([](EmailParts& p) { p.subject = "bad \xff utf8"; }),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(with([](EmailParts& p) { p.text = "bad \xc3"; }),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("text")));
}

TEST(MessageIdForKeyTest, IsStableAndDistinct) {
  EXPECT_EQ(MessageIdForKey("k1", "example.com"), MessageIdForKey("k1", "example.com"));
  EXPECT_NE(MessageIdForKey("k1", "example.com"), MessageIdForKey("k2", "example.com"));
  // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.
  EXPECT_EQ(MessageIdForKey("abc", "example.com"), "ba7816bf8f01cfea414140de5dae2223@example.com");
}

// Parses the message with Python's email package (policy.default, the strict modern parser)
// and checks what a mail client would show.
TEST(BuildEmailTest, PythonEmailPackageDecodesIt) {
  constexpr const char* kPython = "/usr/bin/python3";
  if (access(kPython, X_OK) != 0) GTEST_SKIP() << kPython << " not installed";
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("winback_mime_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"tr", kTurkishSubject}, {"fa", kPersianSubject}};
  for (const auto& [language, subject] : cases) {
    EmailParts p = Sample();
    p.language = language;
    p.subject = subject;
    p.from = std::string(subject) + " <shop@example.com>";
    p.preheader = subject;
    p.text = std::string(subject) + "\n" + std::string(200, 'z') + " = done\n";
    p.html = "<html dir=\"rtl\"><body><p>" + std::string(subject) + "</p></body></html>";
    WINBACK_ASSERT_OK_AND_ASSIGN(std::string mail, BuildEmail(p, "seed"));
    const std::filesystem::path eml = dir / (std::string(language) + ".eml");
    const std::filesystem::path expect = dir / (std::string(language) + ".subject");
    std::ofstream(eml, std::ios::binary) << mail;
    std::ofstream(expect, std::ios::binary) << subject;
    const std::filesystem::path script = dir / "check.py";
    std::ofstream(script) << R"PY(
import email, email.policy, sys
eml, expect, lang, key = sys.argv[1:5]
msg = email.message_from_bytes(open(eml, 'rb').read(), policy=email.policy.default)
subject = open(expect, encoding='utf-8').read()
assert not msg.defects, msg.defects
assert msg['Subject'] == subject, repr(msg['Subject'])
assert msg['From'].addresses[0].display_name == subject, repr(msg['From'])
assert msg['From'].addresses[0].addr_spec == 'shop@example.com'
assert msg['To'].addresses[0].addr_spec == 'ayse@example.org'
assert msg['Content-Language'] == lang
assert msg['X-Winback-Key'] == key
assert msg['List-Unsubscribe'] == '<https://example.com/u/abc.def>'
assert msg['List-Unsubscribe-Post'] == 'List-Unsubscribe=One-Click'
assert msg['Message-ID'].startswith('<') and msg['Message-ID'].endswith('@mail.example.com>')
assert msg.get_content_type() == 'multipart/alternative'
parts = list(msg.iter_parts())
assert [p.get_content_type() for p in parts] == ['text/plain', 'text/html'], parts
for p in parts:
    assert not p.defects, p.defects
text = parts[0].get_content().replace('\r\n', '\n')
assert text == subject + '\n' + 'z' * 200 + ' = done\n', repr(text)
html = parts[1].get_content().replace('\r\n', '\n')
assert html.startswith('<html dir="rtl"><body><div style="display:none;'), html
assert html.endswith('>' + subject + '</div><p>' + subject + '</p></body></html>'), html
print('ok')
)PY";
    const std::string command = std::string(kPython) + " " + script.string() + " " + eml.string() +
                                " " + expect.string() + " " + std::string(language) + " " +
                                p.idempotency_key + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buf[512];
    while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
    const int rc = pclose(pipe);
    EXPECT_EQ(rc, 0) << output << "\n" << mail;
    EXPECT_EQ(output, "ok\n") << mail;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace winback::messages
