// The HTTP/1.1 server (see qpan/http.h): one strand per connection on an Asio thread pool.
// A connection feeds Beast's parser from its own read loop, so that every limit (header
// bytes, trailer, chunk lines, body) and every exception of the parser stays with that
// connection; once the header is read, the route decides before a byte of the body is read
// whether the body may come (admission, size) and where it goes (memory or a file).
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "http/compression.h"
#include "qpan/http.h"
#include "qpan/text.h"

namespace qpan::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// Beast keeps a field's name and value with 16-bit lengths and throws beyond them.
constexpr size_t kMaxHeaderLimit = 60 * 1024;
constexpr size_t kReadSize = 64 * 1024;
// Below about one packet, gzip saves no round trip and costs its header.
constexpr size_t kCompressFrom = 1400;
// Descriptors kept for everything but connections: the database and its journal, upload
// files, the listening socket, the event loop, logs.
constexpr rlim_t kDescriptorReserve = 128;
// After an answer that closes the connection, what the client still sends is read and
// dropped for this long: closing with unread data would reset the connection and could
// destroy the answer before the client reads it.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr auto kFirstAcceptPause = std::chrono::milliseconds(50);
constexpr auto kLongestAcceptPause = std::chrono::milliseconds(500);

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim_whitespace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Percent-decodes a path; nullopt when an escape is malformed or a control character
// (NUL among them) comes out.
std::optional<std::string> decode_path(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return std::nullopt;
      const int hi = hex_value(raw[i + 1]), lo = hex_value(raw[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
    out += c;
  }
  return out;
}

// The origin-form part of a request target: "/a?b" as it is, "http://host/a?b" (the
// absolute form, which servers must accept) as "/a?b"; nullopt for the other forms ("*",
// "host:443").
std::optional<std::string_view> origin_form(std::string_view target) {
  if (target.starts_with('/')) return target;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() && iequals(target.substr(0, scheme.size()), scheme)) {
      const std::string_view rest = target.substr(scheme.size());
      const size_t path = rest.find_first_of("/?");
      if (path == 0) return std::nullopt;  // no authority
      if (path == std::string_view::npos) return std::string_view("/");
      if (rest[path] == '?') return std::nullopt;  // "http://host?q": no path to serve
      return rest.substr(path);
    }
  }
  return std::nullopt;
}

Response bad_request(std::string_view why) {
  return error_response(400, "bad_request", "Yêu cầu HTTP không hợp lệ (malformed HTTP request): " + std::string(why));
}

Response header_too_large() {
  return error_response(431, "header_too_large",
                        "Phần đầu hoặc phần cuối yêu cầu quá lớn (request header, trailer or chunk line too large)");
}

Response body_too_large() {
  return error_response(413, "body_too_large", "Nội dung yêu cầu quá lớn (request body too large)");
}

