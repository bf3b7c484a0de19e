#include "server/session.h"

#include <sodium.h>

#include <algorithm>

#include "config/registry.h"
#include "core/hmac.h"

namespace winback::server {
namespace {

// Caps on what an attacker can make the server remember.
constexpr std::size_t kMaxSessions = 10'000;
constexpr std::size_t kMaxFailureKeys = 10'000;

bool InitSodium() {
  // Thread-safe; 1 means it was already initialised.
  return sodium_init() >= 0;
}

std::string ToHex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

bool IsPwhashString(std::string_view hash) {
  return hash.starts_with("$argon2id$") || hash.starts_with("$argon2i$");
}

bool ValidUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 127; });
}

Status ParseDashboard(const config::SectionView& s, DashboardSettings& d) {
  if (const config::Value* v = s.Find("session_minutes")) d.session_minutes = v->AsInteger();
  if (const config::Value* v = s.Find("max_failed_logins")) d.max_failed_logins = v->AsInteger();
  if (const config::Value* v = s.Find("lockout_minutes")) d.lockout_minutes = v->AsInteger();
  if (const config::Value* v = s.Find("secure_cookie")) d.secure_cookie = v->AsBoolean();
  if (const config::Value* v = s.Find("cache_seconds")) d.cache_seconds = v->AsInteger();
  if (const config::Value* v = s.Find("user")) {
    for (const config::Value& t : v->AsArray()) {
      DashboardUser user;
      const config::Value& name = *t.Find("name");
      const config::Value& hash = *t.Find("password_hash");
      user.name = name.AsString();
      user.password_hash = hash.AsString();
      if (!ValidUserName(user.name)) {
        return s.Error(name, "user.name", "1 to 64 printable ASCII characters, no spaces");
      }
      for (const DashboardUser& other : d.users) {
        if (other.name == user.name)
          return s.Error(name, "user.name", "\"" + user.name + "\" is given twice");
      }
      if (!IsPwhashString(user.password_hash) ||
          user.password_hash.size() >= crypto_pwhash_STRBYTES) {
        // The value is not echoed: it may be a plaintext password.
        return s.Error(hash, "user.password_hash",
                       "not a crypto_pwhash_str hash ($argon2id$...); make one with `winback "
                       "passwd` (plaintext passwords are not accepted)");
      }
      d.users.push_back(std::move(user));
    }
  }
  return Status::Ok();
}

}  // namespace

