// Hostile requests sent as raw bytes to a running HttpServer: each row of the table says
// what the server must answer (or that it answers nothing) and whether it must close the
// connection; after every row a new connection's GET /healthz must still get 200 and no
// upload may be left on disk. Also slow-loris headers, connection limits (total and per
// address) and accept errors (out of descriptors) that must not make the server spin.
#include "qpan/http.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace qpan::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr const char* kAuth = "Authorization: Bearer good\r\n";

struct Answer {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// The answers in what a connection received, in order; a truncated last one is dropped.
std::vector<Answer> split_answers(std::string_view in) {
  std::vector<Answer> out;
  while (in.size() > 12 && in.starts_with("HTTP/1.1 ")) {
    const size_t end = in.find("\r\n\r\n");
    if (end == std::string_view::npos) break;
    Answer a;
    a.status = std::stoi(std::string(in.substr(9, 3)));
    const std::string_view head = in.substr(0, end);
    for (size_t p = head.find("\r\n"); p != std::string_view::npos; p = head.find("\r\n", p + 2)) {
      const size_t next = head.find("\r\n", p + 2);
      const std::string_view line = head.substr(p + 2, next == std::string_view::npos ? std::string_view::npos : next - p - 2);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      a.headers[name] = std::string(line.substr(colon + 2));
    }
    const size_t length = a.headers.contains("content-length") ? std::stoul(a.headers["content-length"]) : 0;
    if (in.size() < end + 4 + length) break;
    a.body = std::string(in.substr(end + 4, length));
    in.remove_prefix(end + 4 + length);
    out.push_back(std::move(a));
  }
  return out;
}

enum class Received : uint8_t { kSome, kEnd, kTimeout };

// One recv() on a blocking socket: Asio's own blocking reads wait on past SO_RCVTIMEO.
Received receive(int fd, std::string& out) {
  char buf[8192];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n > 0) {
    out.append(buf, static_cast<size_t>(n));
    return Received::kSome;
  }
  if (n == 0 || errno == ECONNRESET) return Received::kEnd;
  return errno == EINTR ? Received::kSome : Received::kTimeout;
}

// A blocking client connection with a receive timeout.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port, const char* from = nullptr) : socket_(ioc_) {
    socket_.open(tcp::v4());
    if (from != nullptr) socket_.bind({asio::ip::make_address(from), 0});
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    set_receive_timeout(5s);
  }

  void set_receive_timeout(std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  // Writes what it can: the server may close before taking it all.
  void send(std::string_view bytes) {
    boost::system::error_code ignored;
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ignored);
  }
  void finish_sending() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Reads until the server closes (true) or the receive timeout passes (false).
  bool read_to_end(std::string& out) {
    while (true) {
      const Received r = receive(socket_.native_handle(), out);
      if (r == Received::kEnd) return true;
      if (r == Received::kTimeout) return false;
    }
  }

  // Reads until `count` answers are complete (or the connection ends or times out).
  std::vector<Answer> read_answers(size_t count) {
    std::string in;
    while (split_answers(in).size() < count && receive(socket_.native_handle(), in) == Received::kSome) {
    }
    return split_answers(in);
  }

  void close() { socket_.close(); }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
};

class HostileRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upload_dir_ = std::filesystem::temp_directory_path() / ("qpan-hostile-" + std::to_string(::getpid()));
    std::filesystem::remove_all(upload_dir_);
    std::filesystem::create_directories(upload_dir_);
    router_.add("GET", "/healthz", [](Request&) { return json_response(200, boost::json::object{{"status", "ok"}}); })
        .is_public = true;
    router_.add("POST", "/api/buffered", [](Request& r) {
      return json_response(200, boost::json::object{{"bytes", r.body.size()}, {"head", r.body.substr(0, 5)}});
    });
    router_.add("POST", "/api/upload", [this](Request& r) {
      ++uploads_handled_;
      return json_response(200, boost::json::object{{"bytes", std::filesystem::file_size(*r.body_file)}});
    }, BodyKind::kUpload);
    router_.add_async("GET", "/api/async", [](Request&, Reply reply) {
      std::thread([reply] { reply([] { return json_response(200, boost::json::object{{"async", true}}); }); }).detach();
    });
    router_.set_admission([](Request& r) -> std::optional<Response> {
      if (r.header("authorization") == "Bearer good") return std::nullopt;
      return error_response(401, "unauthenticated", "not logged in");
    });
  }

  void TearDown() override {
    stop_server();
    std::filesystem::remove_all(upload_dir_);
  }

  void start_server(ServerOptions options) {
    options.port = 0;
    options.upload_dir = upload_dir_;
    server_ = std::make_unique<HttpServer>(options, router_);
    ASSERT_TRUE(server_->start().is_ok());
    thread_ = std::thread([this] { server_->run(); });
  }

  void stop_server() {
    if (!server_) return;
    server_->stop();
    thread_.join();
    server_.reset();
  }

  static ServerOptions small_limits() {
    ServerOptions options;
    options.header_limit = 4096;
    options.max_header_fields = 50;
    options.body_limit = 1000;
    options.upload_limit = 100000;
    return options;
  }

  int healthz(const char* from = nullptr) {
    RawConnection c(server_->port(), from);
    c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const std::vector<Answer> answers = c.read_answers(1);
    return answers.empty() ? 0 : answers[0].status;
  }

  size_t files_left() const {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(upload_dir_),
                                             std::filesystem::directory_iterator()));
  }

  // Waits (briefly) until the server counts `n` open connections.
  bool wait_for_connections(size_t n) {
    for (int i = 0; i < 300 && server_->connections() != n; ++i) std::this_thread::sleep_for(10ms);
    return server_->connections() == n;
  }

  std::filesystem::path upload_dir_;
  Router router_;
  std::atomic<int> uploads_handled_{0};
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

