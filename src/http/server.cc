// The HTTP/1.1 server (see qpan/http.h): one strand per connection on an Asio thread pool,
// requests read header first so the route decides where the body goes (memory or a file).
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

#include "qpan/http.h"
#include "qpan/text.h"

namespace qpan::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a path; nullopt when an escape is malformed.
std::optional<std::string> decode_path(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out += raw[i];
      continue;
    }
    if (i + 2 >= raw.size()) return std::nullopt;
    const int hi = hex_value(raw[i + 1]), lo = hex_value(raw[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace

class Session;

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, const Router& router, std::function<void(const Exchange&)> observe)
      : options_(std::move(options)), router_(router), observe_(std::move(observe)), acceptor_(ioc_),
        signals_(ioc_) {}

  Status start();
  void run(bool handle_signals);
  void stop();
  uint16_t port() const { return port_; }

  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  asio::io_context& io_context() { return ioc_; }
  void observe(const Exchange& e) const {
    if (observe_) observe_(e);
  }
  bool stopping() const { return stopping_.load(); }
  void add(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(sessions_mutex_);
    sessions_.insert(s);
  }
  void remove(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(sessions_mutex_);
    sessions_.erase(s);
  }

 private:
  void accept();

  ServerOptions options_;
  const Router& router_;
  std::function<void(const Exchange&)> observe_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex sessions_mutex_;
  std::set<std::shared_ptr<Session>> sessions_;
};

