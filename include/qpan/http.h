// The HTTP layer: an HTTP/1.1 server with keep-alive on Boost.Beast/Asio, a router of
// method + path patterns to handlers, and the JSON error shape every route answers with:
// {"error": {"code", "message", "details"}}. It knows nothing of qpan's domain; the API
// (src/http/api_*.cc) registers its routes on a Router.
//
// Limits (ServerOptions): the request line and header together (16 KiB, at most 100
// fields), and on their own each chunk-size line and a chunked body's trailer section;
// bodies (1 MiB, or the upload limit on routes that stream to a file; chunked bodies too);
// connections (10,000, never more than RLIMIT_NOFILE allows, and 256 per client address);
// time (10 s for a request's header, 60 s idle between kept-alive requests, 30 s of silence
// within a body, 60 s of a stalled response). Before a byte of a body is read, the route's
// admission (authentication) and its size limit are checked: a refused or too large request
// is answered at once and its connection closed. Framing that a proxy could read otherwise
// (a transfer coding other than exactly "chunked", Transfer-Encoding with Content-Length,
// obs-fold) gets 400 or 501 and the connection closes. Nothing a client sends can end the
// process: every exception stays with its connection (a handler's becomes a 500, the
// parser's a 400). stop() (and SIGTERM when run() is asked to handle it) stops accepting,
// lets requests in flight finish and closes idle connections.
#pragma once

#include <any>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "qpan/status.h"

namespace qpan::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded, without the query
  std::string query;   // raw, without '?'
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // empty when the body went to `body_file`
  std::optional<std::filesystem::path> body_file;  // upload routes: the body, on disk
  std::string remote_address;
  std::map<std::string, std::string> path_params;  // {code} in the route pattern
  std::string route;  // the matched route's pattern ("" when none matched), for logs and metrics
  std::any context;   // what the admission learnt, for the handler (e.g. the authenticated caller)
  // Who made the request, once authenticated: for the access log. Set by the API, never
  // from anything the client sent.
  std::string user;

  // The header's value, or empty.
  std::string_view header(std::string_view lower_case_name) const;
  // The first of the query parameters of that name, percent-decoded ('+' is a space), or
  // nullopt.
  std::optional<std::string> query_param(std::string_view name) const;
  // Every value of a parameter that may repeat (DHIS2's dimension=…&dimension=…), in order.
  std::vector<std::string> query_params(std::string_view name) const;
  // The value of a cookie, or nullopt.
  std::optional<std::string> cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie, ETag)
  // The server gzips a large text body for a client that takes gzip. A body holding a secret
  // (a CSRF or API token) says no: compressed beside text an attacker chose, its length would
  // tell the secret a byte at a time (BREACH).
  bool may_compress = true;
};

// Whether an Accept-Encoding value takes gzip: a "gzip" coding (any case) not refused by q=0.
bool accepts_gzip(std::string_view accept_encoding);

Response json_response(int status, const boost::json::value& body);
// The error shape: {"error": {"code": "not_found", "message": "...", "details": {...}}}, with
// DHIS2's WebMessage fields beside it ({"httpStatus": "Not Found", "httpStatusCode": 404,
// "status": "ERROR", "message": "..."}) for DHIS2's clients.
// `members`: more top-level members (DHIS2's ImportSummary as "response").
Response error_response(int status, std::string_view code, std::string_view message,
                        const boost::json::value& details = nullptr, boost::json::object members = {});
// A Status mapped to its HTTP status: invalid_input 400, unauthenticated 401, permission
// 403, not_found 404, conflict 409, precondition 412, too many requests 429, other 500
// (whose message is not shown: it may hold internals).
Response error_response(const Status& status, const boost::json::value& details = nullptr);
int http_status_of(const Status& status);
// "Not Found" for 404: the reason phrase of a status.
std::string_view reason_phrase(int status);

using Handler = std::function<Response(Request&)>;

// Answers a request later, from any thread, exactly once: `make` runs on the connection's
// own I/O thread and what it returns is sent. Until then the connection waits, and the I/O
// threads serve other connections.
using Reply = std::function<void(std::function<Response()> make)>;
// A handler that hands its work on (to the group-commit writer) instead of blocking an I/O
// thread while it is done. The request stays valid until the reply is made.
using AsyncHandler = std::function<void(Request&, Reply)>;

// How a route reads its body.
enum class BodyKind : uint8_t {
  kBuffered,  // in Request::body, up to ServerOptions::body_limit
  kUpload,    // streamed to a temporary file (Request::body_file), up to upload_limit
};

// Decides from a request's line and header alone, before a byte of its body is read or
// stored, whether the request may go on: nullopt lets it through, a response (401, 403, 429)
// is sent instead. The route is known: `route`, `path_params`, `method`, `headers` and
// `remote_address` are set; `body` is empty. It may leave what it learnt for the handler in
// `context` (the authenticated caller: no second lookup). Runs on an I/O thread: keep it quick, and
// thread-safe. A refused request that has a body gets its answer with "Connection: close"
// and the body is never read.
using Admission = std::function<std::optional<Response>(Request&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/units/{code}"
  BodyKind body = BodyKind::kBuffered;
  Handler handler;             // one of the two
  AsyncHandler async_handler;
  bool is_public = false;      // the router's admission is not asked (login, health checks)
};

