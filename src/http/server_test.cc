// Tests for the HTTP layer: routing and path parameters, JSON errors, keep-alive, uploads to
// a file, handlers that reply later from another thread (also through a stop), malformed
// HTTP — bad request lines, huge headers, truncated and oversized bodies, invalid UTF-8 in
// the path — answered with a 4xx while the server keeps serving, and the admission hook
// that refuses a request before its body is read. hostile_request_test.cc has the rest.
#include "qpan/http.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <any>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace qpan::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/api/echo/{name}", [](Request& r) {
      return json_response(200, boost::json::object{{"name", r.path_params.at("name")},
                                                    {"q", r.query_param("q").value_or("")}});
    });
    router_.add("POST", "/api/body", [](Request& r) {
      return json_response(200, boost::json::object{{"bytes", r.body.size()}});
    });
    router_.add("POST", "/api/upload", [](Request& r) {
      std::ifstream in(*r.body_file, std::ios::binary);
      std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      return json_response(200, boost::json::object{{"bytes", content.size()}, {"head", content.substr(0, 5)}});
    }, BodyKind::kUpload);
    router_.add("GET", "/api/fail", [](Request&) -> Response { return error_response(Status::not_found("no such unit \"99\"")); });
    router_.add("GET", "/api/throw", [](Request&) -> Response { throw std::runtime_error("secret detail"); });
    // Replies from another thread, later (as the group-commit writer does).
    router_.add_async("GET", "/api/later/{ms}", [this](Request& r, Reply reply) {
      const int ms = std::stoi(r.path_params.at("ms"));
      std::lock_guard lock(helpers_mutex_);
      helpers_.emplace_back([ms, reply] {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        reply([ms] { return json_response(200, boost::json::object{{"waited", ms}}); });
        reply([] { return error_response(Status::internal("a second reply")); });  // ignored
      });
    });
    router_.add_async("GET", "/api/later-throw", [](Request&, Reply) { throw std::runtime_error("secret detail"); });
    router_.add("GET", "/api/throw-anything", [](Request&) -> Response { throw 42; });
    ServerOptions options;
    options.port = 0;
    options.body_limit = 1000;
    options.upload_limit = 100000;
    options.header_timeout = std::chrono::seconds(5);
    server_ = std::make_unique<HttpServer>(options, router_);
    ASSERT_TRUE(server_->start().is_ok());
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
    for (std::thread& t : helpers_) t.join();
  }

  // Sends raw bytes on a new connection; returns everything read until the server closes
  // or `until` appears.
  std::string exchange(const std::string& bytes, const std::string& until = "") {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    asio::write(socket, asio::buffer(bytes));
    std::string out;
    char buf[4096];
    boost::system::error_code ec;
    while (!ec) {
      const size_t n = socket.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (!until.empty() && out.find(until) != std::string::npos) break;
    }
    return out;
  }

  static int status_of(const std::string& response) {
    return response.size() > 12 ? std::stoi(response.substr(9, 3)) : 0;
  }
  static std::string body_of(const std::string& response) {
    const size_t p = response.find("\r\n\r\n");
    return p == std::string::npos ? "" : response.substr(p + 4);
  }

  std::string get(const std::string& target) {
    return exchange("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  }

  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::mutex helpers_mutex_;
  std::vector<std::thread> helpers_;  // the threads that reply later
  std::thread thread_;
};

TEST_F(ServerTest, RoutesWithParametersAndQuery) {
  const std::string r = get("/api/echo/L%C3%A0o%20Cai?q=lai+chau");
  EXPECT_EQ(status_of(r), 200);
  EXPECT_EQ(boost::json::parse(body_of(r)), boost::json::parse(R"({"name":"Lào Cai","q":"lai chau"})"));
  EXPECT_NE(r.find("application/json"), std::string::npos);
}

TEST_F(ServerTest, UnknownRouteAndMethodAreJsonErrors) {
  std::string r = get("/api/nowhere");
  EXPECT_EQ(status_of(r), 404);
  EXPECT_EQ(boost::json::parse(body_of(r)).at("error").at("code"), "not_found");
  r = exchange("DELETE /api/echo/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_of(r), 405);
  r = get("/api/fail");
  EXPECT_EQ(status_of(r), 404);
  EXPECT_EQ(boost::json::parse(body_of(r)).at("error").at("message"), "no such unit \"99\"");
  r = get("/api/throw");
  EXPECT_EQ(status_of(r), 500);
  EXPECT_EQ(r.find("secret detail"), std::string::npos);
  EXPECT_EQ(status_of(get("/api/throw-anything")), 500);
}

TEST_F(ServerTest, HeadAnswersCarryNoBody) {
  const std::string r = exchange("HEAD /api/echo/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_of(r), 405);
  EXPECT_NE(r.find("Content-Length: "), std::string::npos);
  EXPECT_EQ(body_of(r), "");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  const std::string one = "GET /api/echo/a HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string r = exchange(one + one + "GET /api/echo/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  size_t count = 0;
  for (size_t p = r.find("HTTP/1.1 200"); p != std::string::npos; p = r.find("HTTP/1.1 200", p + 1)) ++count;
  EXPECT_EQ(count, 3u);
  EXPECT_NE(r.find(R"("name":"b")"), std::string::npos);
}

TEST_F(ServerTest, UploadsGoToAFile) {
  const std::string body(50000, 'x');
  const std::string r = exchange("POST /api/upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(status_of(r), 200);
  EXPECT_EQ(boost::json::parse(body_of(r)), boost::json::parse(R"({"bytes":50000,"head":"xxxxx"})"));
}

TEST_F(ServerTest, MalformedRequestsGet4xxAndTheServerKeepsServing) {
  struct Case {
    std::string bytes;
    int status;
  };
  const std::vector<Case> cases{
      {"GARBAGE\r\n\r\n", 400},
      {"GET /api/echo/a HTTP/9.9\r\n\r\n", 400},
      {"GET /api/echo/a HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n", 431},
      {"POST /api/body HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'b'), 413},
      {"POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + std::string(1000, 'b'), 413},
      {"GET /api/echo/%FF%FE HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /api/echo/%G1 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"POST /api/body HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400},
      // A trailer field past Beast's 16-bit lengths used to end the process.
      {"POST /api/body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: " +
           std::string(70000, 't') + "\r\n\r\n", 431},
      {"POST /api/body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", 400},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.bytes.substr(0, 40));
    const std::string r = exchange(c.bytes);
    EXPECT_EQ(status_of(r), c.status) << r.substr(0, 200);
    if (status_of(r) >= 400) {
      EXPECT_NO_THROW(boost::json::parse(body_of(r)).at("error"));
    }
  }
  // A truncated body: the client goes away; nothing is answered, nothing breaks.
  {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    asio::write(socket, asio::buffer(std::string("POST /api/body HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nabc")));
    socket.close();
  }
  EXPECT_EQ(status_of(get("/api/echo/still")), 200);
}

TEST_F(ServerTest, StaticFilesStayInTheirFolder) {
  const auto root = std::filesystem::temp_directory_path() / ("qpan-static-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "app");
  std::ofstream(root / "index.html") << "<h1>qpan</h1>";
  std::ofstream(root / "app" / "main.js") << "1";
  std::ofstream(root / ".secret") << "x";
  router_.set_fallback(static_files(root));
  std::string r = get("/");
  EXPECT_EQ(status_of(r), 200);
  EXPECT_NE(r.find("text/html"), std::string::npos);
  EXPECT_EQ(body_of(r), "<h1>qpan</h1>");
  EXPECT_EQ(status_of(get("/app/main.js")), 200);
  EXPECT_EQ(status_of(get("/.secret")), 404);
  EXPECT_EQ(status_of(get("/app/../.secret")), 404);
  EXPECT_EQ(status_of(get("/%2e%2e/etc/passwd")), 404);
  EXPECT_EQ(status_of(get("/nothing.html")), 404);
  EXPECT_EQ(status_of(get("/api/nowhere")), 404);
  std::filesystem::remove_all(root);
}

// The build's gzip copies go to clients that take gzip (and only to them); hashed assets are
// kept by browsers, the page is asked again.
TEST_F(ServerTest, StaticFilesSendTheGzipCopyToClientsThatTakeIt) {
  const auto root = std::filesystem::temp_directory_path() / ("qpan-static-gz-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "assets");
  std::ofstream(root / "index.html") << "<h1>qpan</h1>";
  std::ofstream(root / "assets" / "app-1a2b.js") << "plain";
  std::ofstream(root / "assets" / "app-1a2b.js.gz") << "GZIP";
  router_.set_fallback(static_files(root));
  auto get_with = [&](const std::string& target, const std::string& accept) {
    return exchange("GET " + target + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: " + accept +
                    "\r\nConnection: close\r\n\r\n");
  };
  struct Case {
    const char* accept_encoding;
    bool gzip;
  };
  for (const Case& c : {Case{"gzip, deflate, br", true}, Case{"br;q=1.0, GZIP;q=0.5", true}, Case{"gzip;q=0", false},
                        Case{"gzip; q=0.000", false}, Case{"deflate", false}, Case{"xgzip", false}, Case{"", false}}) {
    const std::string r = get_with("/assets/app-1a2b.js", c.accept_encoding);
    EXPECT_EQ(status_of(r), 200) << c.accept_encoding;
    EXPECT_EQ(body_of(r), c.gzip ? "GZIP" : "plain") << c.accept_encoding;
    EXPECT_EQ(r.find("Content-Encoding: gzip") != std::string::npos, c.gzip) << c.accept_encoding;
    EXPECT_NE(r.find("text/javascript"), std::string::npos) << "the type of the file, not of .gz";
    EXPECT_NE(r.find("Vary: Accept-Encoding"), std::string::npos);
    EXPECT_NE(r.find("Cache-Control: public, max-age=31536000, immutable"), std::string::npos);
    EXPECT_EQ(r.find("no-store"), std::string::npos) << "one Cache-Control";
  }
  // No gzip copy: the file as it is.
  const std::string page = get_with("/", "gzip");
  EXPECT_EQ(body_of(page), "<h1>qpan</h1>");
  EXPECT_EQ(page.find("Content-Encoding"), std::string::npos);
  EXPECT_NE(page.find("Cache-Control: no-cache"), std::string::npos);
  std::filesystem::remove_all(root);
}

// Large text answers go gzipped to clients that take gzip; small ones, other clients and
// answers that hold a secret go as they are.
TEST_F(ServerTest, LargeTextAnswersAreGzippedForClientsThatTakeIt) {
  std::string big = "{\"rows\":[";
  for (int i = 0; i < 500; ++i) big += "[\"crime.ttxh.cases\",\"03400\",\"202001\",\"7\"],";
  big += "[]]}";
  router_.set_fallback([&big](Request& r) {
    Response out;
    out.body = r.path == "/small" ? std::string("{}") : big;
    out.may_compress = r.path != "/secret";
    return out;
  });
  auto get_with = [&](const std::string& target, const std::string& accept) {
    return exchange("GET " + target + " HTTP/1.1\r\nHost: x\r\n" +
                    (accept.empty() ? "" : "Accept-Encoding: " + accept + "\r\n") + "Connection: close\r\n\r\n");
  };
  const std::string gzipped = get_with("/big", "gzip, deflate");
  EXPECT_NE(gzipped.find("Content-Encoding: gzip"), std::string::npos);
  EXPECT_NE(gzipped.find("Vary: Accept-Encoding"), std::string::npos);
  EXPECT_LT(body_of(gzipped).size(), big.size() / 5);
  EXPECT_EQ(body_of(gzipped).substr(0, 2), "\x1f\x8b");
  for (const auto& [target, accept] : std::vector<std::pair<std::string, std::string>>{
           {"/big", ""}, {"/big", "gzip;q=0"}, {"/small", "gzip"}, {"/secret", "gzip"}}) {
    const std::string plain = get_with(target, accept);
    EXPECT_EQ(plain.find("Content-Encoding"), std::string::npos) << target << " " << accept;
    EXPECT_EQ(body_of(plain), target == "/small" ? "{}" : big) << target << " " << accept;
    EXPECT_NE(plain.find("Cache-Control: no-store"), std::string::npos);
  }
}

TEST_F(ServerTest, AsyncHandlersReplyFromAnotherThread) {
  const std::string r = get("/api/later/20");
  EXPECT_EQ(status_of(r), 200);
  EXPECT_EQ(boost::json::parse(body_of(r)).at("waited").as_int64(), 20);
  // Keep-alive goes on after an async reply.
  const std::string two = exchange(
      "GET /api/later/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /api/echo/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(two.find("\"waited\":1"), std::string::npos);
  EXPECT_NE(two.find("\"name\":\"b\""), std::string::npos);
  const std::string thrown = get("/api/later-throw");
  EXPECT_EQ(status_of(thrown), 500);
  EXPECT_EQ(thrown.find("secret"), std::string::npos);
}

TEST_F(ServerTest, StopWaitsForAsyncRepliesInFlight) {
  std::string answer;
  std::thread client([&] { answer = get("/api/later/300"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the request is in flight
  server_->stop();
  thread_.join();  // returns only once the reply has been sent
  client.join();
  EXPECT_EQ(status_of(answer), 200);
  thread_ = std::thread([] {});
}

TEST_F(ServerTest, StopFinishesAndCloses) {
  EXPECT_EQ(status_of(get("/api/echo/a")), 200);
  // An idle keep-alive connection does not hold the server up.
  asio::io_context ioc;
  tcp::socket idle(ioc);
  idle.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
  server_->stop();
  thread_.join();
  thread_ = std::thread([] {});
}

}  // namespace
}  // namespace qpan::http

namespace qpan::http {
namespace {

// A server whose upload route is refused without credentials, as the API's authentication
// does, with the default upload limit (512 MiB): the refusal, not the size, must stop a
// large upload.
class AdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upload_dir_ = std::filesystem::temp_directory_path() / ("qpan-admission-" + std::to_string(::getpid()));
    std::filesystem::remove_all(upload_dir_);
    std::filesystem::create_directories(upload_dir_);
    router_.add("GET", "/healthz", [](Request&) { return json_response(200, boost::json::object{{"status", "ok"}}); })
        .is_public = true;
    router_.add("POST", "/api/upload/{kind}", [this](Request& r) {
      ++handled_;
      return json_response(200, boost::json::object{{"bytes", std::filesystem::file_size(*r.body_file)},
                                                    {"caller", std::any_cast<std::string>(r.context)}});
    }, BodyKind::kUpload);
    router_.add("GET", "/api/throwing-admission", [](Request&) { return json_response(200, nullptr); });
    router_.set_fallback([](Request&) { return json_response(200, boost::json::object{{"static", true}}); });
    router_.set_admission([this](Request& r) -> std::optional<Response> {
      std::lock_guard lock(mutex_);
      asked_.push_back(r.method + " " + r.route + " " + (r.path_params.contains("kind") ? r.path_params.at("kind") : "") +
                       " body=" + std::to_string(r.body.size()));
      if (r.route == "/api/throwing-admission") throw std::runtime_error("secret detail");
      if (r.header("authorization").empty()) return error_response(401, "unauthenticated", "chưa đăng nhập (not logged in)");
      r.context = "user " + std::string(r.header("authorization"));  // what the handler gets
      return std::nullopt;
    });
    ServerOptions options;
    options.port = 0;
    options.upload_dir = upload_dir_;
    server_ = std::make_unique<HttpServer>(options, router_, [](const Exchange&) { throw std::runtime_error("observer"); });
    ASSERT_TRUE(server_->start().is_ok());
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
    std::filesystem::remove_all(upload_dir_);
  }

  size_t files_left() const {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(upload_dir_),
                                             std::filesystem::directory_iterator()));
  }

  // Sends `bytes` and reads what comes within `wait` (the client never finishes its body).
  std::string send_and_read(const std::string& bytes, std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    asio::write(socket, asio::buffer(bytes));
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{socket.native_handle(), POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const ssize_t n = ::recv(socket.native_handle(), buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  std::filesystem::path upload_dir_;
  Router router_;
  std::atomic<int> handled_{0};
  std::mutex mutex_;
  std::vector<std::string> asked_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

int status_in(const std::string& response) { return response.size() > 12 ? std::stoi(response.substr(9, 3)) : 0; }

TEST_F(AdmissionTest, ARefusedUploadIsAnsweredBeforeItsBodyAndNothingIsStored) {
  const auto started = std::chrono::steady_clock::now();
  const std::string r = send_and_read(
      "POST /api/upload/csv HTTP/1.1\r\nHost: x\r\nContent-Length: 209715200\r\n\r\nthe first bytes of 200 MB");
  EXPECT_EQ(status_in(r), 401);
  EXPECT_NE(r.find("Connection: close"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4)) << "the server waited for the body";
  EXPECT_EQ(handled_.load(), 0);
  EXPECT_EQ(files_left(), 0u);
  std::lock_guard lock(mutex_);
  ASSERT_EQ(asked_.size(), 1u);
  EXPECT_EQ(asked_[0], "POST /api/upload/{kind} csv body=0");
}

TEST_F(AdmissionTest, ARefusalComesInsteadOfContinue) {
  const std::string r = send_and_read(
      "POST /api/upload/csv HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 209715200\r\n\r\n",
      std::chrono::milliseconds(1000));
  EXPECT_EQ(status_in(r), 401);
  EXPECT_EQ(r.find("100 Continue"), std::string::npos);
}

TEST_F(AdmissionTest, AdmittedUploadsAreStoredThenRemoved) {
  const std::string body(100000, 'u');
  std::string r = send_and_read("POST /api/upload/csv HTTP/1.1\r\nHost: x\r\nAuthorization: yes\r\nConnection: close\r\n"
                                "Content-Length: 100000\r\n\r\n" + body);
  EXPECT_EQ(status_in(r), 200);
  EXPECT_NE(r.find("\"bytes\":100000"), std::string::npos);
  EXPECT_NE(r.find("\"caller\":\"user yes\""), std::string::npos);
  EXPECT_EQ(files_left(), 0u);
  // Admitted but too large: 413 before reading, nothing stored.
  r = send_and_read("POST /api/upload/csv HTTP/1.1\r\nHost: x\r\nAuthorization: yes\r\n"
                    "Content-Length: 999999999999\r\n\r\nabc", std::chrono::milliseconds(1000));
  EXPECT_EQ(status_in(r), 413);
  // Admitted, and the client goes away mid-body: the partial file is removed.
  {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    asio::write(socket, asio::buffer("POST /api/upload/csv HTTP/1.1\r\nHost: x\r\nAuthorization: yes\r\n"
                                     "Content-Length: 200000\r\n\r\n" + std::string(50000, 'u')));
    for (int i = 0; i < 100 && files_left() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(files_left(), 1u);
  }
  for (int i = 0; i < 200 && files_left() != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(files_left(), 0u);
  EXPECT_EQ(handled_.load(), 1);
}

TEST_F(AdmissionTest, PublicRoutesAndTheFallbackAreNotAskedAndAThrowingAdmissionIsA500) {
  EXPECT_EQ(status_in(send_and_read("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")), 200);
  EXPECT_EQ(status_in(send_and_read("GET /app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")), 200);
  const std::string r = send_and_read("GET /api/throwing-admission HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_in(r), 500);
  EXPECT_EQ(r.find("secret"), std::string::npos);
  // A refusal of a request without a body keeps the connection: the next request is answered.
  const std::string two = send_and_read(
      "POST /api/upload/x HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_in(two), 401);
  EXPECT_NE(two.find("HTTP/1.1 200"), std::string::npos);
  std::lock_guard lock(mutex_);
  EXPECT_EQ(asked_.size(), 2u);  // the throwing one and the upload
}

}  // namespace
}  // namespace qpan::http

namespace qpan::http {
namespace {

// The addresses DHIS2's clients use, rewritten to qpan's own.
TEST(Dhis2AddressTest, VersionSegmentAndSuffixRemoved) {
  struct Case {
    const char* path;
    const char* query;
    const char* want_path;
    const char* want_query;
  };
  for (const Case& c : {Case{"/api/41/analytics", "dx=a", "/api/analytics", "dx=a"},
                        Case{"/api/29/dataValueSets", "", "/api/dataValueSets", ""},
                        Case{"/api/42/analytics.csv", "", "/api/analytics", "format=csv"},
                        Case{"/api/analytics.csv", "dx=a", "/api/analytics", "dx=a&format=csv"},
                        Case{"/api/analytics.csv", "format=json", "/api/analytics", "format=json"},
                        Case{"/api/me.json", "", "/api/me", ""},
                        Case{"/api/units/12.json", "", "/api/units/12", ""},
                        Case{"/api/28/analytics", "", "/api/28/analytics", ""},
                        Case{"/api/43/analytics", "", "/api/43/analytics", ""},
                        Case{"/api/41", "", "/api/41", ""},
                        Case{"/api/.json", "", "/api/.json", ""},
                        Case{"/assets/app.json", "", "/assets/app.json", ""},
                        Case{"/api/41/41/analytics", "", "/api/41/analytics", ""}}) {
    Request r;
    r.path = c.path;
    r.query = c.query;
    normalize_dhis2_address(r);
    EXPECT_EQ(r.path, c.want_path) << c.path;
    EXPECT_EQ(r.query, c.want_query) << c.path << "?" << c.query;
  }
}

}  // namespace
}  // namespace qpan::http