// One connection: read a request, answer it, repeat while keep-alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server) : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    const auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  // From stop(): closes the connection if it waits for a new request; a request in flight
  // finishes and then the connection closes.
  void close_if_idle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->close();
    });
  }

 private:
  void read_header() {
    if (server_.stopping()) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options().header_limit));
    // The route (known after the header) decides the real limit; a declared length above
    // the larger one fails already while the header is read.
    parser_->body_limit(std::max(server_.options().body_limit, server_.options().upload_limit));
    file_parser_.reset();
    idle_ = true;
    started_ = std::chrono::steady_clock::now();
    stream_.expires_after(server_.options().read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t n) { self->on_header(ec, n); });
  }

  void on_header(beast::error_code ec, size_t bytes) {
    idle_ = false;
    bytes_in_ = bytes;
    if (ec) return on_read_error(ec);
    const auto& header = parser_->get();
    request_ = Request{};
    request_.method = std::string(header.method_string());
    request_.remote_address = remote_;
    const std::string_view target = header.target();
    const size_t q = target.find('?');
    std::optional<std::string> path = decode_path(target.substr(0, q));
    if (!path || path->empty() || path->front() != '/' || find_invalid_utf8(*path) != std::string::npos) {
      return respond_and_close(error_response(400, "bad_request", "Đường dẫn không hợp lệ (malformed request target)"));
    }
    request_.path = std::move(*path);
    if (q != std::string_view::npos) request_.query = std::string(target.substr(q + 1));
    for (const auto& field : header) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request_.headers[std::move(name)] = std::string(field.value());
    }
    match_ = server_.router().match(request_.method, request_.path);
    keep_alive_ = header.keep_alive();

    if (match_.route != nullptr && match_.route->body == BodyKind::kUpload) {
      upload_path_ = server_.options().upload_dir /
                     ("qpan-upload-" + std::to_string(::getpid()) + "-" + std::to_string(next_upload_id()));
      file_parser_.emplace(std::move(*parser_));
      file_parser_->body_limit(server_.options().upload_limit);
      beast::error_code open_ec;
      file_parser_->get().body().open(upload_path_.c_str(), beast::file_mode::write, open_ec);
      if (open_ec) return respond_and_close(error_response(Status::io_error("cannot store the upload")));
      continue_if_expected([self = shared_from_this()] {
        bhttp::async_read(self->stream_, self->buffer_, *self->file_parser_,
                          [self](beast::error_code ec, size_t n) { self->on_body(ec, n); });
      });
      return;
    }
    const auto declared = parser_->content_length();
    if (declared && *declared > server_.options().body_limit) {
      return on_read_error(bhttp::error::body_limit);
    }
    parser_->body_limit(server_.options().body_limit);
    continue_if_expected([self = shared_from_this()] {
      bhttp::async_read(self->stream_, self->buffer_, *self->parser_,
                        [self](beast::error_code ec, size_t n) { self->on_body(ec, n); });
    });
  }

  // "Expect: 100-continue" (curl's large uploads): say go on before reading the body.
  template <typename Next>
  void continue_if_expected(Next next) {
    if (request_.header("expect") != "100-continue") return next();
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(kContinue),
                      [self = shared_from_this(), next](beast::error_code ec, size_t) {
                        if (ec) return self->close();
                        next();
                      });
  }

  void on_body(beast::error_code ec, size_t bytes) {
    bytes_in_ += bytes;
    if (ec) return on_read_error(ec);
    if (file_parser_) {
      file_parser_->get().body().close();
      request_.body_file = upload_path_;
    } else {
      request_.body = std::move(parser_->get().body());
    }
    keep_alive_ = file_parser_ ? file_parser_->get().keep_alive() : parser_->get().keep_alive();
    Response response;
    if (match_.route == nullptr && !match_.path_known && request_.method == "GET" && server_.router().fallback()) {
      request_.route = "(static)";
      try {
        response = server_.router().fallback()(request_);
      } catch (const std::exception&) {
        response = error_response(Status::internal("unexpected exception"));
      }
    } else if (match_.route == nullptr) {
      response = match_.path_known
                     ? error_response(405, "method_not_allowed", "Phương thức không được hỗ trợ (method not allowed)")
                     : error_response(404, "not_found", "Không có đường dẫn này (no such route)");
    } else {
      request_.path_params = match_.params;
      request_.route = match_.route->pattern;
      if (match_.route->async_handler) return call_async(*match_.route);
      try {
        response = match_.route->handler(request_);
      } catch (const std::exception&) {
        response = error_response(Status::internal("unexpected exception"));
      }
    }
    finish(std::move(response));
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
          Response response;
          try {
            response = make();
          } catch (const std::exception&) {
            response = error_response(Status::internal("unexpected exception"));
          }
          session->finish(std::move(response));
        });
      }  // nothing of the server's may outlive the guard on this thread
      std::lock_guard lock(pending->mutex);
      pending->work.reset();  // the posted reply keeps the I/O threads busy from now on
    };
    try {
      route.async_handler(request_, reply);
    } catch (const std::exception&) {
      reply([] { return error_response(Status::internal("unexpected exception")); });
    }
  }

  void finish(Response response) {
    if (request_.body_file) {
      std::error_code ignored;
      std::filesystem::remove(*request_.body_file, ignored);
    }
    respond(std::move(response), keep_alive_ && !server_.stopping());
  }

  void on_read_error(beast::error_code ec) {
    if (!upload_path_.empty()) {
      std::error_code ignored;
      std::filesystem::remove(upload_path_, ignored);
      upload_path_.clear();
    }
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec == beast::error::timeout) {
      return close();
    }
    if (ec == bhttp::error::partial_message) return close();  // the peer went away mid-request
    if (ec == bhttp::error::header_limit) {
      return respond_and_close(error_response(431, "header_too_large", "Phần đầu yêu cầu quá lớn (request header too large)"));
    }
    if (ec == bhttp::error::body_limit) {
      return respond_and_close(error_response(413, "body_too_large", "Nội dung yêu cầu quá lớn (request body too large)"));
    }
    respond_and_close(error_response(400, "bad_request", "Yêu cầu HTTP không hợp lệ (malformed HTTP request): " + ec.message()));
  }

  void respond_and_close(Response response) { respond(std::move(response), false); }

  void respond(Response response, bool keep_alive) {
    response_ = std::move(response);
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>();
    message->version(11);
    message->result(static_cast<unsigned>(response_.status));
    message->set(bhttp::field::server, "qpan");
    message->set(bhttp::field::content_type, response_.content_type);
    message->set(bhttp::field::cache_control, "no-store");
    message->set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : response_.headers) message->insert(name, value);
    message->keep_alive(keep_alive);
    message->body() = response_.body;
    message->prepare_payload();
    stream_.expires_after(server_.options().read_timeout);
    bhttp::async_write(stream_, *message,
                       [self = shared_from_this(), message, keep_alive](beast::error_code ec, size_t) {
                         self->server_.observe({self->request_, self->response_,
                                                std::chrono::duration_cast<std::chrono::microseconds>(
                                                    std::chrono::steady_clock::now() - self->started_),
                                                self->bytes_in_});
                         if (ec || !keep_alive) return self->close();
                         self->read_header();
                       });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
    server_.remove(shared_from_this());
  }

  static uint64_t next_upload_id() {
    static std::atomic<uint64_t> id{0};
    return ++id;
  }

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::request_parser<bhttp::file_body>> file_parser_;
  std::filesystem::path upload_path_;
  Request request_;
  Response response_;
  Router::Match match_;
  bool keep_alive_ = false;
  bool idle_ = false;
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
  accept();
  return Status::ok();
}

void HttpServer::Impl::accept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    } else {
      auto session = std::make_shared<Session>(std::move(socket), *this);
      add(session);
      session->start();
    }
    accept();
  });
}

void HttpServer::Impl::run(bool handle_signals) {
  if (handle_signals) {
    signals_.add(SIGTERM);
    signals_.add(SIGINT);
    signals_.async_wait([this](beast::error_code ec, int) {
      if (!ec) stop();
    });
  }
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.threads; ++i) threads.emplace_back([this] { ioc_.run(); });
  ioc_.run();
  for (std::thread& t : threads) t.join();
}

void HttpServer::Impl::stop() {
  if (stopping_.exchange(true)) return;
  asio::post(ioc_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    signals_.cancel(ec);
    std::lock_guard lock(sessions_mutex_);
    for (const auto& s : sessions_) s->close_if_idle();
  });
}

HttpServer::HttpServer(ServerOptions options, const Router& router, std::function<void(const Exchange&)> observe)
    : impl_(std::make_unique<Impl>(std::move(options), router, std::move(observe))) {}
HttpServer::~HttpServer() = default;
Status HttpServer::start() { return impl_->start(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::run(bool handle_signals) { impl_->run(handle_signals); }
void HttpServer::stop() { impl_->stop(); }

}  // namespace qpan::http