// What decides where a request's body ends, and the fields a proxy in front could read
// otherwise than this server: a refusal, or nullopt when the header is sound (RFC 9112).
// Content-Length itself (malformed, negative, overflowing, conflicting copies) is Beast's.
std::optional<Response> check_header(const bhttp::request_header<>& header, const ServerOptions& options) {
  size_t fields = 0, hosts = 0;
  bool has_content_length = false;
  std::vector<std::string_view> codings;
  for (const auto& field : header) {
    ++fields;
    switch (field.name()) {
      case bhttp::field::host: ++hosts; break;
      case bhttp::field::content_length: has_content_length = true; break;
      case bhttp::field::transfer_encoding: {
        std::string_view rest = field.value();
        while (true) {
          const size_t comma = rest.find(',');
          const std::string_view coding = trim_whitespace(rest.substr(0, comma));
          if (!coding.empty()) codings.push_back(coding);
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
        break;
      }
      default: break;
    }
  }
  if (fields > options.max_header_fields) {
    return error_response(431, "header_too_large", "Quá nhiều trường tiêu đề (too many header fields)");
  }
  if (header.version() >= 11 && hosts != 1) return bad_request("a request needs exactly one Host field");
  if (codings.empty()) {
    if (header.find(bhttp::field::transfer_encoding) != header.end()) return bad_request("empty Transfer-Encoding");
    return std::nullopt;
  }
  // A request with a transfer coding has no other framing, and chunked must end it: anything
  // else leaves the body's end to guesswork (request smuggling behind a proxy).
  if (header.version() < 11) return bad_request("Transfer-Encoding in an HTTP/1.0 request");
  if (has_content_length) return bad_request("both Transfer-Encoding and Content-Length");
  if (!iequals(codings.back(), "chunked")) return bad_request("chunked must be the final transfer coding");
  if (codings.size() > 1) {
    for (size_t i = 0; i + 1 < codings.size(); ++i) {
      if (iequals(codings[i], "chunked")) return bad_request("chunked applied twice");
    }
    return error_response(501, "not_implemented",
                          "Mã hóa truyền tải không được hỗ trợ (transfer coding not implemented): " +
                              std::string(codings.front()));
  }
  return std::nullopt;
}

// Header fields that must come once: two copies could be read differently by a proxy and
// by this server (which Host, which credentials).
bool single_valued(std::string_view lower_case_name) {
  return lower_case_name == "host" || lower_case_name == "authorization" || lower_case_name == "proxy-authorization" ||
         lower_case_name == "content-type" || lower_case_name == "expect";
}

// Connections counted per address, IPv6 per /64: one client usually holds a whole prefix.
std::string address_key(const asio::ip::address& address) {
  if (address.is_v6()) {
    const asio::ip::address_v6 v6 = address.to_v6();
    if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
    asio::ip::address_v6::bytes_type bytes = v6.to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return asio::ip::address_v6(bytes).to_string() + "/64";
  }
  return address.to_string();
}

// Accept errors that belong to one connection (already gone, or a network error passed on
// by Linux): accepting the next one at once is right. Others (out of descriptors or
// memory) would fail again at once.
bool transient_accept_error(const beast::error_code& ec) {
  return ec == asio::error::connection_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::interrupted || ec == asio::error::would_block || ec == asio::error::try_again ||
         ec == asio::error::network_down || ec == asio::error::network_unreachable ||
         ec == asio::error::host_unreachable || ec == asio::error::no_protocol_option ||
         ec == asio::error::operation_not_supported ||
         ec == beast::error_code(EPROTO, beast::system_category()) ||
         ec == beast::error_code(EHOSTDOWN, beast::system_category()) ||
         ec == beast::error_code(ENONET, beast::system_category());
}

}  // namespace

class Session;

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, const Router& router, std::function<void(const Exchange&)> observe)
      : options_(std::move(options)), router_(router), observe_(std::move(observe)),
        acceptor_strand_(asio::make_strand(ioc_)), acceptor_(acceptor_strand_), accept_pause_(acceptor_strand_),
        signals_(ioc_) {
    options_.header_limit = std::clamp<size_t>(options_.header_limit, 256, kMaxHeaderLimit);
  }

  Status start();
  void run(bool handle_signals);
  void stop();
  uint16_t port() const { return port_; }
  size_t connection_limit() const { return connection_limit_; }
  size_t connections() const {
    std::lock_guard lock(sessions_mutex_);
    return sessions_.size();
  }

  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  asio::io_context& io_context() { return ioc_; }
  // The application's callback: whatever it throws stays here.
  void observe(const Exchange& e) const noexcept {
    if (!observe_) return;
    try {
      observe_(e);
    } catch (...) {
    }
  }
  bool stopping() const { return stopping_.load(); }
  void remove(const std::shared_ptr<Session>& s);

 private:
  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  // The connection's session, counted in, or nullptr (and the socket left as it is) when a
  // limit is reached.
  std::shared_ptr<Session> add(tcp::socket& socket, const asio::ip::address& remote);
  static void refuse(tcp::socket& socket);
  size_t descriptor_budget() const;

  ServerOptions options_;
  const Router& router_;
  std::function<void(const Exchange&)> observe_;
  asio::io_context ioc_;
  asio::strand<asio::io_context::executor_type> acceptor_strand_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_pause_;  // after an accept error that would come back at once
  std::chrono::milliseconds next_accept_pause_{0};
  asio::signal_set signals_;
  uint16_t port_ = 0;
  size_t connection_limit_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex sessions_mutex_;
  std::set<std::shared_ptr<Session>> sessions_;
  std::unordered_map<std::string, size_t> connections_by_address_;
};

