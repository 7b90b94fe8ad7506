// The HTTP layer: an HTTP/1.1 server with keep-alive on Boost.Beast/Asio, a router of
// method + path patterns to handlers, and the JSON error shape every route answers with:
// {"error": {"code", "message", "details"}}. It knows nothing of qpan's domain; the API
// (src/http/api_*.cc) registers its routes on a Router.
//
// Limits: request headers (16 KiB), bodies (1 MiB, or the upload limit on routes that
// stream to a file), time to read a request (30 s). Malformed requests get a 4xx and the
// connection closes; the server keeps serving. stop() (and SIGTERM when run() is asked to
// handle it) stops accepting, lets requests in flight finish and closes idle connections.
#pragma once

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

  // The header's value, or empty.
  std::string_view header(std::string_view lower_case_name) const;
  // A query parameter, percent-decoded ('+' is a space), or nullopt.
  std::optional<std::string> query_param(std::string_view name) const;
  // The value of a cookie, or nullopt.
  std::optional<std::string> cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie, ETag)
};

Response json_response(int status, const boost::json::value& body);
// The error shape: {"error": {"code": "not_found", "message": "...", "details": {...}}}.
Response error_response(int status, std::string_view code, std::string_view message,
                        const boost::json::value& details = nullptr);
// A Status mapped to its HTTP status: invalid_input 400, unauthenticated 401, permission
// 403, not_found 404, conflict 409, precondition 412, too many requests 429, other 500
// (whose message is not shown: it may hold internals).
Response error_response(const Status& status, const boost::json::value& details = nullptr);
int http_status_of(const Status& status);

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

struct Route {
  std::string method;
  std::string pattern;  // "/api/units/{code}"
  BodyKind body = BodyKind::kBuffered;
  Handler handler;             // one of the two
  AsyncHandler async_handler;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler, BodyKind body = BodyKind::kBuffered);
  void add_async(std::string method, std::string pattern, AsyncHandler handler, BodyKind body = BodyKind::kBuffered);
  const std::vector<Route>& routes() const { return routes_; }

  struct Match {
    const Route* route = nullptr;  // nullptr: no route for the path (404) or method (405)
    bool path_known = false;
    std::map<std::string, std::string> params;
  };
  Match match(std::string_view method, std::string_view path) const;

  // Answers GET requests no route matches (static files of the web application).
  void set_fallback(Handler handler) { fallback_ = std::move(handler); }
  const Handler& fallback() const { return fallback_; }

 private:
  std::vector<Route> routes_;
  Handler fallback_;
};

// Serves the files under `root` for GET: "/" is index.html; no path may leave the folder
// (".." segments, hidden files); content types by extension; 404 as JSON otherwise.
Handler static_files(std::filesystem::path root);

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see HttpServer::port())
  int threads = 2;
  size_t header_limit = 16 * 1024;
  size_t body_limit = 1024 * 1024;
  size_t upload_limit = 512ull * 1024 * 1024;
  std::chrono::seconds read_timeout{30};
  std::filesystem::path upload_dir = std::filesystem::temp_directory_path();
};

// What the server tells the application after each request (access log, metrics).
struct Exchange {
  const Request& request;
  const Response& response;
  std::chrono::microseconds duration;
  size_t bytes_in = 0;
};

class HttpServer {
 public:
  // `observe` is called after every response is written (from the I/O threads).
  HttpServer(ServerOptions options, const Router& router,
             std::function<void(const Exchange&)> observe = {});
  ~HttpServer();

  // Binds and listens; an error when the address is taken or malformed.
  Status start();
  uint16_t port() const;
  // Serves on `threads` threads until stop() (or SIGTERM / SIGINT when `handle_signals`).
  void run(bool handle_signals = false);
  // Graceful: stop accepting, finish requests in flight, close idle connections.
  void stop();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace qpan::http
