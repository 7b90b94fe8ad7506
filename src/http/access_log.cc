// The access log's line (see qpan/http.h), written straight as JSON text: it is written once
// per request, so it costs no document and one allocation.
#include <string>

#include "qpan/date.h"
#include "qpan/http.h"
#include "qpan/number_format.h"
#include "qpan/text.h"

namespace qpan::http {

std::string access_log_line(const Exchange& e, int64_t unix_seconds) {
  std::string line;
  line.reserve(192 + e.request.path.size() + e.request.route.size());
  auto field = [&](std::string_view name) {
    line += line.empty() ? "{\"" : ",\"";
    line += name;
    line += "\":";
  };
  auto text = [&](std::string_view name, std::string_view value) {
    field(name);
    append_json_string(line, value);
  };
  auto number = [&](std::string_view name, std::string_view value) {
    field(name);
    line += value;
  };
  text("time", format_timestamp(unix_seconds));
  text("remote", e.request.remote_address);
  text("method", e.request.method);
  text("path", e.request.path);
  text("route", e.request.route.empty() ? "(none)" : e.request.route);
  number("status", std::to_string(e.response.status));
  number("bytes_in", std::to_string(e.bytes_in));
  number("bytes_out", std::to_string(e.response.body.size()));
  number("ms", format_number_machine(static_cast<double>(e.duration.count()) / 1000.0));
  text("user", e.request.user);
  line += "}\n";
  return line;
}

}  // namespace qpan::http