// One connection: read a request, answer it, repeat while keep-alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::string remote, std::string address_key, HttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server), remote_(std::move(remote)), address_key_(std::move(address_key)),
        header_limit_(server.options().header_limit), accepted_(std::chrono::steady_clock::now()) {}

  const std::string& address_key() const { return address_key_; }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->guarded([&] { self->begin_request(/*first=*/true); });
    });
  }

  // From stop(): closes the connection unless a request is being read past its header or
  // answered; such a request finishes and then the connection closes.
  void close_if_idle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kHeader || self->phase_ == Phase::kLingering) {
        self->close();
      }
    });
  }

 private:
  enum class Phase : uint8_t {
    kIdle,       // kept alive, waiting for the first byte of the next request
    kHeader,     // reading a request line and header
    kBody,       // reading a body
    kHandling,   // a handler has the request
    kWriting,    // sending the answer
    kLingering,  // answered and closing: what the client still sends is dropped
    kClosed,
  };
  enum class Parsed : uint8_t { kNeedMore, kDone, kFailed };

  // Every completion handler of the connection runs through this: nothing in it is meant to
  // throw, and if something does all the same, this connection ends and no other.
  template <typename Step>
  void guarded(Step&& step) noexcept {
    try {
      step();
    } catch (...) {
      try {
        close();
      } catch (...) {
      }
    }
  }

  void begin_request(bool first) {
    if (server_.stopping()) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(header_limit_));
    parser_->body_limit(boost::none);  // the route sets it: the header alone must not fail on it
    parser_->eager(false);
    file_parser_.reset();
    request_ = Request{};
    response_ = Response{};
    match_ = Router::Match{};
    header_bytes_ = 0;
    bytes_in_ = 0;
    obs_fold_ = false;
    previous_header_char_ = '\n';
    if (first || buffer_.size() > 0) {
      start_header(first ? accepted_ : std::chrono::steady_clock::now());
    } else {
      phase_ = Phase::kIdle;
      buffer_.shrink_to_fit();  // an idle connection holds no buffer
    }
    parse_or_read();
  }

  void start_header(std::chrono::steady_clock::time_point since) {
    phase_ = Phase::kHeader;
    started_ = std::chrono::steady_clock::now();
    header_deadline_ = since + server_.options().header_timeout;
  }

  // Parses what the buffer holds, then reads more or goes on to the next step.
  void parse_or_read() {
    Parsed parsed = Parsed::kNeedMore;
    if (phase_ == Phase::kIdle && buffer_.size() > 0) start_header(std::chrono::steady_clock::now());
    if (phase_ == Phase::kHeader) {
      parsed = parse(*parser_);
      if (parsed == Parsed::kDone) return on_header();
    } else if (phase_ == Phase::kBody) {
      parsed = file_parser_ ? parse(*file_parser_) : parse(*parser_);
      if (parsed == Parsed::kDone) return on_body();
    }
    if (parsed == Parsed::kFailed) return;
    read_more();
  }

  // Feeds the buffer to the parser, at most header_limit bytes at a time: a chunk-size line
  // or a trailer section that does not fit in that much is refused, and the buffer never
  // holds more than header_limit + kReadSize bytes.
  template <typename Parser>
  Parsed parse(Parser& parser) {
    const bool header = phase_ == Phase::kHeader;
    if (!header && parser.is_done()) return Parsed::kDone;
    while (buffer_.size() > 0) {
      const size_t offered = std::min(buffer_.size(), header_limit_);
      const char* data = static_cast<const char*>(buffer_.data().data());
      beast::error_code ec;
      size_t used = 0;
      try {
        used = parser.put(asio::buffer(data, offered), ec);
      } catch (const std::exception&) {
        // Beast throws for what its containers cannot hold: a malformed request, not a
        // reason to stop serving.
        respond_and_close(bad_request("unreadable header field"));
        return Parsed::kFailed;
      }
      if (header) {
        note_header_bytes(std::string_view(data, used));
        header_bytes_ += used;
      }
      buffer_.consume(used);
      bytes_in_ += used;
      if (ec == bhttp::error::need_more) {
        if (used > 0) continue;
        if (offered == header_limit_) {
          respond_and_close(header_too_large());
          return Parsed::kFailed;
        }
        break;
      }
      if (ec) {
        refuse_unparsable(ec);
        return Parsed::kFailed;
      }
      if (header ? parser.is_header_done() : parser.is_done()) return Parsed::kDone;
      if (used == 0) break;
    }
    // Beast bounds the request line and the fields each on its own; together too here.
    if (header && header_bytes_ + buffer_.size() >= header_limit_) {
      respond_and_close(header_too_large());
      return Parsed::kFailed;
    }
    return Parsed::kNeedMore;
  }

  // Beast unfolds obs-fold (a field continued on a line starting with a space); a proxy in
  // front may not, so such a header is refused instead (RFC 9112 5.2).
  void note_header_bytes(std::string_view bytes) {
    for (char c : bytes) {
      if (previous_header_char_ == '\n' && (c == ' ' || c == '\t')) obs_fold_ = true;
      previous_header_char_ = c;
    }
  }

  void read_more() {
    switch (phase_) {
      case Phase::kIdle: stream_.expires_after(server_.options().idle_timeout); break;
      case Phase::kHeader: stream_.expires_at(header_deadline_); break;
      default: stream_.expires_after(server_.options().body_timeout); break;
    }
    stream_.async_read_some(buffer_.prepare(beast::read_size(buffer_, kReadSize)),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->guarded([&] { self->on_read(ec, n); });
                            });
  }

  void on_read(beast::error_code ec, size_t bytes) {
    if (phase_ == Phase::kClosed) return;
    buffer_.commit(bytes);
    // The end of the stream, a reset, a timeout or stop(): the client is gone or too slow,
    // and there is no one to answer.
    if (ec) return close();
    parse_or_read();
  }

  void refuse_unparsable(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) return respond_and_close(header_too_large());
    if (ec == bhttp::error::body_limit) return respond_and_close(body_too_large());
    respond_and_close(bad_request(ec.message()));
  }

  void on_header() {
    const auto& header = parser_->get();
    request_.method = std::string(header.method_string());
    request_.remote_address = remote_;
    if (obs_fold_) return respond_and_close(bad_request("obsolete line folding"));
    if (std::optional<Response> refusal = check_header(header, server_.options())) {
      return respond_and_close(std::move(*refusal));
    }
    const std::optional<std::string_view> target = origin_form(header.target());
    const size_t q = target ? target->find('?') : std::string_view::npos;
    std::optional<std::string> path = target ? decode_path(target->substr(0, q)) : std::nullopt;
    if (!path || path->empty() || path->front() != '/' || find_invalid_utf8(*path) != std::string::npos) {
      return respond_and_close(bad_request("Đường dẫn không hợp lệ (malformed request target)"));
    }
    request_.path = std::move(*path);
    if (q != std::string_view::npos) request_.query = std::string(target->substr(q + 1));
    for (const auto& field : header) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto [it, inserted] = request_.headers.try_emplace(name, field.value());
      if (inserted || field.name() == bhttp::field::content_length) continue;  // copies of one length: Beast's check
      if (single_valued(name)) return respond_and_close(bad_request("repeated header field " + name));
      // Repeated fields are one comma-separated list (RFC 9110 5.3); cookies join with "; ".
      it->second += name == "cookie" ? "; " : ", ";
      it->second += field.value();
    }
    keep_alive_ = header.keep_alive();
    const bool body_pending = !parser_->is_done();
    // An answer given before the body is read: the connection can go on only if there is no
    // body to skip.
    auto answer_now = [&](Response response) { respond(std::move(response), keep_alive_ && !body_pending); };

    match_ = server_.router().match(request_.method, request_.path);
    if (!match_.path_known && server_.router().rewrite()) {
      server_.router().rewrite()(request_);
      match_ = server_.router().match(request_.method, request_.path);
    }
    if (match_.route == nullptr) {
      const bool fallback = !match_.path_known && request_.method == "GET" && server_.router().fallback();
      if (!fallback) {
        return answer_now(match_.path_known
                              ? error_response(405, "method_not_allowed", "Phương thức không được hỗ trợ (method not allowed)")
                              : error_response(404, "not_found", "Không có đường dẫn này (no such route)"));
      }
      request_.route = "(static)";
    } else {
      request_.route = match_.route->pattern;
      request_.path_params = match_.params;
      if (!match_.route->is_public && server_.router().admission()) {
        std::optional<Response> refusal;
        try {
          refusal = server_.router().admission()(request_);
        } catch (...) {
          refusal = error_response(Status::internal("unexpected exception"));
        }
        if (refusal) return answer_now(std::move(*refusal));
      }
    }

    const bool upload = match_.route != nullptr && match_.route->body == BodyKind::kUpload;
    const uint64_t limit = upload ? server_.options().upload_limit : server_.options().body_limit;
    if (const auto declared = parser_->content_length(); declared && *declared > limit) {
      return respond_and_close(body_too_large());
    }
    if (upload) {
      upload_path_ = server_.options().upload_dir /
                     ("qpan-upload-" + std::to_string(::getpid()) + "-" + std::to_string(next_upload_id()));
      file_parser_.emplace(std::move(*parser_));
      file_parser_->body_limit(limit);
      file_parser_->eager(true);
      beast::error_code open_ec;
      // A new file only: in a shared temporary folder, a name made in advance (a link to
      // another file) must not be written through.
      file_parser_->get().body().open(upload_path_.c_str(), beast::file_mode::write_new, open_ec);
      if (open_ec) {
        upload_path_.clear();
        return respond_and_close(error_response(Status::io_error("cannot store the upload")));
      }
    } else {
      parser_->body_limit(limit);
      parser_->eager(true);
    }
    phase_ = Phase::kBody;
    // "Expect: 100-continue" (curl's large uploads): say go on before reading the body.
    if (body_pending && header.version() >= 11 && iequals(request_.header("expect"), "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(server_.options().write_timeout);
      asio::async_write(stream_, asio::buffer(kContinue), [self = shared_from_this()](beast::error_code ec, size_t) {
        self->guarded([&] {
          if (ec) return self->close();
          self->parse_or_read();
        });
      });
      return;
    }
    parse_or_read();
  }

  void on_body() {
    phase_ = Phase::kHandling;
    if (file_parser_) {
      file_parser_->get().body().close();
      request_.body_file = upload_path_;
    } else {
      request_.body = std::move(parser_->get().body());
    }
    keep_alive_ = file_parser_ ? file_parser_->get().keep_alive() : parser_->get().keep_alive();
    Response response;
    if (match_.route == nullptr) {
      response = call([&] { return server_.router().fallback()(request_); });
    } else if (match_.route->async_handler) {
      return call_async(*match_.route);
    } else {
      response = call([&] { return match_.route->handler(request_); });
    }
    finish(std::move(response));
  }

  // A handler's exception is a 500 that shows nothing of it.
  template <typename Handle>
  static Response call(Handle&& handle) {
    try {
      return handle();
    } catch (...) {
      return error_response(Status::internal("unexpected exception"));
    }
  }

  // The handler replies later, from another thread; the reply comes back to this
  // connection's strand. The work guard keeps the I/O threads running (through a graceful
  // stop too) until it has. Every copy of the reply shares one state, and the first call
  // takes the connection and the guard out of it: whichever thread drops the last copy
  // afterwards (the writer's) holds nothing of the server's.
  void call_async(const Route& route) {
    struct Pending {
      std::mutex mutex;
      std::shared_ptr<Session> session;
      // On the io_context itself, not the connection's strand: a guard released on another
      // thread must not hold the last reference to anything the io_context owns.
      std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    };
    auto pending = std::make_shared<Pending>();
    pending->session = shared_from_this();
    pending->work.emplace(server_.io_context().get_executor());
    Reply reply = [pending](std::function<Response()> make) {
      std::shared_ptr<Session> session;
      {
        std::lock_guard lock(pending->mutex);
        session = std::move(pending->session);
      }
      if (!session) return;  // replied already: exactly once
      {
        const asio::any_io_executor executor = session->stream_.get_executor();
        asio::post(executor, [session = std::move(session), make = std::move(make)] {
          session->guarded([&] { session->finish(call(make)); });
        });
      }  // nothing of the server's may outlive the guard on this thread
      std::lock_guard lock(pending->mutex);
      pending->work.reset();  // the posted reply keeps the I/O threads busy from now on
    };
    try {
      route.async_handler(request_, reply);
    } catch (...) {
      reply([] { return error_response(Status::internal("unexpected exception")); });
    }
  }

  void finish(Response response) {
    discard_upload();
    respond(std::move(response), keep_alive_ && !server_.stopping());
  }

  void respond_and_close(Response response) { respond(std::move(response), false); }

  void respond(Response response, bool keep_alive) {
    phase_ = Phase::kWriting;
    response_ = std::move(response);
    message_.emplace();
    try {
      build_message(keep_alive);
    } catch (...) {
      // A header the message cannot carry (a line break in a value, a value over 64 KiB).
      response_ = error_response(Status::internal("unsendable response"));
      message_.emplace();
      build_message(keep_alive);
    }
    serializer_.emplace(*message_);
    write_more(keep_alive);
  }

  void build_message(bool keep_alive) {
    bhttp::response<bhttp::string_body>& message = *message_;
    message.version(11);
    message.result(static_cast<unsigned>(response_.status));
    message.set(bhttp::field::server, "qpan");
    // A body-less answer (204) names no type: a client would try to parse it.
    if (!response_.content_type.empty()) message.set(bhttp::field::content_type, response_.content_type);
    // API answers are the data of one moment and one account: never kept, unless the
    // handler says otherwise (the web application's hashed files).
    if (!has_header(response_, "cache-control")) message.set(bhttp::field::cache_control, "no-store");
    message.set("X-Content-Type-Options", "nosniff");
    compress_if_taken(message);
    for (const auto& [name, value] : response_.headers) {
      // A line break from a handler would split the response in two.
      auto breaks = [](std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; };
      if (breaks(name) || breaks(value)) throw std::invalid_argument("line break in a response header");
      message.insert(name, value);
    }
    message.keep_alive(keep_alive);
    if (request_.method == "HEAD") {
      // The length of what a GET would get, and no body.
      message.content_length(response_.body.size());
    } else {
      message.body() = response_.body;
      message.prepare_payload();
    }
  }

  static bool has_header(const Response& response, std::string_view name) {
    return std::any_of(response.headers.begin(), response.headers.end(),
                       [&](const auto& h) { return iequals(h.first, name); });
  }

  // A text body of some size goes gzipped to a client that takes gzip (HEAD gets the length
  // of what GET would), unless the handler forbids it or encoded it itself.
  void compress_if_taken(bhttp::response<bhttp::string_body>& message) {
    if (!is_compressible_type(response_.content_type)) return;
    if (!has_header(response_, "vary")) message.set(bhttp::field::vary, "Accept-Encoding");
    if (!response_.may_compress || response_.body.size() < kCompressFrom || has_header(response_, "content-encoding") ||
        !accepts_gzip(request_.header("accept-encoding"))) {
      return;
    }
    if (std::optional<std::string> gzipped = gzip_compress(response_.body)) {
      response_.body = std::move(*gzipped);
      message.set(bhttp::field::content_encoding, "gzip");
    }
  }

  // Sends the response in pieces, each given write_timeout: a slow link gets a large answer
  // in full, a stalled reader is dropped.
  void write_more(bool keep_alive) {
    stream_.expires_after(server_.options().write_timeout);
    bhttp::async_write_some(stream_, *serializer_,
                            [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                              self->guarded([&] { self->on_written(ec, keep_alive); });
                            });
  }

  void on_written(beast::error_code ec, bool keep_alive) {
    if (!ec && !serializer_->is_done()) return write_more(keep_alive);
    server_.observe({request_, response_,
                     std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_),
                     bytes_in_});
    serializer_.reset();
    message_.reset();
    if (ec) return close();
    if (!keep_alive) return linger_and_close();
    begin_request(/*first=*/false);
  }

  void linger_and_close() {
    phase_ = Phase::kLingering;
    discard_upload();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    drop_incoming();
  }

  void drop_incoming() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(beast::read_size(buffer_, kReadSize)),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              self->guarded([&] {
                                if (ec || self->phase_ != Phase::kLingering) return self->close();
                                self->drop_incoming();
                              });
                            });
  }

  void discard_upload() {
    if (upload_path_.empty()) return;
    if (file_parser_) {
      beast::error_code ignored;
      file_parser_->get().body().file().close(ignored);
    }
    std::error_code ignored;
    std::filesystem::remove(upload_path_, ignored);
    upload_path_.clear();
  }

  void close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    discard_upload();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
    server_.remove(shared_from_this());
  }

  static uint64_t next_upload_id() {
    static std::atomic<uint64_t> id{0};
    return ++id;
  }

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  const std::string remote_;
  const std::string address_key_;
  const size_t header_limit_;
  const std::chrono::steady_clock::time_point accepted_;
  Phase phase_ = Phase::kIdle;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::request_parser<bhttp::file_body>> file_parser_;
  std::filesystem::path upload_path_;  // set while an upload's file exists
  size_t header_bytes_ = 0;
  bool obs_fold_ = false;
  char previous_header_char_ = '\n';
  std::chrono::steady_clock::time_point header_deadline_;
  Request request_;
  Response response_;
  std::optional<bhttp::response<bhttp::string_body>> message_;
  std::optional<bhttp::response_serializer<bhttp::string_body>> serializer_;
  Router::Match match_;
  bool keep_alive_ = false;
  size_t bytes_in_ = 0;
  std::chrono::steady_clock::time_point started_;
};