struct Row {
  std::string name;
  std::string bytes;
  int status;                // the first answer's status; 0: none, the connection just ends
  bool closes = true;        // false: the connection goes on (a GET /healthz on it is answered)
  bool half_close = false;   // the client stops sending after `bytes`
  size_t answers = 1;        // how many answers `bytes` get (pipelined requests after a refusal get none)
};

std::string post(const std::string& target, const std::string& headers, const std::string& body = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: x\r\n" + kAuth + headers + "\r\n" + body;
}
std::string chunked(const std::string& target, const std::string& chunks) {
  return post(target, "Transfer-Encoding: chunked\r\n", chunks);
}
std::string get(const std::string& target, const std::string& headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n";
}
std::string many_chunks(size_t count, char c) {
  std::string out;
  for (size_t i = 0; i < count; ++i) out += std::string("1\r\n") + c + "\r\n";
  return out + "0\r\n\r\n";
}

TEST_F(HostileRequestTest, EveryRowIsRefusedAndTheServerGoesOn) {
  start_server(small_limits());
  const std::string big_trailer = "X-Trailer: " + std::string(70000, 't') + "\r\n";
  std::string many_trailers;
  for (int i = 0; i < 10; ++i) many_trailers += "X-T" + std::to_string(i) + ": " + std::string(1000, 't') + "\r\n";
  std::string many_fields;
  for (int i = 0; i < 60; ++i) many_fields += "X-F" + std::to_string(i) + ": 1\r\n";
  const std::string healthz_pipelined = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

  const std::vector<Row> rows{
      // Sound requests first: the harness itself.
      {"plain get", get("/healthz"), 200, false},
      {"buffered body", post("/api/buffered", "Content-Length: 5\r\n", "hello"), 200, false},
      {"chunked body with a small trailer", chunked("/api/buffered", "5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n"), 200, false},
      {"chunked, case-insensitive", post("/api/buffered", "Transfer-Encoding: ChUnKeD\r\n", "5\r\nhello\r\n0\r\n\r\n"), 200, false},
      {"chunk extension", chunked("/api/buffered", "5;name=\"value\"\r\nhello\r\n0\r\n\r\n"), 200, false},
      {"upload", post("/api/upload", "Content-Length: 5\r\n", "hello"), 200, false},
      {"async", get("/api/async", kAuth), 200, false},
      {"absolute-form target", "GET http://x/healthz HTTP/1.1\r\nHost: x\r\n\r\n", 200, false},

      // Trailers fall under the header limit.
      {"giant trailer field", chunked("/api/buffered", "5\r\nhello\r\n0\r\n" + big_trailer + "\r\n"), 431},
      {"giant trailer on an upload", chunked("/api/upload", "5\r\nhello\r\n0\r\n" + big_trailer + "\r\n"), 431},
      {"trailer section over the limit", chunked("/api/buffered", "5\r\nhello\r\n0\r\n" + many_trailers + "\r\n"), 431},

      // Transfer codings: only exactly "chunked", never with Content-Length.
      {"xchunked", post("/api/buffered", "Transfer-Encoding: xchunked\r\n", healthz_pipelined), 400},
      {"chunked, gzip", post("/api/buffered", "Transfer-Encoding: chunked, gzip\r\n", "5\r\nhello\r\n0\r\n\r\n"), 400},
      {"gzip", post("/api/buffered", "Transfer-Encoding: gzip\r\n", "hello"), 400},
      {"gzip, chunked", post("/api/buffered", "Transfer-Encoding: gzip, chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), 501},
      {"identity", post("/api/buffered", "Transfer-Encoding: identity\r\nContent-Length: 5\r\n", "hello"), 400},
      {"TE then CL", post("/api/buffered", "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", "5\r\nhello\r\n0\r\n\r\n"), 400},
      {"CL then TE", post("/api/buffered", "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), 400},
      {"unknown TE with CL", post("/api/buffered", "Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n", "hello"), 400},
      {"duplicate TE", post("/api/buffered", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), 400},
      {"TE gzip then TE chunked", post("/api/buffered", "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 501},
      {"TE chunked then TE gzip", post("/api/buffered", "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", "0\r\n\r\n"), 400},
      {"empty TE", post("/api/buffered", "Transfer-Encoding: \r\n", ""), 400},
      {"TE in HTTP/1.0", "POST /api/buffered HTTP/1.0\r\nHost: x\r\nAuthorization: Bearer good\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},

      // Content-Length.
      {"two equal lengths", post("/api/buffered", "Content-Length: 5\r\nContent-Length: 5\r\n", "hello"), 200, false},
      {"conflicting lengths", post("/api/buffered", "Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"), 400},
      {"conflicting length list", post("/api/buffered", "Content-Length: 5, 6\r\n", "hello!"), 400},
      {"negative length", post("/api/buffered", "Content-Length: -1\r\n", "hello"), 400},
      {"overflowing length", post("/api/buffered", "Content-Length: 99999999999999999999999\r\n", "hello"), 400},
      {"hex length", post("/api/buffered", "Content-Length: 0x10\r\n", "hello"), 400},
      {"length over the body limit", post("/api/buffered", "Content-Length: 5000\r\n", "hello"), 413},
      {"length over the upload limit", post("/api/upload", "Content-Length: 200000\r\n", "hello"), 413},

      // Chunks.
      {"non-hex chunk size", chunked("/api/buffered", "zz\r\nhello\r\n0\r\n\r\n"), 400},
      {"overflowing chunk size", chunked("/api/buffered", "FFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n"), 400},
      {"chunk without its CRLF", chunked("/api/buffered", "5\r\nhelloX0\r\n\r\n"), 400},
      {"chunk size line over the limit", chunked("/api/buffered", "1;" + std::string(10000, 'e') + "\r\nx\r\n0\r\n\r\n"), 431},
      {"chunk over the body limit", chunked("/api/buffered", "1000\r\n" + std::string(4096, 'c') + "\r\n0\r\n\r\n"), 413},
      {"tiny chunks over the body limit", chunked("/api/buffered", many_chunks(1200, 'c')), 413},
      {"tiny chunks within the body limit", chunked("/api/buffered", many_chunks(900, 'c')), 200, false},
      {"chunks over the upload limit", chunked("/api/upload", "10000\r\n" + std::string(65536, 'u') + "\r\n10000\r\n" + std::string(65536, 'u') + "\r\n0\r\n\r\n"), 413},

      // Header syntax.
      {"header over the limit", get("/healthz", "X-Big: " + std::string(5000, 'a') + "\r\n"), 431},
      {"too many header fields", get("/healthz", many_fields), 431},
      {"line and fields together over the limit", get("/healthz?" + std::string(2500, 'q'), "X-A: " + std::string(2500, 'a') + "\r\n"), 431},
      {"line without colon", get("/healthz", "NoColonHere\r\n"), 400},
      {"obs-fold", get("/healthz", "X-Folded: a\r\n b\r\n"), 400},
      {"obs-fold hiding a transfer coding", post("/api/buffered", "Transfer-Encoding: gzip\r\n ,chunked\r\n", "0\r\n\r\n"), 400},
      {"bare LF", "GET /healthz HTTP/1.1\nHost: x\n\n", 400},
      {"bare LF in a field", "GET /healthz HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n", 400},
      {"bare CR", "GET /healthz HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n", 400},
      {"NUL in a field", get("/healthz", std::string("X-A: a\0b\r\n", 10)), 400},
      {"space before the colon", get("/healthz", "X-A : b\r\n"), 400},
      {"no Host", "GET /healthz HTTP/1.1\r\n\r\n", 400},
      {"two Hosts", get("/healthz", "Host: y\r\n"), 400},
      {"two Authorizations", post("/api/buffered", "Authorization: Bearer other\r\nContent-Length: 0\r\n"), 400},

      // Request lines.
      {"garbage", "GARBAGE\r\n\r\n", 400},
      {"TLS client hello", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + std::string(64, 'r'), 400},
      {"asterisk target", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"authority target", "CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"very long URL", get("/healthz?" + std::string(5000, 'q')), 431},
      {"bad percent escape", get("/heal%zzthz"), 400},
      {"truncated percent escape", get("/healthz%"), 400},
      {"percent-encoded NUL", get("/healthz%00"), 400},
      {"percent-encoded invalid UTF-8", get("/%C3%28"), 400},
      {"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400},
      {"HTTP/0.9", "GET /healthz\r\n\r\n", 400},
      {"HTTP/3.0", "GET /healthz HTTP/3.0\r\nHost: x\r\n\r\n", 400},
      {"long method", std::string(3000, 'M') + " /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 405, false},
      {"leading empty line", "\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400},

      // Bodies that end early, and what comes after a refusal.
      {"body shorter than its length", post("/api/buffered", "Content-Length: 100\r\n", "abc"), 0, true, true},
      {"upload shorter than its length", post("/api/upload", "Content-Length: 50000\r\n", std::string(20000, 'u')), 0, true, true},
      {"chunked body cut off", chunked("/api/upload", "10\r\n0123456789"), 0, true, true},
      {"refused upload, pipelined request",
       "POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + healthz_pipelined, 401},
      {"too large, pipelined request", post("/api/buffered", "Content-Length: 2000\r\n", std::string(2000, 'b')) + healthz_pipelined, 413},
      {"bad framing, pipelined request",
       post("/api/buffered", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n") + healthz_pipelined, 400},
      {"refused request without a body, pipelined request",
       "GET /api/async HTTP/1.1\r\nHost: x\r\n\r\n" + healthz_pipelined, 401, false, false, 2},
      {"unknown route without a body, pipelined request", get("/nowhere") + healthz_pipelined, 404, false, false, 2},
      {"unknown route with a body", "POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + healthz_pipelined, 404},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const int uploads_before = uploads_handled_.load();
    RawConnection c(server_->port());
    c.send(row.bytes);
    if (row.half_close) c.finish_sending();
    std::vector<Answer> answers;
    if (row.closes) {
      std::string in;
      EXPECT_TRUE(c.read_to_end(in)) << "the connection stays open";
      answers = split_answers(in);
    } else {
      // The connection goes on: one more request on it is answered too.
      c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      answers = c.read_answers(row.answers + 1);
      EXPECT_EQ(answers.size(), row.answers + 1);
      if (!answers.empty()) {
        EXPECT_EQ(answers.back().status, 200);
        answers.pop_back();
      }
    }
    const size_t expected_answers = row.status == 0 ? 0 : row.answers;
    EXPECT_EQ(answers.size(), expected_answers);
    if (row.status != 0 && !answers.empty()) {
      EXPECT_EQ(answers[0].status, row.status) << answers[0].body;
      if (row.status >= 400) {
        EXPECT_NO_THROW(boost::json::parse(answers[0].body).at("error")) << answers[0].body;
      }
      if (row.closes) {
        EXPECT_EQ(answers[0].headers["connection"], "close");
      }
    }
    if (row.status != 200) {
      EXPECT_EQ(uploads_handled_.load(), uploads_before) << "an upload handler ran";
    }
    EXPECT_EQ(healthz(), 200);
    EXPECT_EQ(files_left(), 0u);
  }
}

TEST_F(HostileRequestTest, SlowHeadersAreCutOffAtTheHeaderTimeout) {
  ServerOptions options = small_limits();
  options.header_timeout = 500ms;
  start_server(options);
  RawConnection c(server_->port());
  const auto started = std::chrono::steady_clock::now();
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(100, 's') + "\r\n\r\n";
  bool closed = false;
  c.set_receive_timeout(100ms);
  for (char byte : request) {
    c.send(std::string_view(&byte, 1));
    std::string in;
    if (c.read_to_end(in)) {
      EXPECT_EQ(in, "");  // closed without an answer
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_EQ(healthz(), 200);

  // A new connection that sends nothing is closed too; a kept-alive one has the idle timeout.
  RawConnection silent(server_->port());
  std::string in;
  EXPECT_TRUE(silent.read_to_end(in));
  EXPECT_EQ(in, "");
}

TEST_F(HostileRequestTest, IdleKeptAliveConnectionsCloseAfterTheIdleTimeout) {
  ServerOptions options = small_limits();
  options.idle_timeout = 300ms;
  start_server(options);
  RawConnection c(server_->port());
  c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(c.read_answers(1).size(), 1u);
  const auto answered = std::chrono::steady_clock::now();
  std::string in;
  EXPECT_TRUE(c.read_to_end(in));
  EXPECT_EQ(in, "");
  EXPECT_GE(std::chrono::steady_clock::now() - answered, 250ms);
  EXPECT_TRUE(wait_for_connections(0));
}

TEST_F(HostileRequestTest, ConnectionsOverTheLimitsAreRefusedAndTheServerRecovers) {
  ServerOptions options = small_limits();
  options.max_connections = 40;
  options.max_connections_per_address = 30;
  start_server(options);
  EXPECT_EQ(server_->connection_limit(), 40u);

  // Idle connections from one address, far over its limit: the first 30 are kept open.
  std::vector<std::unique_ptr<RawConnection>> idle;
  size_t refused = 0;
  for (int i = 0; i < 100; ++i) {
    idle.push_back(std::make_unique<RawConnection>(server_->port(), "127.0.0.1"));
    if (i < 30) continue;
    const std::vector<Answer> answers = idle.back()->read_answers(1);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].status, 503);
    ++refused;
  }
  EXPECT_EQ(refused, 70u);
  ASSERT_TRUE(wait_for_connections(30));
  EXPECT_EQ(healthz("127.0.0.1"), 503);  // the address is at its limit
  EXPECT_EQ(healthz("127.0.0.2"), 200);  // another is not
  ASSERT_TRUE(wait_for_connections(30));  // the server has seen that one end too

  // Other addresses fill the total; then nobody gets in.
  for (int i = 0; i < 10; ++i) idle.push_back(std::make_unique<RawConnection>(server_->port(), "127.0.0.2"));
  ASSERT_TRUE(wait_for_connections(40));
  EXPECT_EQ(healthz("127.0.0.3"), 503);

  // Once some close, new connections are served again.
  for (int i = 0; i < 5; ++i) idle[static_cast<size_t>(i)]->close();
  ASSERT_TRUE(wait_for_connections(35));
  EXPECT_EQ(healthz("127.0.0.3"), 200);
  EXPECT_EQ(healthz("127.0.0.1"), 200);
}

TEST_F(HostileRequestTest, ConnectionLimitStaysWithinTheDescriptorLimit) {
  ServerOptions options = small_limits();
  options.max_connections = 1'000'000'000;
  start_server(options);
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur != RLIM_INFINITY) {
    EXPECT_LE(server_->connection_limit(), limit.rlim_cur - 128);
    EXPECT_GT(server_->connection_limit(), 0u);
  }
  EXPECT_EQ(healthz(), 200);
}

// Out of descriptors, accept() fails at once for as long as connections wait: the server
// must pause between attempts instead of spinning, and accept again once it can.
TEST_F(HostileRequestTest, AcceptErrorsAreBackedOffNotSpun) {
  start_server(small_limits());
  // The server's threads run, have served once, and are done with that connection before
  // descriptors run out: UBSan checks a type it meets for the first time through a pipe,
  // which it could not open then.
  ASSERT_EQ(healthz(), 200);
  ASSERT_TRUE(wait_for_connections(0));
  std::this_thread::sleep_for(100ms);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<tcp::socket> waiting;
  for (int i = 0; i < 3; ++i) {  // opened now: connecting needs no new descriptor
    contexts.push_back(std::make_unique<asio::io_context>());
    waiting.emplace_back(*contexts.back()).open(tcp::v4());
  }
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  const int lowest_free = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(lowest_free, 0);
  ::close(lowest_free);
  rlimit lowered = saved;
  lowered.rlim_cur = static_cast<rlim_t>(lowest_free);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  for (tcp::socket& s : waiting) {
    s.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    const timeval five_seconds{5, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &five_seconds, sizeof five_seconds);
  }

  rusage before{}, after{};
  ::getrusage(RUSAGE_SELF, &before);
  std::this_thread::sleep_for(1s);
  ::getrusage(RUSAGE_SELF, &after);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  auto cpu = [](const rusage& u) {
    return std::chrono::seconds(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           std::chrono::microseconds(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
  };
  EXPECT_LT(cpu(after) - cpu(before), 400ms) << "the accept loop spins";

  // The connections that waited are served once descriptors are free again.
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  for (tcp::socket& s : waiting) {
    asio::write(s, asio::buffer(request));
    std::string in;
    while (receive(s.native_handle(), in) == Received::kSome) {
    }
    const std::vector<Answer> answers = split_answers(in);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].status, 200);
  }
}

}  // namespace
}  // namespace qpan::http
