// dashboard_serve DB CONFIG PORT_FILE: serves only the dashboard's routes (src/server/dashboard.h)
// on 127.0.0.1 at a free port, which it writes to PORT_FILE, until it is killed. A stand-in for
// `winback serve` in tests/e2e/dashboard_test.sh while the server's own adapter is being built
// (branch `server`): it checks each route's Access as the server does (a kDashboard route
// without a session gets Dashboard::LoginRedirect) and nothing else. WINBACK_ADMIN_PASSWORD
// defines the user admin.
#include <httplib.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "cli/commands.h"
#include "cli/config.h"
#include "server/dashboard.h"
#include "server/http.h"
#include "store/open_store.h"

namespace {

using winback::server::Access;
using winback::server::Request;
using winback::server::Response;

Request ToRequest(const httplib::Request& in) {
  Request r;
  r.method = in.method;
  r.path = in.path;
  for (const auto& [k, v] : in.params) r.query.emplace_back(k, v);
  for (const auto& [k, v] : in.headers) {
    std::string name = k;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(name, v);
  }
  r.body = in.body;
  r.remote_addr = in.remote_addr;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: dashboard_serve DB CONFIG PORT_FILE\n");
    return 2;
  }
  winback::cli::GlobalOptions globals;
  globals.db_path = argv[1];
  globals.config_path = argv[2];
  globals.config_given = true;
  winback::Result<winback::config::Config> config = winback::cli::LoadConfig(globals);
  if (!config.ok()) {
    std::fprintf(stderr, "dashboard_serve: %s\n", config.status().ToString().c_str());
    return 2;
  }
  const char* password = std::getenv("WINBACK_ADMIN_PASSWORD");
  const std::string db = argv[1];
  winback::Result<std::unique_ptr<winback::server::Dashboard>> dashboard =
      winback::server::Dashboard::Create(
          *config, password ? std::optional<std::string_view>(password) : std::nullopt,
          [db] {
            return winback::store::OpenStore(
                db, winback::store::OpenOptions{.mode = winback::store::OpenMode::kReadOnly,
                                                .upgrade_notice = {}});
          },
          /*tls=*/false);
  if (!dashboard.ok()) {
    std::fprintf(stderr, "dashboard_serve: %s\n", dashboard.status().ToString().c_str());
    return 2;
  }
  winback::server::Router router;
  (*dashboard)->AddRoutes(router);

  httplib::Server server;
  const auto handle = [&](const httplib::Request& in, httplib::Response& out) {
    Request request = ToRequest(in);
    winback::server::Router::Match m = router.Find(request.method, request.path);
    Response response;
    if (m.route == nullptr) {
      response = Response::Error(m.method_not_allowed ? 405 : 404, "not_found", "no such page");
    } else {
      request.params = m.params;
      if (m.route->access == Access::kDashboard && !(*dashboard)->Authorised(request)) {
        response = (*dashboard)->LoginRedirect(request);
      } else {
        response = m.route->handler(request);
      }
    }
    out.status = response.status;
    for (const auto& [k, v] : response.headers) out.headers.emplace(k, v);
    out.set_content(response.body, response.content_type);
  };
  server.Get(".*", handle);
  server.Post(".*", handle);
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::fprintf(stderr, "dashboard_serve: cannot bind\n");
    return 1;
  }
  { std::ofstream(std::string(argv[3]) + ".tmp") << port << "\n"; }
  std::rename((std::string(argv[3]) + ".tmp").c_str(), argv[3]);
  return server.listen_after_bind() ? 0 : 1;
}