Status HttpServer::Impl::start() {
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options_.address, ec);
  if (ec) return Status::invalid_input("--listen: malformed address \"" + options_.address + "\"");
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::io_error("cannot listen on " + options_.address + ":" + std::to_string(options_.port) + ": " +
                            ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  connection_limit_ = descriptor_budget();
  asio::dispatch(acceptor_strand_, [this] { accept(); });
  return Status::ok();
}

// max_connections, or fewer when descriptors run out first. The soft limit is often a
// default of 1,024 kept for old select() programs, below the hard one: it is raised toward
// what the connections need, as Go's runtime does.
size_t HttpServer::Impl::descriptor_budget() const {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return options_.max_connections;
  const rlim_t wanted = static_cast<rlim_t>(options_.max_connections) + kDescriptorReserve;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted &&
      (limit.rlim_max == RLIM_INFINITY || limit.rlim_cur < limit.rlim_max)) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY) return options_.max_connections;
  const rlim_t usable = limit.rlim_cur > 2 * kDescriptorReserve ? limit.rlim_cur - kDescriptorReserve : limit.rlim_cur / 2;
  return std::min<size_t>(options_.max_connections, static_cast<size_t>(usable));
}

void HttpServer::Impl::accept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    try {
      on_accept(ec, std::move(socket));
    } catch (...) {
      accept();  // one connection's trouble (memory) is not the listener's
    }
  });
}

void HttpServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec && !transient_accept_error(ec)) {
    // Out of descriptors or memory: accepting again at once would fail again at once, a
    // loop at full CPU. Pause, longer each time, and say so once.
    if (next_accept_pause_.count() == 0) {
      std::fprintf(stderr, "qpan: cannot accept connections (%s); retrying every %lld-%lld ms\n", ec.message().c_str(),
                   static_cast<long long>(kFirstAcceptPause.count()), static_cast<long long>(kLongestAcceptPause.count()));
      next_accept_pause_ = kFirstAcceptPause;
    }
    accept_pause_.expires_after(next_accept_pause_);
    next_accept_pause_ = std::min(next_accept_pause_ * 2, std::chrono::milliseconds(kLongestAcceptPause));
    accept_pause_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping()) accept();
    });
    return;
  }
  if (!ec) {
    if (next_accept_pause_.count() != 0) {
      std::fprintf(stderr, "qpan: accepting connections again\n");
      next_accept_pause_ = std::chrono::milliseconds(0);
    }
    beast::error_code endpoint_ec;
    const tcp::endpoint remote = socket.remote_endpoint(endpoint_ec);
    if (!endpoint_ec) {  // else the client is gone already
      if (std::shared_ptr<Session> session = add(socket, remote.address())) {
        session->start();
      } else {
        refuse(socket);
      }
    }
  }
  accept();
}

