#include "server/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/registry.h"
#include "testutil/status_matchers.h"

namespace winback::server {
namespace {

using ::testing::HasSubstr;

Instant At(std::int64_t seconds) { return Instant::FromUnixSeconds(1'700'000'000 + seconds); }

// One hash for the whole suite: each costs 64 MiB and a noticeable fraction of a second.
const std::string& AliceHash() {
  static const std::string hash = *HashPassword("correct horse");
  return hash;
}

std::unique_ptr<SessionManager> Manager(DashboardSettings settings = {}) {
  settings.users.push_back({"alice", AliceHash()});
  Result<std::unique_ptr<SessionManager>> m = SessionManager::Create(settings, std::nullopt);
  EXPECT_THAT(m, IsOk());
  return std::move(m).value();
}

TEST(PasswordTest, HashIsArgon2idAndVerifiesOnlyItsPassword) {
  EXPECT_THAT(AliceHash(), ::testing::StartsWith("$argon2id$"));
  EXPECT_EQ(AliceHash().find("correct horse"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(AliceHash(), "correct horse"));
  EXPECT_FALSE(VerifyPassword(AliceHash(), "correct horse "));
  EXPECT_FALSE(VerifyPassword(AliceHash(), ""));
  EXPECT_FALSE(VerifyPassword("plaintext", "plaintext"));
}

TEST(PasswordTest, EmptyPasswordIsRejected) {
  EXPECT_THAT(HashPassword(""), StatusIs(StatusCode::kInvalidArgument));
}

TEST(SessionManagerTest, RightPasswordStartsASessionWithA256BitId) {
  auto m = Manager();
  SessionManager::Login login = m->LogIn("alice", "correct horse", "10.0.0.1", At(0));
  ASSERT_EQ(login.outcome, LoginOutcome::kOk);
  EXPECT_EQ(login.session_id.size(), 64u);
  EXPECT_EQ(login.session_id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(m->SessionUser(login.session_id, At(1)), "alice");
  // A second login gets a new id (no fixation), and both live.
  SessionManager::Login again = m->LogIn("alice", "correct horse", "10.0.0.1", At(2));
  EXPECT_NE(again.session_id, login.session_id);
  EXPECT_EQ(m->session_count(), 2u);
}

TEST(SessionManagerTest, WrongPasswordAndUnknownUserAreTheSameFailure) {
  auto m = Manager();
  EXPECT_EQ(m->LogIn("alice", "wrong", "a", At(0)).outcome, LoginOutcome::kWrongCredentials);
  EXPECT_EQ(m->LogIn("mallory", "correct horse", "a", At(0)).outcome,
            LoginOutcome::kWrongCredentials);
  EXPECT_EQ(m->session_count(), 0u);
}

TEST(SessionManagerTest, SessionExpiresAfterSessionMinutes) {
  DashboardSettings s;
  s.session_minutes = 30;
  auto m = Manager(s);
  const std::string id = m->LogIn("alice", "correct horse", "a", At(0)).session_id;
  EXPECT_EQ(m->SessionUser(id, At(30 * 60 - 1)), "alice");
  EXPECT_EQ(m->SessionUser(id, At(30 * 60)), std::nullopt);
  // Gone for good, also if a clock stepped back.
  EXPECT_EQ(m->SessionUser(id, At(0)), std::nullopt);
}

TEST(SessionManagerTest, LogOutEndsTheSession) {
  auto m = Manager();
  const std::string id = m->LogIn("alice", "correct horse", "a", At(0)).session_id;
  m->LogOut(id);
  EXPECT_EQ(m->SessionUser(id, At(1)), std::nullopt);
  EXPECT_EQ(m->SessionUser("", At(1)), std::nullopt);
}

TEST(SessionManagerTest, FailuresLockOutTheUserNameUntilTheWindowEnds) {
  DashboardSettings s;
  s.max_failed_logins = 3;
  s.lockout_minutes = 10;
  auto m = Manager(s);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(m->LogIn("alice", "guess" + std::to_string(i), "client-" + std::to_string(i), At(i))
                  .outcome,
              LoginOutcome::kWrongCredentials);
  }
  // Locked: even the right password is not checked, from any client.
  EXPECT_EQ(m->LogIn("alice", "correct horse", "elsewhere", At(60)).outcome,
            LoginOutcome::kLockedOut);
  // The window (10 minutes from the first failure) ends.
  EXPECT_EQ(m->LogIn("alice", "correct horse", "elsewhere", At(10 * 60)).outcome,
            LoginOutcome::kOk);
}

TEST(SessionManagerTest, FailuresLockOutTheClientAddressForEveryUserName) {
  DashboardSettings s;
  s.max_failed_logins = 2;
  auto m = Manager(s);
  EXPECT_EQ(m->LogIn("u1", "x", "203.0.113.9", At(0)).outcome, LoginOutcome::kWrongCredentials);
  EXPECT_EQ(m->LogIn("u2", "x", "203.0.113.9", At(1)).outcome, LoginOutcome::kWrongCredentials);
  EXPECT_EQ(m->LogIn("alice", "correct horse", "203.0.113.9", At(2)).outcome,
            LoginOutcome::kLockedOut);
  EXPECT_EQ(m->LogIn("alice", "correct horse", "198.51.100.1", At(2)).outcome, LoginOutcome::kOk);
}

TEST(SessionManagerTest, AdminPasswordDefinesTheAdminUser) {
  Result<std::unique_ptr<SessionManager>> m =
      SessionManager::Create(DashboardSettings{}, std::string_view("s3cret!"));
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ((*m)->user_count(), 1u);
  EXPECT_EQ((*m)->LogIn("admin", "s3cret!", "a", At(0)).outcome, LoginOutcome::kOk);
  EXPECT_EQ((*m)->LogIn("admin", "s3cret", "b", At(0)).outcome, LoginOutcome::kWrongCredentials);
}

TEST(SessionManagerTest, CsrfTokensAreTiedToTheSessionAndToTheServer) {
  auto m = Manager();
  auto other = Manager();
  const std::string a = m->LogIn("alice", "correct horse", "x", At(0)).session_id;
  const std::string b = m->LogIn("alice", "correct horse", "x", At(0)).session_id;
  const std::string token = m->CsrfToken(a);
  EXPECT_EQ(token.size(), 64u);
  EXPECT_TRUE(m->CheckCsrf(a, token));
  EXPECT_FALSE(m->CheckCsrf(b, token));
  EXPECT_FALSE(m->CheckCsrf(a, ""));
  EXPECT_FALSE(m->CheckCsrf(a, token.substr(0, 63) + (token[63] == '0' ? "1" : "0")));
  EXPECT_FALSE(m->CheckCsrf("", m->CsrfToken("")));
  // Another server (another key) does not accept it.
  EXPECT_FALSE(other->CheckCsrf(a, token));
}

TEST(SessionManagerTest, LoginCsrfIsTiedToThePreSessionCookie) {
  auto m = Manager();
  const std::string pre = SessionManager::NewRandomId();
  const std::string pre2 = SessionManager::NewRandomId();
  EXPECT_NE(pre, pre2);
  EXPECT_TRUE(m->CheckLoginCsrf(pre, m->LoginCsrfToken(pre)));
  EXPECT_FALSE(m->CheckLoginCsrf(pre2, m->LoginCsrfToken(pre)));
  EXPECT_FALSE(m->CheckLoginCsrf("", m->LoginCsrfToken("")));
  // A session's token is not a login token.
  EXPECT_FALSE(m->CheckLoginCsrf(pre, m->CsrfToken(pre)));
}

config::Registry DashboardRegistry() {
  config::Registry r;
  AddDashboardConfigSections(r);
  return r;
}

TEST(DashboardConfigTest, ReadsUsersAndSettings) {
  const std::string text =
      "[dashboard]\nsession_minutes = 60\nmax_failed_logins = 3\n"
      "lockout_minutes = 5\nsecure_cookie = true\ncache_seconds = 0\n"
      "[[dashboard.user]]\nname = \"alice\"\npassword_hash = \"" +
      AliceHash() + "\"\n";
  Result<config::Config> c = DashboardRegistry().Parse(text, "winback.toml");
  ASSERT_THAT(c, IsOk());
  const DashboardSettings& d = c->Get<DashboardSettings>();
  ASSERT_EQ(d.users.size(), 1u);
  EXPECT_EQ(d.users[0].name, "alice");
  EXPECT_EQ(d.users[0].password_hash, AliceHash());
  EXPECT_EQ(d.session_minutes, 60);
  EXPECT_EQ(d.max_failed_logins, 3);
  EXPECT_EQ(d.lockout_minutes, 5);
  EXPECT_TRUE(d.secure_cookie);
  EXPECT_EQ(d.cache_seconds, 0);
}

TEST(DashboardConfigTest, PlaintextPasswordIsAnErrorThatDoesNotEchoIt) {
  const std::string text =
      "[dashboard]\n[[dashboard.user]]\nname = \"alice\"\npassword_hash = \"hunter22\"\n";
  Result<config::Config> c = DashboardRegistry().Parse(text, "winback.toml");
  ASSERT_THAT(c, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(c.status().message(), HasSubstr("winback.toml:4:"));
  EXPECT_THAT(c.status().message(), HasSubstr("winback passwd"));
  EXPECT_THAT(c.status().message(), ::testing::Not(HasSubstr("hunter22")));
}

TEST(DashboardConfigTest, UserGivenTwiceAndUnknownKeysAreErrors) {
  const std::string user =
      "[[dashboard.user]]\nname = \"alice\"\npassword_hash = \"" + AliceHash() + "\"\n";
  Result<config::Config> twice = DashboardRegistry().Parse(user + user, "winback.toml");
  ASSERT_THAT(twice, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(twice.status().message(), HasSubstr("given twice"));
  EXPECT_THAT(DashboardRegistry().Parse("[dashboard]\nsession_minute = 5\n", "w.toml"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(DashboardRegistry().Parse("[[dashboard.user]]\nname = \"bob\"\n", "w.toml"),
              StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace winback::server