class Router {
 public:
  // Both return the route added, e.g. to mark it public: `router.add(...).is_public = true`
  // (the reference is valid until the next route is added).
  Route& add(std::string method, std::string pattern, Handler handler, BodyKind body = BodyKind::kBuffered);
  Route& add_async(std::string method, std::string pattern, AsyncHandler handler, BodyKind body = BodyKind::kBuffered);
  const std::vector<Route>& routes() const { return routes_; }

  struct Match {
    const Route* route = nullptr;  // nullptr: no route for the path (404) or method (405)
    bool path_known = false;
    std::map<std::string, std::string> params;
  };
  Match match(std::string_view method, std::string_view path) const;

  // Asked for every matched route not marked public (see Admission). Requests no route
  // matches are answered 404/405 without it (their bodies are never read); the fallback
  // below is public.
  void set_admission(Admission admission) { admission_ = std::move(admission); }
  const Admission& admission() const { return admission_; }

  // Answers GET requests no route matches (static files of the web application).
  void set_fallback(Handler handler) { fallback_ = std::move(handler); }
  const Handler& fallback() const { return fallback_; }

  // Rewrites the address of a request no route matches, which is then matched again (other
  // clients' forms of the same routes, see normalize_dhis2_address: /api/openapi.json stays
  // itself); the access log shows the rewritten path.
  void set_rewrite(std::function<void(Request&)> rewrite) { rewrite_ = std::move(rewrite); }
  const std::function<void(Request&)>& rewrite() const { return rewrite_; }

 private:
  std::vector<Route> routes_;
  Admission admission_;
  Handler fallback_;
  std::function<void(Request&)> rewrite_;
};

// DHIS2 clients address the Web API as /api/{version}/… (versions 29 to 42) and ask for a
// representation by suffix (/api/analytics.json, /api/41/analytics.csv): the version segment
// and a .json or .csv suffix of an /api/ path are removed, and .csv becomes `format=csv` in
// the query unless the query names a format. Other paths are left as they are.
void normalize_dhis2_address(Request& r);

// Serves the files under `root` for GET: "/" is index.html; no path may leave the folder
// (".." segments, hidden files); content types by extension; 404 as JSON otherwise.
Handler static_files(std::filesystem::path root);

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see HttpServer::port())
  int threads = 2;

  // The request line and header fields together, in bytes (431 beyond). It also bounds each
  // chunk-size line and a chunked body's trailer section on their own. At most 60 KiB: a
  // field must fit Beast's 16-bit lengths.
  size_t header_limit = 16 * 1024;
  size_t max_header_fields = 100;  // 431 beyond
  size_t body_limit = 1024 * 1024;  // buffered bodies (413 beyond, before reading a declared length)
  size_t upload_limit = 512ull * 1024 * 1024;  // bodies streamed to a file (BodyKind::kUpload)

  // Open connections. Over either limit a new connection gets a 503 written without reading
  // its request, and is closed at once. The total never exceeds the process's RLIMIT_NOFILE
  // less a reserve of 128 descriptors (start() raises the soft limit toward the hard one when
  // it is lower than needed); see HttpServer::connection_limit().
  size_t max_connections = 10000;
  // Per client address (IPv6: per /64 prefix). 0: no limit, e.g. behind a reverse proxy,
  // where every connection comes from the proxy's address.
  size_t max_connections_per_address = 256;

  // A request's line and header must arrive within header_timeout of its first byte (of the
  // accept, on a new connection); a kept-alive connection may wait idle_timeout for its next
  // request; a body may pause at most body_timeout between bytes, a response's sending at
  // most write_timeout. Past any of them the connection closes without an answer.
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{60'000};

  std::filesystem::path upload_dir = std::filesystem::temp_directory_path();
};

// What the server tells the application after each request (access log, metrics).
struct Exchange {
  const Request& request;
  const Response& response;
  std::chrono::microseconds duration;
  size_t bytes_in = 0;
};

// The access log's line for an exchange, one JSON object and a newline: time (UTC, from
// `unix_seconds`), remote, method, path without its query (which may name units a log
// reader should not see alongside the user), route, status, bytes_in, bytes_out, ms (the
// duration, in milliseconds as a plain decimal), user. Never a body, cookie or token.
std::string access_log_line(const Exchange& exchange, int64_t unix_seconds);

class HttpServer {
 public:
  // `observe` is called after every response is written (from the I/O threads).
  HttpServer(ServerOptions options, const Router& router,
             std::function<void(const Exchange&)> observe = {});
  ~HttpServer();

  // Binds and listens; an error when the address is taken or malformed.
  Status start();
  uint16_t port() const;
  // The total of open connections allowed: max_connections, lowered to what the descriptor
  // limit allows (known after start()).
  size_t connection_limit() const;
  // Connections open now. Thread-safe.
  size_t connections() const;
  // Serves on `threads` threads until stop() (or SIGTERM / SIGINT when `handle_signals`).
  void run(bool handle_signals = false);
  // Graceful: stop accepting, finish requests in flight, close idle connections.
  void stop();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace qpan::http
