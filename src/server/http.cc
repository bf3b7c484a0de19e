#include "server/http.h"

#include <nlohmann/json.hpp>

#include "core/check.h"

namespace winback::server {
namespace {

const std::string* FindPair(const std::vector<std::pair<std::string, std::string>>& pairs,
                            std::string_view name) {
  for (const auto& [key, value] : pairs) {
    if (key == name) return &value;
  }
  return nullptr;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> Decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  if (!path.empty() && path.front() == '/') start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Matches `path` against `pattern`; returns the number of literal segments matched (more is a
// better match) or -1.
int MatchPattern(std::string_view pattern, std::string_view path,
                 std::map<std::string, std::string, std::less<>>* params) {
  std::vector<std::string_view> want = Segments(pattern);
  std::vector<std::string_view> have = Segments(path);
  int literals = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    std::string_view w = want[i];
    if (IsParam(w) && w.size() > 5 && w.substr(w.size() - 4) == "...}") {
      if (i >= have.size()) return -1;
      // The rest of the path from this segment on.
      size_t offset = static_cast<size_t>(have[i].data() - path.data());
      std::string_view rest = path.substr(offset);
      if (rest.empty()) return -1;
      (*params)[std::string(w.substr(1, w.size() - 5))] = std::string(rest);
      return literals;
    }
    if (i >= have.size()) return -1;
    if (IsParam(w)) {
      if (have[i].empty()) return -1;
      (*params)[std::string(w.substr(1, w.size() - 2))] = std::string(have[i]);
    } else if (w == have[i]) {
      ++literals;
    } else {
      return -1;
    }
  }
  return want.size() == have.size() ? literals : -1;
}

}  // namespace

const std::string* Request::Header(std::string_view name) const { return FindPair(headers, name); }

const std::string* Request::Query(std::string_view name) const { return FindPair(query, name); }

std::string_view Request::Param(std::string_view name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string_view() : std::string_view(it->second);
}

Response Response::Error(int status, std::string_view code, std::string_view message) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  return Json(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), status);
}

Response Response::Json(std::string body, int status) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

Response Response::Html(std::string body, int status) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

Response Response::Redirect(std::string location, int status) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseForm(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t amp = text.find('&', start);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view part = text.substr(start, amp - start);
    start = amp + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view key = part.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    std::optional<std::string> k = Decode(key, /*plus_is_space=*/true);
    std::optional<std::string> v = Decode(value, /*plus_is_space=*/true);
    if (!k || !v) return std::nullopt;
    out.emplace_back(std::move(*k), std::move(*v));
  }
  return out;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  return Decode(text, /*plus_is_space=*/false);
}

void Router::Add(std::string method, std::string pattern, Access access, Handler handler) {
  for (const Route& r : routes_) {
    WINBACK_CHECK(!(r.method == method && r.pattern == pattern));
  }
  routes_.push_back(Route{std::move(method), std::move(pattern), access, std::move(handler)});
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match best;
  int best_literals = -1;
  bool path_known = false;
  for (const Route& r : routes_) {
    std::map<std::string, std::string, std::less<>> params;
    int literals = MatchPattern(r.pattern, path, &params);
    if (literals < 0) continue;
    path_known = true;
    if (r.method != method) continue;
    if (literals > best_literals) {
      best_literals = literals;
      best.route = &r;
      best.params = std::move(params);
    }
  }
  best.method_not_allowed = best.route == nullptr && path_known;
  return best;
}

}  // namespace winback::server
