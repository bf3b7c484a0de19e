#include "config/registry.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::config {
namespace {

using testing::Eq;
using testing::HasSubstr;

// Two stages: one with two sections sharing a struct, one with a single section.
struct Shop {
  std::string name = "default";
  std::int64_t days = 30;
  bool open = true;
  std::vector<std::string> rules;
};
struct Server {
  std::int64_t port = 8080;
};

Status ParseShop(const SectionView& s, Shop& shop) {
  if (const Value* v = s.Find("name")) shop.name = v->AsString();
  if (const Value* v = s.Find("days")) shop.days = v->AsInteger();
  if (const Value* v = s.Find("rule")) {
    for (const Value& r : v->AsArray()) shop.rules.push_back(r.Find("signal")->AsString());
  }
  if (shop.name == "forbidden") return s.Error(*s.Find("name"), "name", "is not allowed");
  return Status::Ok();
}

Status ParseHours(const SectionView& s, Shop& shop) {
  if (const Value* v = s.Find("open")) shop.open = v->AsBoolean();
  return Status::Ok();
}

Registry TestRegistry() {
  Registry r;
  r.Add<Shop>("shop",
              {String("name"), Integer("days", 1, 365),
               TableArray("rule", {Required(OneOf("signal", {"order", "email"}))})},
              ParseShop);
  r.Add<Shop>("hours", {Boolean("open")}, ParseHours);
  r.Add<Server>("server", {Integer("port", 1, 65'535)}, [](const SectionView& s, Server& out) {
    if (const Value* v = s.Find("port")) out.port = v->AsInteger();
    return Status::Ok();
  });
  return r;
}

TEST(RegistryTest, SectionsFillTheirStagesStructs) {
  WINBACK_ASSERT_OK_AND_ASSIGN(Config c, TestRegistry().Parse(R"(
# comment
[hours]
open = false

[shop]
name = "corner"
days = 90
[[shop.rule]]
signal = "email"
[[shop.rule]]
signal = "order"
)",
                                                              "w.toml"));
  EXPECT_EQ(c.path(), "w.toml");
  EXPECT_EQ(c.Get<Shop>().name, "corner");
  EXPECT_EQ(c.Get<Shop>().days, 90);
  EXPECT_FALSE(c.Get<Shop>().open);
  EXPECT_EQ(c.Get<Shop>().rules, (std::vector<std::string>{"email", "order"}));
  EXPECT_EQ(c.Get<Server>().port, 8080);
}

struct Campaigns {
  std::vector<std::string> names;
};

Registry ArrayRegistry() {
  Registry r = TestRegistry();
  r.AddArray<Campaigns>(
      "campaign", {Required(String("name")), TableArray("step", {Integer("wait_days", 0, 365)})},
      [](const SectionView& s, Campaigns& out) {
        out.names.push_back(std::string(s.name()) + "=" + s.Find("name")->AsString());
        return Status::Ok();
      });
  return r;
}

TEST(RegistryTest, ArraySectionsParseEachTableInOrder) {
  WINBACK_ASSERT_OK_AND_ASSIGN(Config c, ArrayRegistry().Parse(R"([[campaign]]
name = "winback"
[[campaign.step]]
wait_days = 0
[[campaign]]
name = "birthday"
)",
                                                               "w.toml"));
  EXPECT_EQ(c.Get<Campaigns>().names,
            (std::vector<std::string>{"campaign[1]=winback", "campaign[2]=birthday"}));
  WINBACK_ASSERT_OK_AND_ASSIGN(Config none, ArrayRegistry().Parse("", "w.toml"));
  EXPECT_TRUE(none.Get<Campaigns>().names.empty());
}

