// Tests for the access log's line: the fields and their order, what is never in it, and
// hostile paths that stay one line of valid JSON.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "qpan/http.h"

namespace qpan::http {
namespace {

constexpr int64_t kNoon = 1764849600;  // 2025-12-04T12:00:00Z

TEST(AccessLog, OneLineOfJsonWithoutQueryBodyOrCredentials) {
  Request request;
  request.method = "PUT";
  request.path = "/api/dataValues";
  request.query = "ou=03405&pe=202401";
  request.route = "/api/dataValues";
  request.remote_address = "127.0.0.1";
  request.user = "xa.giangma";
  request.headers = {{"authorization", "Bearer qpan_secret"}, {"cookie", "qpan_session=secret"}};
  request.body = R"({"value":"7"})";
  Response response{200, "application/json; charset=utf-8", R"({"updated":1})", {}};
  const Exchange exchange{request, response, std::chrono::microseconds(1379), 210};

  EXPECT_EQ(access_log_line(exchange, kNoon),
            R"({"time":"2025-12-04T12:00:00Z","remote":"127.0.0.1","method":"PUT","path":"/api/dataValues",)"
            R"("route":"/api/dataValues","status":200,"bytes_in":210,"bytes_out":13,"ms":1.379,"user":"xa.giangma"})"
            "\n");
}

TEST(AccessLog, HostilePathsStayOneLineOfValidJson) {
  Request request;
  request.method = "GET";
  request.path = "/x\"}\n{\"user\":\"admin\\\x01";
  request.remote_address = "10.0.0.9";
  Response response{404, "application/json; charset=utf-8", "", {}};
  const Exchange exchange{request, response, std::chrono::microseconds(0), 0};

  const std::string line = access_log_line(exchange, kNoon);
  ASSERT_EQ(line.find('\n'), line.size() - 1) << line;
  const boost::json::object o = boost::json::parse(line).as_object();
  EXPECT_EQ(o.at("path").as_string(), request.path);
  EXPECT_EQ(o.at("route").as_string(), "(none)");
  EXPECT_EQ(o.at("user").as_string(), "");
  EXPECT_EQ(o.at("ms").as_int64(), 0);
}

}  // namespace
}  // namespace qpan::http