void HttpServer::Impl::run(bool handle_signals) {
  if (handle_signals) {
    signals_.add(SIGTERM);
    signals_.add(SIGINT);
    signals_.async_wait([this](beast::error_code ec, int) {
      if (!ec) stop();
    });
  }
  // The last line of defence: a handler of the server's own that threw all the same ends
  // its own work, and the thread goes on serving (Asio allows run() to be called again).
  auto serve = [this] {
    while (true) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "qpan: unexpected exception in the HTTP server: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "qpan: unexpected exception in the HTTP server\n");
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.threads; ++i) threads.emplace_back(serve);
  serve();
  for (std::thread& t : threads) t.join();
}

void HttpServer::Impl::stop() {
  if (stopping_.exchange(true)) return;
  asio::post(acceptor_strand_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    accept_pause_.cancel();
    signals_.cancel(ec);
    std::lock_guard lock(sessions_mutex_);
    for (const auto& s : sessions_) s->close_if_idle();
  });
}

std::shared_ptr<Session> HttpServer::Impl::add(tcp::socket& socket, const asio::ip::address& remote) {
  std::string key = address_key(remote);
  std::lock_guard lock(sessions_mutex_);
  if (sessions_.size() >= connection_limit_) return nullptr;
  auto from_address = connections_by_address_.find(key);
  if (options_.max_connections_per_address != 0 && from_address != connections_by_address_.end() &&
      from_address->second >= options_.max_connections_per_address) {
    return nullptr;
  }
  auto session = std::make_shared<Session>(std::move(socket), remote.to_string(), key, *this);
  ++connections_by_address_[std::move(key)];
  sessions_.insert(session);
  return session;
}

