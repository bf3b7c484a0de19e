#pragma once

// Dashboard users, logins and sessions. Passwords are kept only as libsodium crypto_pwhash_str
// hashes (Argon2id) and checked with crypto_pwhash_str_verify; sessions are random 256-bit ids
// (randombytes_buf) held in memory with an absolute expiry; CSRF tokens are HMAC-SHA256 tags
// (core/hmac.h) of the session id, or of the login form's pre-session cookie, under a key
// drawn at start-up. See src/server/README.md ("Dashboard").

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "core/time.h"

namespace winback::config {
class Registry;
}  // namespace winback::config

namespace winback::server {

// One [[dashboard.user]] of winback.toml.
struct DashboardUser {
  std::string name;           // [[dashboard.user]] name: 1..64 printable ASCII characters
  std::string password_hash;  // [[dashboard.user]] password_hash: crypto_pwhash_str output
};

// [dashboard] of winback.toml.
struct DashboardSettings {
  std::vector<DashboardUser> users;
  std::int64_t session_minutes = 480;  // [dashboard] session_minutes: absolute session lifetime
  std::int64_t max_failed_logins = 5;  // [dashboard] max_failed_logins: per user name and per
                                       // client address within lockout_minutes ...
  std::int64_t lockout_minutes = 15;   // ... after which logins from it are refused until the
                                       // window ends
  bool secure_cookie = false;          // [dashboard] secure_cookie: mark cookies Secure (TLS at a
                                       // reverse proxy); `winback serve --tls-cert` sets it too
  std::int64_t cache_seconds = 60;     // [dashboard] cache_seconds: how long the report numbers of
                                       // the pages are reused before they are computed again
};

// Registers [dashboard] with its [[dashboard.user]] array (config.Get<DashboardSettings>()).
// A password_hash that is not a crypto_pwhash_str string ("$argon2id$..." or "$argon2i$..."),
// so a plaintext password, and a user name given twice are errors naming the line.
void AddDashboardConfigSections(config::Registry& registry);

// crypto_pwhash_str of `password` with libsodium's interactive limits (Argon2id, 64 MiB, 2
// passes): what `winback passwd` prints for [[dashboard.user]] password_hash. InvalidArgument
// for an empty password; Internal when libsodium cannot allocate the memory.
Result<std::string> HashPassword(std::string_view password);

// crypto_pwhash_str_verify: true when `password` matches `hash`. Thread-safe.
bool VerifyPassword(std::string_view hash, std::string_view password);

// The outcome of a login attempt.
enum class LoginOutcome : std::uint8_t {
  kOk,
  kWrongCredentials,  // Unknown user or wrong password (not told apart).
  kLockedOut,         // Too many failures for this user name or client address: not checked.
};

// The users and the live sessions of one server. Thread-safe: every method may be called from
// the server's worker threads at once.
class SessionManager {
 public:
  // `settings.users`, plus a user "admin" whose password is `admin_password` when that is set
  // (WINBACK_ADMIN_PASSWORD; it replaces a configured "admin"). The password is hashed at once
  // and not kept. Internal when libsodium cannot start or hash.
  static Result<std::unique_ptr<SessionManager>> Create(
      const DashboardSettings& settings, std::optional<std::string_view> admin_password);

  SessionManager(const SessionManager&) = delete;
  SessionManager& operator=(const SessionManager&) = delete;

  struct Login {
    LoginOutcome outcome = LoginOutcome::kWrongCredentials;
    std::string session_id;  // kOk: 64 hex digits (256 random bits), the cookie's value
  };
  // Checks `user` and `password` (one check at a time: the hash costs 64 MiB) and on success
  // starts a session expiring session_minutes after `now`. An unknown user costs the same hash
  // as a known one. Failures count against the user name and against `client` (the remote
  // address); max_failed_logins failures of either within lockout_minutes lock it out until
  // the window ends, without checking the password.
  Login LogIn(std::string_view user, std::string_view password, std::string_view client,
              Instant now);

  // The user of the live session `session_id`, or nullopt when there is none or it expired
  // (an expired session is removed).
  std::optional<std::string> SessionUser(std::string_view session_id, Instant now);

  // Ends the session; nothing when there is none.
  void LogOut(std::string_view session_id);

  // The CSRF token of the forms of session `session_id`: hex HMAC-SHA256 under the server's
  // key, so it needs no storage and dies with the session.
  std::string CsrfToken(std::string_view session_id) const;
  // Whether `token` is CsrfToken(session_id) (constant-time compare).
  bool CheckCsrf(std::string_view session_id, std::string_view token) const;

  // The login form has no session yet: it is tied to a random pre-session cookie instead
  // (double submit), whose token is LoginCsrfToken(cookie).
  static std::string NewRandomId();  // 64 hex digits from randombytes_buf
  std::string LoginCsrfToken(std::string_view pre_session) const;
  bool CheckLoginCsrf(std::string_view pre_session, std::string_view token) const;

  const DashboardSettings& settings() const { return settings_; }
  std::size_t user_count() const { return users_.size(); }
  std::size_t session_count();

 private:
  struct Session {
    std::string user;
    Instant expires;
  };
  struct Failures {
    std::int64_t count = 0;
    Instant window_start;
  };
  SessionManager(DashboardSettings settings, std::map<std::string, std::string, std::less<>> users,
                 std::string dummy_hash);
  bool LockedOut(const std::string& key, Instant now) REQUIRES(mu_);
  void CountFailure(const std::string& key, Instant now) REQUIRES(mu_);

  const DashboardSettings settings_;
  const std::map<std::string, std::string, std::less<>> users_;  // name -> hash
  const std::string dummy_hash_;  // verified for unknown users, so they cost the same
  const std::string csrf_key_;    // 32 random bytes
  Mutex verify_mu_;               // one password hash at a time
  Mutex mu_;
  std::map<std::string, Session, std::less<>> sessions_ GUARDED_BY(mu_);
  std::map<std::string, Failures, std::less<>> failures_ GUARDED_BY(mu_);
};

}  // namespace winback::server
