#pragma once

// The HTTP vocabulary of the server, free of any vendor type: a request, a response, a handler,
// and the router that maps a method and a path pattern to a handler. The adapter over
// cpp-httplib (http_server.cc) converts to and from these, so every handler is a plain function
// that tests call directly, without a socket.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace winback::server {

// Who may call a route. The router does not check this itself; the server does, before the
// handler runs, so that no handler can forget it.
enum class Access {
  kPublic,     // Tracking links, provider webhooks (they check their own signature), /healthz.
  kApiKey,     // `Authorization: Bearer KEY`: the shop's backend.
  kDashboard,  // A logged-in dashboard session (cookie).
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // Percent-decoded path without the query, e.g. "/v1/customers/c%2F1" ->
                       // "/v1/customers/c/1".
  std::vector<std::pair<std::string, std::string>> query;    // Decoded, in order.
  std::vector<std::pair<std::string, std::string>> headers;  // Names lower-cased.
  std::string body;
  std::string remote_addr;
  // Filled by the router: the values of the pattern's {name} segments.
  std::map<std::string, std::string, std::less<>> params;

  // The first header named `name` (lower case), or nullptr.
  const std::string* Header(std::string_view name) const;
  // The first query value named `name`, or nullptr.
  const std::string* Query(std::string_view name) const;
  // The {name} segment of the matched pattern; empty when the pattern has none.
  std::string_view Param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Extra headers, e.g. Location.

  // {"error": {"code": CODE, "message": MESSAGE}} with `status`. `code` is a stable lower_snake
  // name clients may switch on ("unauthorized", "invalid_argument", ...).
  static Response Error(int status, std::string_view code, std::string_view message);
  static Response Json(std::string body, int status = 200);
  static Response Html(std::string body, int status = 200);
  // 302 (or `status`) to `location`.
  static Response Redirect(std::string location, int status = 302);
};

using Handler = std::function<Response(const Request&)>;

// Parses an application/x-www-form-urlencoded body or query string ('+' is a space, %XX
// decoded). Returns nullopt on a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseForm(std::string_view text);

// Percent-decodes `text` ('+' stays '+'). nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text);

// Routes "/v1/customers/{id}"-style patterns. A {name} segment matches one non-empty path
// segment; a trailing "{name...}" matches the rest of the path, slashes included. Literal
// segments win over {name} segments, so "/v1/campaigns/summary" can sit beside
// "/v1/campaigns/{name}". Thread-safe for concurrent Match once routes are added.
class Router {
 public:
  struct Route {
    std::string method;
    std::string pattern;
    Access access;
    Handler handler;
  };

  // Adds a route. Adding the same method and pattern twice is a programmer error (aborts).
  void Add(std::string method, std::string pattern, Access access, Handler handler);

  struct Match {
    const Route* route = nullptr;     // nullptr: no route for this path (404) ...
    bool method_not_allowed = false;  // ... or the path exists for other methods (405).
    std::map<std::string, std::string, std::less<>> params;
  };
  Match Find(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace winback::server