// Over a limit: a 503 written without waiting and without reading the request (one send,
// into the socket's own buffer), then the connection closes at once.
void HttpServer::Impl::refuse(tcp::socket& socket) {
  static const std::string kBusy = [] {
    const std::string body =
        error_response(503, "too_many_connections", "Máy chủ đang quá tải, hãy thử lại sau (too many connections)").body;
    return "HTTP/1.1 503 Service Unavailable\r\nServer: qpan\r\nContent-Type: application/json; charset=utf-8\r\n"
           "Retry-After: 5\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  beast::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.send(asio::buffer(kBusy), 0, ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

void HttpServer::Impl::remove(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(sessions_mutex_);
  if (sessions_.erase(s) == 0) return;
  auto it = connections_by_address_.find(s->address_key());
  if (it != connections_by_address_.end() && --it->second == 0) connections_by_address_.erase(it);
}

HttpServer::HttpServer(ServerOptions options, const Router& router, std::function<void(const Exchange&)> observe)
    : impl_(std::make_unique<Impl>(std::move(options), router, std::move(observe))) {}
HttpServer::~HttpServer() = default;
Status HttpServer::start() { return impl_->start(); }
uint16_t HttpServer::port() const { return impl_->port(); }
size_t HttpServer::connection_limit() const { return impl_->connection_limit(); }
size_t HttpServer::connections() const { return impl_->connections(); }
void HttpServer::run(bool handle_signals) { impl_->run(handle_signals); }
void HttpServer::stop() { impl_->stop(); }

}  // namespace qpan::http
