// Routes, requests and the JSON responses of the HTTP layer (see qpan/http.h).
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "qpan/http.h"

namespace qpan::http {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      auto hex = [](char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      };
      const int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) {
        out += s[i];
        continue;
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string_view Request::header(std::string_view lower_case_name) const {
  auto it = headers.find(std::string(lower_case_name));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::vector<std::string> values = query_params(name);
  if (values.empty()) return std::nullopt;
  return std::move(values.front());
}

std::vector<std::string> Request::query_params(std::string_view name) const {
  std::vector<std::string> values;
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const size_t eq = pair.find('=');
    if (url_decode(pair.substr(0, eq)) == name) {
      values.push_back(eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return values;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  std::string_view rest = header("cookie");
  while (!rest.empty()) {
    const size_t semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

Route& Router::add(std::string method, std::string pattern, Handler handler, BodyKind body) {
  Route& route = routes_.emplace_back();
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.body = body;
  route.handler = std::move(handler);
  return route;
}

Route& Router::add_async(std::string method, std::string pattern, AsyncHandler handler, BodyKind body) {
  Route& route = routes_.emplace_back();
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.body = body;
  route.async_handler = std::move(handler);
  return route;
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match out;
  const std::vector<std::string_view> parts = segments(path);
  for (const Route& route : routes_) {
    const std::vector<std::string_view> pattern = segments(route.pattern);
    if (pattern.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const std::string_view p = pattern[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        ok = !parts[i].empty();
        params[std::string(p.substr(1, p.size() - 2))] = std::string(parts[i]);
      } else {
        ok = p == parts[i];
      }
    }
    if (!ok) continue;
    out.path_known = true;
    if (route.method == method) {
      out.route = &route;
      out.params = std::move(params);
      return out;
    }
  }
  return out;
}

Response json_response(int status, const boost::json::value& body) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(body);
  return r;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return status < 500 ? "Bad Request" : "Internal Server Error";
  }
}

Response error_response(int status, std::string_view code, std::string_view message,
                        const boost::json::value& details, boost::json::object members) {
  boost::json::object error{{"code", code}, {"message", message}};
  error["details"] = details.is_null() ? boost::json::value(boost::json::object()) : details;
  // DHIS2's WebMessage fields beside qpan's own, so that DHIS2's clients read the message.
  members["httpStatus"] = reason_phrase(status);
  members["httpStatusCode"] = status;
  members["status"] = "ERROR";
  members["message"] = message;
  members["error"] = std::move(error);
  return json_response(status, members);
}

int http_status_of(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidInput: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kConflict: return 409;
    case StatusCode::kPreconditionFailed: return 412;
    case StatusCode::kTooManyRequests: return 429;
    case StatusCode::kReadOnly: return 503;
    case StatusCode::kIoError:
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

Response error_response(const Status& status, const boost::json::value& details) {
  const int code = http_status_of(status);
  std::string_view name = "internal";
  switch (status.code()) {
    case StatusCode::kInvalidInput: name = "invalid_input"; break;
    case StatusCode::kUnauthenticated: name = "unauthenticated"; break;
    case StatusCode::kPermissionDenied: name = "forbidden"; break;
    case StatusCode::kNotFound: name = "not_found"; break;
    case StatusCode::kConflict: name = "conflict"; break;
    case StatusCode::kPreconditionFailed: name = "precondition_failed"; break;
    case StatusCode::kTooManyRequests: name = "too_many_requests"; break;
    case StatusCode::kReadOnly: name = "read_only"; break;
    default: break;
  }
  // Internal errors may carry paths or SQL: the log has them, the caller does not.
  const std::string message = code == 500 ? "Lỗi máy chủ (internal server error)" : status.message();
  return error_response(code, name, message, details);
}

namespace {

Result<std::string> read_regular_file(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) return Status::not_found("no such file");
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::not_found("no such file");
  std::ostringstream body;
  body << in.rdbuf();
  return std::move(body).str();
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  size_t start = 0;
  while (start < accept_encoding.size()) {
    size_t comma = accept_encoding.find(',', start);
    if (comma == std::string_view::npos) comma = accept_encoding.size();
    std::string_view item = accept_encoding.substr(start, comma - start);
    start = comma + 1;
    const size_t semicolon = item.find(';');
    std::string_view coding = item.substr(0, semicolon);
    while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
    while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
    if (!boost::beast::iequals(coding, "gzip")) continue;
    if (semicolon == std::string_view::npos) return true;
    std::string params(item.substr(semicolon + 1));
    params.erase(std::remove_if(params.begin(), params.end(), [](char c) { return c == ' ' || c == '\t'; }), params.end());
    // q=0, q=0.0, q=0.000: refused; any other weight accepts.
    if (params.rfind("q=0", 0) == 0 && params.find_first_not_of("0.", 2) == std::string::npos) return false;
    return true;
  }
  return false;
}

void normalize_dhis2_address(Request& r) {
  if (!r.path.starts_with("/api/")) return;
  // "/api/41/analytics" → "/api/analytics": two digits, 29 to 42, then a slash.
  if (r.path.size() > 8 && std::isdigit(static_cast<unsigned char>(r.path[5])) &&
      std::isdigit(static_cast<unsigned char>(r.path[6])) && r.path[7] == '/') {
    const int version = (r.path[5] - '0') * 10 + (r.path[6] - '0');
    if (version >= 29 && version <= 42) r.path.erase(4, 3);
  }
  const size_t last_slash = r.path.rfind('/');
  for (std::string_view suffix : {".json", ".csv"}) {
    if (r.path.size() - last_slash <= suffix.size() + 1 || !r.path.ends_with(suffix)) continue;
    r.path.resize(r.path.size() - suffix.size());
    if (suffix == ".csv" && !r.query_param("format")) r.query += r.query.empty() ? "format=csv" : "&format=csv";
    break;
  }
}

Handler static_files(std::filesystem::path root) {
  return [root = std::move(root)](Request& r) -> Response {
    std::string relative = r.path == "/" ? "index.html" : r.path.substr(1);
    // Every segment a plain name: nothing outside the folder, nothing hidden.
    size_t start = 0;
    while (start <= relative.size()) {
      const size_t slash = relative.find('/', start);
      const std::string_view segment = std::string_view(relative).substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      if (segment.empty() || segment.front() == '.' || segment.find('\\') != std::string_view::npos) {
        return error_response(404, "not_found", "Không có tệp này (no such file)");
      }
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    const std::filesystem::path file = root / relative;
    // The build writes a gzip copy beside each text asset (FILE.gz): on a slow link in a
    // border commune that is a third of the bytes, at no cost per request.
    Response out;
    const bool gzip = accepts_gzip(r.header("accept-encoding"));
    Result<std::string> body = Status::not_found("no gzip copy");
    if (gzip) body = read_regular_file(file.string() + ".gz");
    if (body) {
      out.headers.emplace_back("Content-Encoding", "gzip");
    } else {
      body = read_regular_file(file);
      if (!body) return error_response(404, "not_found", "Không có tệp này (no such file)");
    }
    out.headers.emplace_back("Vary", "Accept-Encoding");
    // Vite names what it builds under assets/ by content hash: such a name never changes
    // meaning, so browsers keep it; the page and the service worker are asked again each time.
    out.headers.emplace_back("Cache-Control", relative.rfind("assets/", 0) == 0 ? "public, max-age=31536000, immutable" : "no-cache");
    static const std::map<std::string, std::string> kTypes{
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".json", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"},             {".png", "image/png"},
        {".ico", "image/x-icon"},              {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"}, {".webmanifest", "application/manifest+json"}};
    auto type = kTypes.find(file.extension().string());
    out.content_type = type == kTypes.end() ? "application/octet-stream" : type->second;
    out.body = std::move(*body);
    return out;
  };
}

}  // namespace qpan::http
