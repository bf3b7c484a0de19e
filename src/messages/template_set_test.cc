#include "messages/template_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "testutil/status_matchers.h"

namespace winback::messages {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A fresh directory of template files for one test, removed afterwards.
class TemplateSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("winback_templates_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& file, const std::string& text) {
    std::ofstream(dir_ / file, std::ios::binary) << text;
  }
  std::string File(const std::string& file) const { return (dir_ / file).string(); }
  Result<TemplateSet> Load() const { return TemplateSet::Load(dir_.string()); }

  std::filesystem::path dir_;
};

constexpr std::string_view kComeBackEn = R"(--- subject
We miss you, {{first_name}}
--- preheader
{{#has_offer}}{{offer_text}}{{/has_offer}}
--- text
Hello {{first_name}},
it has been {{days_since_last_order}} days.
{{#has_offer}}
Use {{coupon}} before {{offer_deadline}}.
{{/has_offer}}
{{#new_products}}
- {{name}}: {{price}} {{url}}
{{/new_products}}
Unsubscribe: {{unsubscribe_url}}
--- html
<html dir="{{dir}}" lang="{{language}}"><body><p>Hello {{first_name}}</p>
{{#recommended_products}}<a href="{{url}}">{{name}}</a>{{/recommended_products}}
{{^recommended_products}}<p>Nothing yet</p>{{/recommended_products}}
</body></html>
--- sms
{{shop_name}}: {{first_name}}, come back! {{unsubscribe_url}}
--- whatsapp
come_back_v2
{{first_name}}
{{offer_text}}
{{coupon}}
)";

constexpr std::string_view kComeBackFa = R"(--- subject
{{first_name}}، دلمان برایتان تنگ شده
--- text
سلام {{first_name}}
--- html
<html dir="{{dir}}"><body>سلام {{first_name}}</body></html>
)";

TemplateFields Fields() {
  TemplateFields f;
  f.first_name = "Ayşe";
  f.shop_name = "Dükkan";
  f.days_since_last_order = 120;
  f.has_offer = true;
  f.offer_text = "20% off\neverything";
  f.coupon = "ABCD2345EF";
  f.offer_deadline = "30 June";
  f.unsubscribe_url = "https://example.com/u/t";
  f.new_products = {{"sku1", "Tea & Cake", "food", "https://example.com/p/1", "", "$5"}};
  return f;
}

TEST_F(TemplateSetTest, RendersEveryPart) {
  Write("come_back.en.mustache", std::string(kComeBackEn));
  WINBACK_ASSERT_OK_AND_ASSIGN(TemplateSet set, Load());
  EXPECT_THAT(set.Names(), ElementsAre("come_back.en"));
  WINBACK_ASSERT_OK_AND_ASSIGN(RenderedMessage m, set.Render("come_back", "en", "en", Fields()));
  EXPECT_EQ(m.subject, "We miss you, Ayşe");
  EXPECT_EQ(m.preheader, "20% off everything");
  EXPECT_EQ(m.text,
            "Hello Ayşe,\nit has been 120 days.\nUse ABCD2345EF before 30 June.\n"
            "- Tea & Cake: $5 https://example.com/p/1\nUnsubscribe: https://example.com/u/t");
  EXPECT_EQ(m.html,
            "<html dir=\"ltr\" lang=\"en\"><body><p>Hello Ayşe</p>\n\n<p>Nothing yet</p>\n"
            "</body></html>");
  EXPECT_EQ(m.sms, "Dükkan: Ayşe, come back! https://example.com/u/t");
  EXPECT_EQ(m.whatsapp_template, "come_back_v2");
  EXPECT_THAT(m.whatsapp_parameters, ElementsAre("Ayşe", "20% off everything", "ABCD2345EF"));
  EXPECT_EQ(m.language, "en");
  EXPECT_EQ(m.dir, "ltr");
}

TEST_F(TemplateSetTest, EscapesHtmlOnlyInTheHtmlPart) {
  Write("come_back.en.mustache", std::string(kComeBackEn));
  WINBACK_ASSERT_OK_AND_ASSIGN(TemplateSet set, Load());
  TemplateFields f = Fields();
  f.first_name = "<script>alert('x')</script>&";
  f.recommended_products = {{"s", "A \"quoted\" <b>", "", "https://x/?a=1&b=2", "", "1"}};
  WINBACK_ASSERT_OK_AND_ASSIGN(RenderedMessage m, set.Render("come_back", "en", "en", f));
  EXPECT_THAT(m.html, HasSubstr("Hello &lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;&amp;"));
  EXPECT_THAT(m.html, HasSubstr("<a href=\"https://x/?a=1&amp;b=2\">A &quot;quoted&quot; "
                                "&lt;b&gt;</a>"));
  EXPECT_THAT(m.text, HasSubstr("Hello <script>alert('x')</script>&,"));
  EXPECT_EQ(m.subject, "We miss you, <script>alert('x')</script>&");
  EXPECT_THAT(m.sms, HasSubstr("<script>alert('x')</script>&, come back!"));
  EXPECT_EQ(m.whatsapp_parameters[0], "<script>alert('x')</script>&");
}

TEST_F(TemplateSetTest, PersianIsRtlAndByteExact) {
  Write("come_back.en.mustache", std::string(kComeBackEn));
  Write("come_back.fa.mustache", std::string(kComeBackFa));
  WINBACK_ASSERT_OK_AND_ASSIGN(TemplateSet set, Load());
  TemplateFields f = Fields();
  f.first_name = "مریم";
  WINBACK_ASSERT_OK_AND_ASSIGN(RenderedMessage m, set.Render("come_back", "fa", "en", f));
  EXPECT_EQ(m.language, "fa");
  EXPECT_EQ(m.dir, "rtl");
  EXPECT_EQ(m.subject, "مریم، دلمان برایتان تنگ شده");
  EXPECT_EQ(m.text, "سلام مریم");
  EXPECT_EQ(m.html, "<html dir=\"rtl\"><body>سلام مریم</body></html>");
}

TEST_F(TemplateSetTest, TurkishIsByteExact) {
  Write("come_back.tr.mustache", "--- subject\nSizi özledik ğüşiöç, {{first_name}}\n");
  WINBACK_ASSERT_OK_AND_ASSIGN(TemplateSet set, Load());
  WINBACK_ASSERT_OK_AND_ASSIGN(RenderedMessage m, set.Render("come_back", "tr", "en", Fields()));
  EXPECT_EQ(m.subject, "Sizi özledik ğüşiöç, Ayşe");
  EXPECT_EQ(m.dir, "ltr");
}

TEST_F(TemplateSetTest, FallsBackToTheFallbackLanguage) {
  Write("come_back.en.mustache", std::string(kComeBackEn));
  Write("come_back.fa.mustache", std::string(kComeBackFa));
  WINBACK_ASSERT_OK_AND_ASSIGN(TemplateSet set, Load());
  WINBACK_ASSERT_OK_AND_ASSIGN(RenderedMessage m, set.Render("come_back", "tr", "en", Fields()));
  EXPECT_EQ(m.language, "en");
  EXPECT_EQ(m.subject, "We miss you, Ayşe");
  EXPECT_THAT(set.Render("come_back", "tr", "de", Fields()),
              StatusIsWith(StatusCode::kNotFound, HasSubstr("'tr' nor fallback 'de'")));
  EXPECT_THAT(set.Render("gone", "en", "en", Fields()), StatusIs(StatusCode::kNotFound));
}

TEST_F(TemplateSetTest, RequireNamesTemplateLanguageAndPart) {
  Write("come_back.en.mustache", std::string(kComeBackEn));
  Write("come_back.fa.mustache", std::string(kComeBackFa));
  WINBACK_ASSERT_OK_AND_ASSIGN(TemplateSet set, Load());
  EXPECT_THAT(set.Require("come_back", "en", "en", Parts::Email()), IsOk());
  EXPECT_THAT(set.Require("come_back", "en", "en", Parts::Whatsapp()), IsOk());
  EXPECT_THAT(set.Require("come_back", "tr", "en", Parts::Sms()), IsOk());
  EXPECT_THAT(set.Require("come_back", "fa", "en", Parts::Email()), IsOk());
  EXPECT_THAT(set.Require("come_back", "fa", "en", Parts::Sms()),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("template 'come_back' in language 'fa'")));
  EXPECT_THAT(set.Require("come_back", "fa", "en", Parts::Sms()),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("no 'sms' part")));
  EXPECT_THAT(set.Require("winback", "fa", "en", Parts::Sms()),
              StatusIsWith(StatusCode::kNotFound, HasSubstr("template 'winback'")));
}

TEST_F(TemplateSetTest, UnknownFieldIsLoadErrorWithFileAndLine) {
  Write("come_back.en.mustache", "--- subject\nHi\n--- text\nHello\n{{frist_name}}\n");
  EXPECT_THAT(Load(), StatusIsWith(StatusCode::kInvalidArgument,
                                   HasSubstr(File("come_back.en.mustache") +
                                             ":5: unknown field 'frist_name'")));
}

TEST_F(TemplateSetTest, ProductFieldsOnlyInsideProductSections) {
  Write("a.en.mustache", "--- text\n{{price}}\n");
  EXPECT_THAT(Load(), StatusIsWith(StatusCode::kInvalidArgument,
                                   HasSubstr(":2: unknown field 'price' (product fields need")));
}

TEST_F(TemplateSetTest, UnknownPartIsLoadError) {
  Write("a.en.mustache", "--- subject\nHi\n--- body\nHello\n");
  EXPECT_THAT(Load(), StatusIsWith(StatusCode::kInvalidArgument,
                                   HasSubstr("a.en.mustache:3: unknown part 'body'")));
}

TEST_F(TemplateSetTest, SyntaxErrorsAreLoadErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--- text\nHi {{first_name\n", ":2: unclosed tag"},
      {"--- text\n{{#has_offer}}\nx\n", ":2: section 'has_offer' is never closed"},
      {"--- text\n{{/has_offer}}\n", ":2: {{/has_offer}} closes no open section"},
      {"--- text\n{{#first_name}}x{{/first_name}}\n", ":2: 'first_name' cannot open a section"},
      {"--- html\n\n{{{first_name}}}\n", ":3: unescaped tag for 'first_name' in the html part"},
      {"--- html\n{{& first_name}}\n", ":2: unescaped tag"},
      {"--- text\n{{> footer}}\n", ":2: partials"},
      {"--- text\n{{=<% %>=}}\n", ":2: delimiter changes"},
      {"Hello\n--- text\nx\n", ":1: text before the first part line"},
      {"--- text\na\n--- text\nb\n", ":3: part 'text' again (first on line 1)"},
      {"--- whatsapp\nBad Name\n", ":2: WhatsApp template name 'Bad Name'"},
      {"--- whatsapp\n\n", ":1: whatsapp part without the approved template name"},
      {"--- text\nbad \xff\n", ":2: not valid UTF-8"},
  };
  for (const auto& [text, error] : cases) {
    Write("a.en.mustache", text);
    EXPECT_THAT(Load(), StatusIsWith(StatusCode::kInvalidArgument, HasSubstr(error))) << text;
  }
}

TEST_F(TemplateSetTest, UnescapedTagsAreAllowedOutsideHtml) {
  Write("a.en.mustache", "--- text\n{{{first_name}}} {{&last_name}} {{! a comment }}\n");
  WINBACK_ASSERT_OK_AND_ASSIGN(TemplateSet set, Load());
  TemplateFields f;
  f.first_name = "A&B";
  f.last_name = "<C>";
  WINBACK_ASSERT_OK_AND_ASSIGN(RenderedMessage m, set.Render("a", "en", "en", f));
  EXPECT_EQ(m.text, "A&B <C> ");
}

TEST_F(TemplateSetTest, BadFileNameIsLoadError) {
  Write("come_back.mustache", "--- text\nx\n");
  EXPECT_THAT(Load(), StatusIsWith(StatusCode::kInvalidArgument,
                                   HasSubstr("file name must be NAME.LANG.mustache")));
}

TEST_F(TemplateSetTest, IgnoresOtherFilesAndMissingDirIsNotFound) {
  Write("README.md", "{{nonsense\n");
  WINBACK_ASSERT_OK_AND_ASSIGN(TemplateSet set, Load());
  EXPECT_TRUE(set.Names().empty());
  EXPECT_THAT(TemplateSet::Load((dir_ / "missing").string()), StatusIs(StatusCode::kNotFound));
}

TEST_F(TemplateSetTest, CrlfFilesRenderLikeLf) {
  Write("a.en.mustache", "--- subject\r\nHi {{first_name}}\r\n--- text\r\nA\r\nB\r\n\r\n");
  WINBACK_ASSERT_OK_AND_ASSIGN(TemplateSet set, Load());
  WINBACK_ASSERT_OK_AND_ASSIGN(RenderedMessage m, set.Render("a", "en", "en", Fields()));
  EXPECT_EQ(m.subject, "Hi Ayşe");
  EXPECT_EQ(m.text, "A\nB");
}

}  // namespace
}  // namespace winback::messages