void AddDashboardConfigSections(config::Registry& registry) {
  registry.Add<DashboardSettings>(
      "dashboard",
      {config::Integer("session_minutes", 1, 60 * 24 * 30),
       config::Integer("max_failed_logins", 1, 1000), config::Integer("lockout_minutes", 1, 1440),
       config::Boolean("secure_cookie"), config::Integer("cache_seconds", 0, 86'400),
       config::TableArray("user", {config::Required(config::String("name")),
                                   config::Required(config::String("password_hash"))})},
      ParseDashboard);
}

Result<std::string> HashPassword(std::string_view password) {
  if (password.empty()) return InvalidArgumentError("the password is empty");
  if (!InitSodium()) return InternalError("libsodium could not be initialised");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return InternalError("crypto_pwhash_str failed (out of memory?)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  // crypto_pwhash_str_verify needs a NUL-terminated string.
  const std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

Result<std::unique_ptr<SessionManager>> SessionManager::Create(
    const DashboardSettings& settings, std::optional<std::string_view> admin_password) {
  if (!InitSodium()) return InternalError("libsodium could not be initialised");
  std::map<std::string, std::string, std::less<>> users;
  for (const DashboardUser& u : settings.users) users[u.name] = u.password_hash;
  if (admin_password && !admin_password->empty()) {
    WINBACK_ASSIGN_OR_RETURN(users["admin"], HashPassword(*admin_password));
  }
  // A hash of a random password: unknown users are checked against it, so they cost as much.
  WINBACK_ASSIGN_OR_RETURN(std::string dummy, HashPassword(NewRandomId()));
  return std::unique_ptr<SessionManager>(
      new SessionManager(settings, std::move(users), std::move(dummy)));
}

namespace {
std::string RandomKey() {
  unsigned char key[32];
  randombytes_buf(key, sizeof key);
  return std::string(reinterpret_cast<const char*>(key), sizeof key);
}
}  // namespace

SessionManager::SessionManager(DashboardSettings settings,
                               std::map<std::string, std::string, std::less<>> users,
                               std::string dummy_hash)
    : settings_(std::move(settings)),
      users_(std::move(users)),
      dummy_hash_(std::move(dummy_hash)),
      csrf_key_(RandomKey()) {}

std::string SessionManager::NewRandomId() {
  InitSodium();
  unsigned char bytes[32];  // 256 bits
  randombytes_buf(bytes, sizeof bytes);
  return ToHex(bytes, sizeof bytes);
}

bool SessionManager::LockedOut(const std::string& key, Instant now) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return false;
  if (now >= it->second.window_start.PlusSeconds(settings_.lockout_minutes * 60)) {
    failures_.erase(it);
    return false;
  }
  return it->second.count >= settings_.max_failed_logins;
}

void SessionManager::CountFailure(const std::string& key, Instant now) {
  if (failures_.size() >= kMaxFailureKeys) {
    const std::int64_t window = settings_.lockout_minutes * 60;
    std::erase_if(failures_, [&](const auto& kv) {
      return now >= kv.second.window_start.PlusSeconds(window);
    });
    if (failures_.size() >= kMaxFailureKeys) failures_.erase(failures_.begin());
  }
  auto [it, inserted] = failures_.try_emplace(key, Failures{0, now});
  ++it->second.count;
}

SessionManager::Login SessionManager::LogIn(std::string_view user, std::string_view password,
                                            std::string_view client, Instant now) {
  const std::string user_key = "user:" + std::string(user);
  const std::string client_key = "client:" + std::string(client);
  {
    MutexLock lock(&mu_);
    if (LockedOut(user_key, now) || LockedOut(client_key, now)) {
      return Login{LoginOutcome::kLockedOut, ""};
    }
  }
  auto found = users_.find(user);
  bool ok = false;
  {
    MutexLock lock(&verify_mu_);
    ok = VerifyPassword(found == users_.end() ? dummy_hash_ : found->second, password) &&
         found != users_.end();
  }
  MutexLock lock(&mu_);
  if (!ok) {
    CountFailure(user_key, now);
    CountFailure(client_key, now);
    return Login{LoginOutcome::kWrongCredentials, ""};
  }
  failures_.erase(user_key);
  if (sessions_.size() >= kMaxSessions) {
    std::erase_if(sessions_, [now](const auto& kv) { return now >= kv.second.expires; });
    if (sessions_.size() >= kMaxSessions) {
      auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
        return a.second.expires < b.second.expires;
      });
      sessions_.erase(oldest);
    }
  }
  std::string id = NewRandomId();
  sessions_[id] = Session{std::string(user), now.PlusSeconds(settings_.session_minutes * 60)};
  return Login{LoginOutcome::kOk, std::move(id)};
}

std::optional<std::string> SessionManager::SessionUser(std::string_view session_id, Instant now) {
  if (session_id.empty()) return std::nullopt;
  MutexLock lock(&mu_);
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return std::nullopt;
  if (now >= it->second.expires) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second.user;
}

void SessionManager::LogOut(std::string_view session_id) {
  MutexLock lock(&mu_);
  auto it = sessions_.find(session_id);
  if (it != sessions_.end()) sessions_.erase(it);
}

std::size_t SessionManager::session_count() {
  MutexLock lock(&mu_);
  return sessions_.size();
}

std::string SessionManager::CsrfToken(std::string_view session_id) const {
  return HmacSha256Hex(csrf_key_, "session:" + std::string(session_id));
}

bool SessionManager::CheckCsrf(std::string_view session_id, std::string_view token) const {
  return !session_id.empty() && ConstantTimeEqual(CsrfToken(session_id), token);
}

std::string SessionManager::LoginCsrfToken(std::string_view pre_session) const {
  return HmacSha256Hex(csrf_key_, "login:" + std::string(pre_session));
}

bool SessionManager::CheckLoginCsrf(std::string_view pre_session, std::string_view token) const {
  return pre_session.size() == 64 && ConstantTimeEqual(LoginCsrfToken(pre_session), token);
}

}  // namespace winback::server
