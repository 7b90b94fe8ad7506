// `qpan serve`: the HTTP API over one database — the aggregation engine built at start and
// kept current by every commit of any process (following the change log), accounts on their
// own connection, an access log line per request on stderr (never a body, cookie or token).
// Over a PostgreSQL hot standby it serves reads only (dashboards), following the primary.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <filesystem>
#include <string>

#include "cli/commands.h"
#include "http/api.h"
#include "http/metrics.h"
#include "qpan/accounts.h"
#include "qpan/aggregation.h"
#include "qpan/change_log.h"
#include "qpan/http.h"
#include "qpan/snapshot.h"
#include "qpan/workflow.h"

namespace qpan::cli {
namespace {

struct ServeArgs {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  bool secure_cookies = false;
  std::string static_dir;  // the web application's files; empty = none
  std::string snapshot_dir;  // empty: beside a database file, "<db>.snapshot"
  bool no_snapshot = false;
  int snapshot_every = 600;  // seconds
};

// Where this server's snapshots live: --snapshot-dir, else beside a database file; none for a
// database that is not a file (a PostgreSQL URL) unless named.
std::string snapshot_dir_for(const ServeArgs& args) {
  if (args.no_snapshot) return "";
  if (!args.snapshot_dir.empty()) return args.snapshot_dir;
  if (args.db.find("://") != std::string::npos) return "";
  return args.db + ".snapshot";
}

Status serve_command(const ServeArgs& args) {
  http::ServerOptions options;
  const size_t colon = args.listen.rfind(':');
  if (colon == std::string::npos) return Status::invalid_input("--listen: expected ADDRESS:PORT, e.g. 127.0.0.1:8080");
  options.address = args.listen.substr(0, colon);
  try {
    const int port = std::stoi(args.listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    options.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    return Status::invalid_input("--listen: \"" + args.listen.substr(colon + 1) + "\" is not a port number");
  }
  if (args.threads < 1 || args.threads > 64) return Status::invalid_input("--threads: between 1 and 64");
  options.threads = args.threads;

  // The data connection writes every request's values (group commit): the log is copied
  // back into the database beside it, not inside its commits.
  Result<std::unique_ptr<Store>> store = open_database(args.db, {.checkpoint_in_background = true});
  if (!store) return store.status();
  Result<std::unique_ptr<Store>> accounts_store = open_store(args.db);
  if (!accounts_store) return accounts_store.status();
  Result<std::unique_ptr<Store>> workflow_store = open_store(args.db);
  if (!workflow_store) return workflow_store.status();
  Result<std::unique_ptr<Workflow>> workflow = Workflow::create(**workflow_store);
  if (!workflow) return workflow.status();

  // The log's end before anything is read: the follower replays what came after it, which
  // the engine may have read already (applying an entry twice changes nothing). From a
  // snapshot, the replay starts at the snapshot's position instead.
  Result<LogEnd> log_start = (*store)->log_end();
  if (!log_start) return log_start.status();
  const std::string snapshot_dir = snapshot_dir_for(args);
  const auto started = std::chrono::steady_clock::now();
  std::unique_ptr<AggregationEngine> engine;
  int64_t position = log_start->seq;
  bool from_snapshot = false;
  if (!snapshot_dir.empty()) {
    Result<SnapshotStart> snapshot = load_snapshot(**store, snapshot_dir);
    if (snapshot) {
      engine = std::move(snapshot->engine);
      position = snapshot->position;
      from_snapshot = true;
    } else if (snapshot.status().code() != StatusCode::kNotFound) {
      std::cerr << "qpan: snapshot not used, building from the database: " << snapshot.status().message() << std::endl;
    }
  }
  if (!engine) {
    Result<std::unique_ptr<AggregationEngine>> built = AggregationEngine::build(**store);
    if (!built) return built.status();
    engine = std::move(*built);
  }
  const double build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // Over a hot standby: a dashboard server, reading what the primary's servers write (the
  // follower polls the log there) and refusing writes and logins (sessions come from the
  // primary, through the standby).
  const bool read_only = (*store)->read_only();
  AccountsOptions account_options;
  account_options.read_only = read_only;
  Accounts accounts(**accounts_store, account_options);
  http::Metrics metrics;
  http::Api api(**store, *engine, accounts, **workflow, metrics, {args.secure_cookies, {}, read_only});
  // Commits of every process reach the engine and the workflow through the change log; this
  // server's own value commits are applied at once (in the next answer), in order with the
  // others'.
  Result<std::unique_ptr<Store>> follower_store = open_store(args.db);
  if (!follower_store) return follower_store.status();
  ChangeFollower follower(std::move(*follower_store), position,
                          [&api](std::span<const Change> changes, Store& s) { return api.apply_changes(changes, s); });
  (*store)->set_commit_listener([&follower, &engine = *engine](std::span<const ValueWrite> rows, LogRange range) {
    follower.own_commit(range, [&] { engine.apply(rows); });
  });
  QPAN_RETURN_IF_ERROR(api.load());
  QPAN_RETURN_IF_ERROR(follower.start());
  api.set_follower(&follower);
  const double ready_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Snapshots for the next start, written in the background: at once when this start read
  // none (or an older one), then whenever the log has moved.
  std::unique_ptr<SnapshotKeeper> snapshots;
  if (!snapshot_dir.empty()) {
    Result<std::unique_ptr<Store>> snapshot_store = open_store(args.db);
    if (!snapshot_store) return snapshot_store.status();
    snapshots = std::make_unique<SnapshotKeeper>(
        *engine, std::move(*snapshot_store), snapshot_dir, [&follower] { return follower.position(); },
        std::chrono::seconds(args.snapshot_every), /*write_at_start=*/!from_snapshot || follower.position() != position);
  }
  http::Router router;
  api.add_routes(router);
  if (!args.static_dir.empty()) {
    if (!std::filesystem::is_directory(args.static_dir)) {
      return Status::invalid_input("--static: \"" + args.static_dir + "\" is not a folder");
    }
    router.set_fallback(http::static_files(args.static_dir));
  }

  http::HttpServer server(options, router, [&metrics](const http::Exchange& e) {
    static const std::string kNoRoute = "(none)";
    metrics.record_request(e.request.method, e.request.route.empty() ? kNoRoute : e.request.route,
                           e.response.status, e.duration);
    // One write per line (stderr is unbuffered), so that lines of two threads never interleave.
    const std::string line = http::access_log_line(e, now_unix());
    std::fwrite(line.data(), 1, line.size(), stderr);
  });
  QPAN_RETURN_IF_ERROR(server.start());
  std::cout << "qpan: serving " << args.db << " on http://" << options.address << ":" << server.port() << " ("
            << engine->value_count() << " values in memory, "
            << (from_snapshot ? "read from the snapshot at log entry " + std::to_string(position)
                              : std::string("built from the database"))
            << " in " << build_seconds << " s, ready in " << ready_seconds << " s; " << options.threads << " threads"
            << (read_only ? "; read-only: the database is a hot standby, writes and logins go to the primary" : "")
            << "). Ctrl-C or SIGTERM stops it." << std::endl;
  server.run(/*handle_signals=*/true);
  snapshots.reset();
  (*store)->set_commit_listener({});
  std::cout << "qpan: stopped" << std::endl;
  return Status::ok();
}

}  // namespace

void add_serve_command(CLI::App& app, Status& status) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Serve the HTTP API (JSON; OpenAPI at /api/openapi.json)");
  cmd->add_option("--db", args->db, "Database: a SQLite file, or a postgresql:// URL")->required();
  cmd->add_option("--listen", args->listen, "ADDRESS:PORT to listen on (default 127.0.0.1:8080; port 0 = any)");
  cmd->add_option("--threads", args->threads, "I/O threads (default 2)");
  cmd->add_option("--static", args->static_dir, "Folder of static files (the web application) served for other GET paths");
  cmd->add_option("--snapshot-dir", args->snapshot_dir,
                  "Folder of the engine's snapshot, read at start and written while serving (default: DB.snapshot "
                  "beside a database file)");
  cmd->add_flag("--no-snapshot", args->no_snapshot, "Build the engine from the database at start; write no snapshot");
  cmd->add_option("--snapshot-every", args->snapshot_every, "Seconds between snapshots while the log moves (default 600)")
      ->check(CLI::Range(1, 86400));
  cmd->add_flag("--secure-cookies", args->secure_cookies, "Mark the session cookie Secure (behind TLS)");
  cmd->callback([args, &status] { status = serve_command(*args); });
}

}  // namespace qpan::cli