TEST(RegistryTest, ArraySectionErrorsNameTheElement) {
  EXPECT_THAT(
      ArrayRegistry().Parse("[[campaign]]\nname = \"a\"\n[[campaign]]\nnmae = \"b\"\n", "w.toml"),
      StatusIsWith(StatusCode::kInvalidArgument,
                   HasSubstr("w.toml:4: campaign[2].nmae: unknown key; did you mean name?")));
  EXPECT_THAT(ArrayRegistry().Parse("[[campaign]]\nname = \"a\"\n[[campaign.step]]\nwait_days = "
                                    "-1\n",
                                    "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("w.toml:4: campaign[1].step")));
  EXPECT_THAT(ArrayRegistry().Parse("[campaign]\nname = \"a\"\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("expected an array of tables [[campaign]]")));
  EXPECT_THAT(ArrayRegistry().Parse("[[campain]]\nname = \"a\"\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("did you mean [campaign]?")));
}

TEST(RegistryTest, DefaultsWhenSilent) {
  const Registry r = TestRegistry();
  for (const Config& c : {r.Defaults(), r.Parse("", "w.toml").value()}) {
    EXPECT_EQ(c.Get<Shop>().name, "default");
    EXPECT_TRUE(c.Get<Shop>().open);
    EXPECT_EQ(c.Get<Server>().port, 8080);
  }
  EXPECT_EQ(r.Defaults().path(), "");
  EXPECT_EQ(r.SectionNames(), (std::vector<std::string>{"shop", "hours", "server"}));
}

TEST(RegistryTest, UnknownSectionSuggestsTheClosest) {
  EXPECT_THAT(TestRegistry().Parse("[shop]\nname = \"x\"\n\n[sever]\nport = 1\n", "winback.toml"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq("winback.toml:4: [sever]: unknown section; did you mean [server]?")));
  EXPECT_THAT(TestRegistry().Parse("[campaigns]\n", "winback.toml"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq("winback.toml:1: [campaigns]: unknown section; the sections are "
                              "[shop], [hours], [server]")));
  // An array of tables, and a table made implicitly by a dotted header, are sections too.
  EXPECT_THAT(TestRegistry().Parse("\n[[shpo]]\nname = \"x\"\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq("w.toml:2: [shpo]: unknown section; did you mean [shop]?")));
  EXPECT_THAT(TestRegistry().Parse("\n\n[hour.x]\nopen = true\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq("w.toml:3: [hour]: unknown section; did you mean [hours]?")));
}

TEST(RegistryTest, KeyOutsideAnySectionNamesItsSection) {
  EXPECT_THAT(TestRegistry().Parse("port = 80\n[shop]\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq("w.toml:1: port: a key outside any section; did you mean [server] "
                              "port?")));
  EXPECT_THAT(TestRegistry().Parse("opne = true\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("did you mean [hours] open?")));
  EXPECT_THAT(TestRegistry().Parse("colour = 1\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq("w.toml:1: colour: a key outside any section; keys go in one of "
                              "the sections [shop], [hours], [server]")));
}

TEST(RegistryTest, KeysTypesAndRangesAreChecked) {
  const Registry r = TestRegistry();
  EXPECT_THAT(r.Parse("[shop]\nnmae = \"x\"\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq("w.toml:2: shop.nmae: unknown key; did you mean name?")));
  EXPECT_THAT(r.Parse("[shop]\ndays = \"ninety\"\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq("w.toml:2: shop.days: expected an integer in 1..365, got "
                              "\"ninety\"")));
  EXPECT_THAT(r.Parse("[shop]\n\ndays = 0\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("w.toml:3: shop.days")));
  EXPECT_THAT(r.Parse("[shop]\n[[shop.rule]]\nsignal = \"fax\"\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq("w.toml:3: shop.rule[1].signal: expected \"order\" or \"email\", "
                              "got \"fax\"")));
  EXPECT_THAT(r.Parse("[server]\nport = 2024-01-01\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq("w.toml:2: server.port: expected an integer in 1..65535, got a "
                              "date or time")));
  EXPECT_THAT(r.Parse("server = 3\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq("w.toml:1: server: expected a table [server], got an integer")));
  // The parse function's own rules, with the file and line.
  EXPECT_THAT(
      r.Parse("[shop]\nname = \"forbidden\"\n", "w.toml"),
      StatusIsWith(StatusCode::kInvalidArgument, Eq("w.toml:2: shop.name: is not allowed")));
}

TEST(RegistryTest, SyntaxErrorsNameFileAndLine) {
  EXPECT_THAT(TestRegistry().Parse("[shop]\nname = \"x\"\n[hours\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("w.toml:3: ")));
  EXPECT_THAT(TestRegistry().Parse("[shop]\nname = \"x\"\nname = \"y\"\n", "w.toml"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("w.toml:3: ")));
}

TEST(RegistryDeathTest, GettingAnUnregisteredStructIsAProgrammerError) {
  struct Unregistered {};
  const Config c = TestRegistry().Defaults();
  EXPECT_DEATH(c.Get<Unregistered>(), "");
}

class RegistryFileTest : public testing::Test {
 protected:
  testutil::ScratchDir dir_{"winback_registry_test"};
};

TEST_F(RegistryFileTest, MissingFileGivesDefaultsOrNotFound) {
  const std::string path = dir_.File("winback.toml");
  WINBACK_ASSERT_OK_AND_ASSIGN(Config c, TestRegistry().Load(path, IfMissing::kUseDefaults));
  EXPECT_EQ(c.path(), "");
  EXPECT_EQ(c.Get<Server>().port, 8080);
  EXPECT_THAT(TestRegistry().Load(path, IfMissing::kNotFound),
              StatusIsWith(StatusCode::kNotFound, Eq("config file '" + path + "' does not exist")));
}

TEST_F(RegistryFileTest, DirectoryIsAnErrorEitherWay) {
  for (IfMissing if_missing : {IfMissing::kUseDefaults, IfMissing::kNotFound}) {
    EXPECT_THAT(
        TestRegistry().Load(dir_.path().string(), if_missing),
        StatusIsWith(StatusCode::kInvalidArgument,
                     HasSubstr("config file '" + dir_.path().string() + "' is a directory")));
  }
}

TEST_F(RegistryFileTest, ReadsTheFileAndNamesItAsGiven) {
  const std::string path = dir_.File("shop.toml");
  std::ofstream(path) << "[server]\nport = 9000\n";
  WINBACK_ASSERT_OK_AND_ASSIGN(Config c, TestRegistry().Load(path, IfMissing::kNotFound));
  EXPECT_EQ(c.path(), path);
  EXPECT_EQ(c.Get<Server>().port, 9000);
  std::ofstream(path) << "[server]\nprot = 9000\n";
  EXPECT_THAT(TestRegistry().Load(path, IfMissing::kNotFound),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr(path + ":2: server.prot")));
  std::ofstream(path, std::ios::trunc).close();
  EXPECT_THAT(TestRegistry().Load(path, IfMissing::kNotFound), IsOk());
}

}  // namespace
}  // namespace winback::config
