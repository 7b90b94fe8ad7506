// End-to-end tests of the API over HTTP, each over both stores (Stores/ApiTest.X/sqlite and
// /postgresql; under CTest each database a copy of the run's template): a real server on
// a free port, a real database (the real units, the qpan-vn pack, a few values), real
// accounts. The authorization matrix walks every route × every role × a unit inside and
// outside the caller's scope and checks the allowed requests succeed and the others get 403
// without touching data; then ETag conflicts, concurrent batches sharing commits (each all
// or nothing), CSRF, throttling, a bad import with line numbers, a read-only server (over a
// hot standby), and that the OpenAPI document lists exactly the routes.
#include "http/api.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "exchange/xlsx_test_support.h"
#include "exchange/xlsx_workbook.h"
#include "qpan/exchange.h"
#include "qpan/pack.h"
#include "qpan/record_writer.h"
#include "qpan/value_writer.h"
#include "qpan/workflow.h"
#include "store/postgres.h"
#include "store/postgres_test_cluster.h"
#include "store/test_template.h"
#include "store/sqlite.h"

namespace qpan::http {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using tcp = asio::ip::tcp;

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  json::value json() const {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    return ec ? json::value(nullptr) : v;
  }
};

// Inside every test user's scope: Xã Tả Lèng (district 106, Lai Châu 12). Outside all of
// them: Phường Duyên Hải in Lào Cai (10).
constexpr const char* kInside = "03400";
constexpr const char* kOutside = "02635";

struct Login {
  std::string cookie, csrf;
};

class ApiTest : public ::testing::TestWithParam<Backend> {
 public:
  static void SetUpTestSuite() { ASSERT_GE(sodium_init(), 0); }

  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = std::filesystem::temp_directory_path() / ("qpan-api-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_path_ = (dir_ / "q.db").string();
    if (is_postgres()) {
      if (PostgresCluster::turned_off()) GTEST_SKIP() << "QPAN_TEST_POSTGRES=off";
      // Every test starts from the same database: filled once per cluster, then copied.
      Result<std::string> database = postgres_cluster->create_database_like("api_template", [this](const std::string& conninfo) {
        Result<std::unique_ptr<Store>> fresh = open_postgres_store(conninfo, {.create_if_missing = true});
        return fresh ? fill(**fresh) : fresh.status();
      });
      ASSERT_TRUE(database.is_ok()) << "PostgreSQL case: " << database.status().message();
      conninfo_ = *database;
      store_ = open_store();
    } else {
      const Status made = make_sqlite_database();
      ASSERT_TRUE(made.is_ok()) << made.message();
      store_ = open_store();
    }
    ASSERT_NE(store_, nullptr);

    accounts_store_ = open_store();
    workflow_store_ = open_store();
    ASSERT_TRUE(accounts_store_ && workflow_store_);
    workflow_ = Workflow::create(*workflow_store_).value();
    engine_ = AggregationEngine::build(*store_).value();
    engine_->follow(*store_);
    AccountsOptions options;
    options.password_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    options.password_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    accounts_ = std::make_unique<Accounts>(*accounts_store_, options);
    const auto units_index = engine_->units();
    for (const auto& [name, role, scope] : std::vector<std::tuple<std::string, Role, std::string>>{
             {"canbo.xa", Role::kCommuneEntry, "03400"},
             {"huyen", Role::kDistrictReviewer, "106"},
             {"tinh", Role::kProvinceAdmin, "12"},
             {"xem", Role::kViewer, "12"}}) {
      ASSERT_TRUE(accounts_->add_user({name, "", role, scope}, kPassword, *units_index, 1700000000).is_ok());
    }
    api_ = std::make_unique<Api>(*store_, *engine_, *accounts_, *workflow_, metrics_);
    ASSERT_TRUE(api_->load().is_ok());
    api_->add_routes(router_);
    serve(router_);
  }

  // Serves `router` on a free port (server_, run by thread_).
  void serve(const Router& router) {
    ServerOptions server_options;
    server_options.port = 0;
    server_options.upload_dir = dir_;
    server_ = std::make_unique<HttpServer>(server_options, router);
    ASSERT_TRUE(server_->start().is_ok());
    thread_ = std::thread([this] { server_->run(); });
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    if (store_) store_->set_commit_listener({});
    // Everything on the database closed before it is dropped, in the order of destruction.
    server_.reset();
    api_.reset();
    accounts_.reset();
    engine_.reset();
    workflow_.reset();
    workflow_store_.reset();
    accounts_store_.reset();
    store_.reset();
    pg_.reset();
    if (!conninfo_.empty()) postgres_cluster->drop_database(conninfo_);
    std::filesystem::remove_all(dir_);
  }

  bool is_postgres() const { return GetParam() == Backend::kPostgres; }

  // What every test starts from: the real units, the qpan-vn pack and three values.
  Status fill(Store& store) {
    Result<UnitImportResult> units = import_units(store, std::string(QPAN_SOURCE_DIR) + "/data/vn-admin");
    if (!units) return units.status();
    if (!units->problems.empty()) return Status::invalid_input("data/vn-admin: " + units->problems.to_string());
    Result<PackLoadResult> pack = load_pack(store, std::string(QPAN_SOURCE_DIR) + "/packs/qpan-vn");
    if (!pack) return pack.status();
    if (!pack->problems.empty()) return Status::invalid_input("packs/qpan-vn: " + pack->problems.to_string());
    const std::string values = write("values.csv",
                                     "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,"
                                     "storedby,lastupdated,comment,followup\n"
                                     "crime.ttxh.cases,201601,03400,,,4,,,,\n"
                                     "crime.ttxh.solved,201601,03400,,,3,,,,\n"
                                     "crime.ttxh.cases,201601,02635,,,7,,,,\n");
    ValueWriterOptions at_fixed_time;
    at_fixed_time.clock = [] { return int64_t{1700000000}; };
    Result<WriteOutcome> imported = import_value_file(store, values, Writer::system("setup"), at_fixed_time);
    if (!imported) return imported.status();
    if (!imported->problems.empty()) return Status::invalid_input("values.csv: " + imported->problems.to_string());
    return Status::ok();
  }

  // The test's SQLite file: a copy of the template that the binary's first test process
  // fills; each test filling its own takes far longer (the units and the pack).
  Status make_sqlite_database() {
    const std::string source = QPAN_SOURCE_DIR;
    const std::filesystem::path made = testing::shared_template(
        "api", {source + "/data/vn-admin", source + "/packs/qpan-vn"}, [&](Store& store) { return fill(store); });
    if (made.empty()) return Status::internal("the API tests' template database was not made");
    testing::copy_template(made, db_path_);
    return Status::ok();
  }

  // Another connection to the test's database.
  std::unique_ptr<Store> open_store() {
    Result<std::unique_ptr<Store>> s = is_postgres() ? open_postgres_store(conninfo_) : open_sqlite_store(db_path_);
    EXPECT_TRUE(s.is_ok()) << s.status().message();
    return s.is_ok() ? std::move(*s) : nullptr;
  }

  std::string write(const std::string& name, const std::string& content) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  Reply request(const std::string& method, const std::string& target, const std::string& body = "",
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    std::string out = method + " " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    asio::write(socket, asio::buffer(out));
    std::string in;
    char buf[8192];
    boost::system::error_code ec;
    while (!ec) in.append(buf, socket.read_some(asio::buffer(buf), ec));
    Reply r;
    if (in.size() < 12) return r;
    r.status = std::stoi(in.substr(9, 3));
    const size_t end = in.find("\r\n\r\n");
    std::string head = in.substr(0, end);
    r.body = in.substr(end + 4);
    for (size_t p = head.find("\r\n"); p != std::string::npos; p = head.find("\r\n", p + 2)) {
      const size_t colon = head.find(':', p);
      const size_t next = head.find("\r\n", p + 2);
      if (colon == std::string::npos || colon > next) continue;
      std::string name = head.substr(p + 2, colon - p - 2);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = head.substr(colon + 2, (next == std::string::npos ? head.size() : next) - colon - 2);
    }
    return r;
  }

  Login login(const std::string& user) {
    Reply r = request("POST", "/api/login", json::serialize(json::object{{"username", user}, {"password", kPassword}}));
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string cookie = r.headers["set-cookie"];
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
    return {cookie.substr(0, cookie.find(';')), std::string(r.json().at("csrfToken").as_string())};
  }

  // HTTP Basic credentials, as DHIS2's clients may send them.
  static std::vector<std::pair<std::string, std::string>> basic(const std::string& id_and_password) {
    std::string encoded(sodium_base64_ENCODED_LEN(id_and_password.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(encoded.data(), encoded.size(), reinterpret_cast<const unsigned char*>(id_and_password.data()),
                      id_and_password.size(), sodium_base64_VARIANT_ORIGINAL);
    encoded.resize(std::strlen(encoded.c_str()));
    return {{"Authorization", "Basic " + encoded}};
  }

  static std::vector<std::pair<std::string, std::string>> auth(const Login& l) {
    return {{"Cookie", l.cookie}, {"X-CSRF-Token", l.csrf}, {"Content-Type", "application/json"}};
  }

  // What the data tables hold: row count, version sum, audit rows (SQL both stores read alike).
  std::string fingerprint() {
    static const std::string kQuery =
        "SELECT (SELECT count(*) FROM data_value) || '/' || (SELECT coalesce(sum(version), 0) FROM data_value)"
        " || '/' || (SELECT count(*) FROM data_value_audit) || '/' || (SELECT count(*) FROM approval_event)"
        " || '/' || (SELECT count(*) FROM registry_record_audit)"
        " || '/' || (SELECT count(*) FROM registry_record) || '/' || (SELECT coalesce(sum(version), 0) FROM registry_record)";
    if (is_postgres()) {
      if (!pg_) pg_ = std::make_unique<postgres::Connection>(postgres::Connection::open(conninfo_).value());
      Result<postgres::Rows> rows = pg_->query(kQuery);
      EXPECT_TRUE(rows.is_ok()) << rows.status().message();
      return rows.is_ok() ? rows->get_text(0, 0) : "";
    }
    auto db = sqlite::Database::open(db_path_, false).value();
    auto stmt = db.prepare(kQuery).value();
    EXPECT_TRUE(stmt.step());
    return std::string(stmt.column_text(0));
  }

  static constexpr const char* kPassword = "mat-khau-thu-nghiem";
  std::filesystem::path dir_;
  std::string db_path_;
  std::string conninfo_;                       // the PostgreSQL database's
  std::unique_ptr<postgres::Connection> pg_;   // fingerprint()'s, on PostgreSQL
  std::unique_ptr<Store> store_, accounts_store_, workflow_store_;
  std::unique_ptr<Workflow> workflow_;
  std::unique_ptr<AggregationEngine> engine_;
  std::unique_ptr<Accounts> accounts_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

// One route of the matrix: how to call it for a unit, and what it needs.
struct MatrixRoute {
  std::string name;
  std::optional<Action> action;  // nullopt: any signed-in user
  bool writes = false;
  std::function<Reply(ApiTest&, const Login&, const std::string& unit, int n)> call;
};

TEST_P(ApiTest, AuthorizationMatrixEveryRouteRoleAndScope) {
  // A month of its own for each call, so every allowed write creates a value.
  auto month = [](int n) {
    const int m = n % 12 + 1;
    return std::to_string(1995 + n / 12) + (m < 10 ? "0" : "") + std::to_string(m);
  };
  auto value_body = [month](const std::string& unit, int n) {
    return json::serialize(json::object{{"dataElement", "crime.ttxh.cases"}, {"period", month(n)},
                                        {"orgUnit", unit}, {"value", std::to_string(n)}});
  };
  std::vector<MatrixRoute> routes{
      {"GET /api/me", std::nullopt, false,
       [](ApiTest& t, const Login& l, const std::string&, int) { return t.request("GET", "/api/me", "", auth(l)); }},
      {"GET /api/worklist", std::nullopt, false,
       [](ApiTest& t, const Login& l, const std::string&, int) { return t.request("GET", "/api/worklist", "", auth(l)); }},
      {"GET /api/pack", std::nullopt, false,
       [](ApiTest& t, const Login& l, const std::string&, int) { return t.request("GET", "/api/pack", "", auth(l)); }},
      {"GET /api/units", std::nullopt, false,
       [](ApiTest& t, const Login& l, const std::string&, int) { return t.request("GET", "/api/units?q=ta+leng", "", auth(l)); }},
      {"GET /api/units/{code}", Action::kReadData, false,
       [](ApiTest& t, const Login& l, const std::string& u, int) { return t.request("GET", "/api/units/" + u + "?at=2016-06-30", "", auth(l)); }},
      {"GET /api/analytics", Action::kReadData, false,
       [](ApiTest& t, const Login& l, const std::string& u, int) {
         return t.request("GET", "/api/analytics?dx=crime.ttxh.cases&ou=" + u + "&pe=2016", "", auth(l));
       }},
      {"GET /api/analytics/explain", Action::kReadData, false,
       [](ApiTest& t, const Login& l, const std::string& u, int) {
         return t.request("GET", "/api/analytics/explain?dx=crime.ttxh.cases&ou=" + u + "&pe=2016", "", auth(l));
       }},
      {"GET /api/dataValues", Action::kReadData, false,
       [](ApiTest& t, const Login& l, const std::string& u, int) {
         return t.request("GET", "/api/dataValues?de=crime.ttxh.cases&pe=201601&ou=" + u, "", auth(l));
       }},
      {"GET /api/validation", Action::kReadData, false,
       [](ApiTest& t, const Login& l, const std::string& u, int) { return t.request("GET", "/api/validation?ou=" + u + "&pe=201601", "", auth(l)); }},
      {"GET /api/evaluation", Action::kReadData, false,
       [](ApiTest& t, const Login& l, const std::string& u, int) {
         return t.request("GET", "/api/evaluation?set=eval.drug_free.commune&ou=" + u + "&pe=2016", "", auth(l));
       }},
      {"GET /api/reports", std::nullopt, false,
       [](ApiTest& t, const Login& l, const std::string&, int) { return t.request("GET", "/api/reports", "", auth(l)); }},
      {"GET /api/reports/{code}", Action::kReadData, false,
       [](ApiTest& t, const Login& l, const std::string& u, int) {
         return t.request("GET", "/api/reports/rpt.quarterly_review?ou=" + u + "&pe=2016Q1", "", auth(l));
       }},
      {"GET /api/audit", Action::kReadAudit, false,
       [](ApiTest& t, const Login& l, const std::string& u, int) { return t.request("GET", "/api/audit?ou=" + u + "&pe=201601", "", auth(l)); }},
      {"GET /api/approvals", Action::kReadData, false,
       [](ApiTest& t, const Login& l, const std::string& u, int) {
         return t.request("GET", "/api/approvals?ds=ds.antt.commune.monthly&ou=" + u + "&pe=201601", "", auth(l));
       }},
      {"GET /api/forms/{ds}", Action::kReadData, false,
       [](ApiTest& t, const Login& l, const std::string& u, int) {
         return t.request("GET", "/api/forms/ds.antt.commune.monthly?ou=" + u + "&pe=201601", "", auth(l));
       }},
      {"GET /api/completeness", Action::kReadData, false,
       [](ApiTest& t, const Login& l, const std::string& u, int) {
         return t.request("GET", "/api/completeness?ds=ds.antt.commune.monthly&ou=" + u + "&pe=201601", "", auth(l));
       }},
      {"POST /api/approvals/{action}", Action::kSubmit, true,
       [month](ApiTest& t, const Login& l, const std::string& u, int n) {
         return t.request("POST", "/api/approvals/submit",
                          json::serialize(json::object{{"dataSet", "ds.antt.commune.monthly"}, {"orgUnit", u}, {"period", month(n)}}),
                          auth(l));
       }},
      {"PUT /api/dataValues", Action::kWriteData, true,
       [value_body](ApiTest& t, const Login& l, const std::string& u, int n) { return t.request("PUT", "/api/dataValues", value_body(u, n), auth(l)); }},
      {"POST /api/dataValueSets", Action::kWriteData, true,
       [value_body](ApiTest& t, const Login& l, const std::string& u, int n) {
         return t.request("POST", "/api/dataValueSets", "{\"dataValues\":[" + value_body(u, n) + "]}", auth(l));
       }},
      {"POST /api/dataValues", Action::kWriteData, true,
       [month](ApiTest& t, const Login& l, const std::string& u, int n) {
         return t.request("POST", "/api/dataValues?de=crime.ttxh.cases&pe=" + month(n) + "&ou=" + u + "&value=" + std::to_string(n), "", auth(l));
       }},
      {"DELETE /api/dataValues", Action::kWriteData, true,
       [month](ApiTest& t, const Login& l, const std::string& u, int n) {
         return t.request("DELETE", "/api/dataValues?de=crime.ttxh.solved&pe=" + month(n) + "&ou=" + u, "", auth(l));
       }},
      {"GET /api/dataValueSets", Action::kReadData, false,
       [](ApiTest& t, const Login& l, const std::string& u, int) {
         return t.request("GET", "/api/dataValueSets?dataSet=ds.antt.commune.monthly&period=201601&orgUnit=" + u, "", auth(l));
       }},
      {"GET /api/system/info", std::nullopt, false,
       [](ApiTest& t, const Login& l, const std::string&, int) { return t.request("GET", "/api/system/info", "", auth(l)); }},
      {"GET /api/periodTypes", std::nullopt, false,
       [](ApiTest& t, const Login& l, const std::string&, int) { return t.request("GET", "/api/periodTypes", "", auth(l)); }},
      {"POST /api/imports/dataValues", Action::kImport, true,
       [month](ApiTest& t, const Login& l, const std::string& u, int n) {
         return t.request("POST", "/api/imports/dataValues",
                          "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
                          "crime.ttxh.cases," + month(n) + "," + u + ",,,1\n",
                          {{"Cookie", l.cookie}, {"X-CSRF-Token", l.csrf}, {"Content-Type", "text/csv"}});
       }},
  };
  // Registry records: a team of the unit to read, change and delete (one per deleting call).
  std::map<std::string, std::vector<int64_t>> teams;
  for (const char* unit : {kInside, kOutside}) {
    RecordWrite seed{Writer::system("setup"), "reg.movement.team", {}, "test", {}};
    for (int k = 0; k < 9; ++k) {
      RecordChange change;
      change.record.org_unit = unit;
      change.record.fields = {{"kind", "security"}, {"name", "Tổ " + std::to_string(k)}, {"established", "2021-03-01"},
                              {"members", "5"}};
      seed.changes.push_back(change);
    }
    Result<RecordWriteOutcome> seeded = write_records(*store_, seed);
    ASSERT_TRUE(seeded.is_ok() && seeded->written());
    for (const RegistryRecord& r : seeded->records) teams[unit].push_back(r.id);
  }
  auto team_body = [](const std::string& unit, int n) {
    return json::serialize(json::object{{"orgUnit", unit},
                                        {"fields", json::object{{"kind", "mediation"}, {"name", "Tổ hòa giải " + std::to_string(n)},
                                                                {"established", "2022-01-05"}, {"members", n}}}});
  };
  auto team = [&teams](const std::string& unit) { return std::to_string(teams[unit].front()); };
  routes.push_back({"GET /api/registries", std::nullopt, false,
                    [](ApiTest& t, const Login& l, const std::string&, int) { return t.request("GET", "/api/registries", "", auth(l)); }});
  routes.push_back({"GET /api/registries/{code}/records", Action::kReadData, false,
                    [](ApiTest& t, const Login& l, const std::string& u, int) {
                      return t.request("GET", "/api/registries/reg.movement.team/records?ou=" + u, "", auth(l));
                    }});
  routes.push_back({"POST /api/registries/{code}/records", Action::kWriteData, true,
                    [team_body](ApiTest& t, const Login& l, const std::string& u, int n) {
                      return t.request("POST", "/api/registries/reg.movement.team/records", team_body(u, n), auth(l));
                    }});
  routes.push_back({"GET /api/registries/{code}/records/{id}", Action::kReadData, false,
                    [team](ApiTest& t, const Login& l, const std::string& u, int) {
                      return t.request("GET", "/api/registries/reg.movement.team/records/" + team(u), "", auth(l));
                    }});
  routes.push_back({"PUT /api/registries/{code}/records/{id}", Action::kWriteData, true,
                    [team, team_body](ApiTest& t, const Login& l, const std::string& u, int n) {
                      return t.request("PUT", "/api/registries/reg.movement.team/records/" + team(u), team_body(u, n), auth(l));
                    }});
  routes.push_back({"DELETE /api/registries/{code}/records/{id}", Action::kWriteData, true,
                    [&teams](ApiTest& t, const Login& l, const std::string& u, int) {
                      const std::string id = std::to_string(teams[u].back());
                      Reply r = t.request("DELETE", "/api/registries/reg.movement.team/records/" + id, "", auth(l));
                      if (r.status == 204) teams[u].pop_back();
                      return r;
                    }});
  // DHIS2's metadata lists: any signed-in user, units filtered to the scope (below).
  for (const std::string resource : {"organisationUnits", "dataElements", "indicators", "dataSets"}) {
    const std::string one = resource == "organisationUnits" ? kInside
                            : resource == "dataElements"    ? "crime.ttxh.cases"
                            : resource == "indicators"      ? "crime.ttxh.solve_rate"
                                                            : "ds.antt.commune.monthly";
    routes.push_back({"GET /api/" + resource, std::nullopt, false, [resource](ApiTest& t, const Login& l, const std::string&, int) {
                        return t.request("GET", "/api/" + resource + "?paging=false", "", auth(l));
                      }});
    routes.push_back({"GET /api/" + resource + "/{code}", std::nullopt, false, [resource, one](ApiTest& t, const Login& l, const std::string&, int) {
                        return t.request("GET", "/api/" + resource + "/" + one, "", auth(l));
                      }});
  }
  // What the deletes delete: a value of each call's month in both units.
  {
    std::string csv = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n";
    for (int k = 0; k < 360; ++k) {  // 1995–2024, more months than the matrix has calls
      for (const char* unit : {kInside, kOutside}) csv += "crime.ttxh.solved," + month(k) + "," + unit + ",,,1\n";
    }
    Result<WriteOutcome> seeded = import_value_file(*store_, write("seed.csv", csv), Writer::system("setup"));
    ASSERT_TRUE(seeded.is_ok() && seeded->written()) << (seeded.is_ok() ? seeded->problems.to_string() : seeded.status().message());
  }
  // Every route of the API is in the matrix or public by design.
  std::set<std::string> covered{"GET /healthz", "GET /metrics", "GET /api/openapi.json", "POST /api/login", "POST /api/logout"};
  for (const MatrixRoute& r : routes) covered.insert(r.name);
  for (const Route& r : router_.routes()) EXPECT_TRUE(covered.count(r.method + " " + r.pattern)) << r.method << " " << r.pattern;

  int n = 0;
  for (const auto& [user, role] : std::vector<std::pair<std::string, Role>>{
           {"canbo.xa", Role::kCommuneEntry}, {"huyen", Role::kDistrictReviewer}, {"tinh", Role::kProvinceAdmin}, {"xem", Role::kViewer}}) {
    const Login l = login(user);
    for (const MatrixRoute& route : routes) {
      for (const std::string unit : {kInside, kOutside}) {
        ++n;
        SCOPED_TRACE(user + " " + route.name + " " + unit);
        const bool inside = unit == kInside;
        const bool allowed = !route.action || (role_allows(role, *route.action) && inside);
        const std::string before = fingerprint();
        const Reply reply = route.call(*this, l, unit, n);
        if (allowed) {
          const int expected = route.name == "POST /api/dataValues" || route.name == "POST /api/registries/{code}/records" ? 201
                               : route.name.starts_with("DELETE")                                                    ? 204
                                                                                                                     : 200;
          EXPECT_TRUE(reply.status == expected || (reply.status == 404 && route.name == "GET /api/dataValues")) << reply.status << " " << reply.body;
          if (route.writes) {
            EXPECT_NE(fingerprint(), before) << "an allowed write writes";
          }
        } else {
          EXPECT_EQ(reply.status, 403) << reply.body;
          EXPECT_EQ(reply.json().at("error").at("code"), "forbidden");
          EXPECT_EQ(fingerprint(), before) << "a refused request touches nothing";
        }
      }
    }
  }
  // Unit search and DHIS2's unit list show only what the caller may read.
  const Login commune = login("canbo.xa");
  const Reply found = request("GET", "/api/units?q=duyen+hai", "", auth(commune));
  EXPECT_EQ(found.json().at("units").as_array().size(), 0u);
  EXPECT_EQ(request("GET", "/api/organisationUnits/" + std::string(kOutside), "", auth(commune)).status, 404);
  const json::value listed = request("GET", "/api/organisationUnits?paging=false&fields=id", "", auth(commune)).json();
  EXPECT_EQ(listed.at("organisationUnits"), (json::array{json::object{{"id", kInside}}})) << listed;
}

TEST_P(ApiTest, ApprovalFlowLocksWritesAndIsAudited) {
  const Login xa = login("canbo.xa"), huyen = login("huyen"), tinh = login("tinh");
  auto act = [&](const Login& who, const std::string& action, const std::string& comment = "") {
    return request("POST", "/api/approvals/" + action,
                   json::serialize(json::object{{"dataSet", "ds.antt.commune.monthly"}, {"orgUnit", "03400"}, {"period", "201601"},
                                                {"comment", comment}}),
                   auth(who));
  };
  auto write = [&](const Login& who, const std::string& value) {
    return request("POST", "/api/dataValueSets",
                   "{\"dataValues\":[{\"dataElement\":\"crime.ttxh.cases\",\"period\":\"201601\",\"orgUnit\":\"03400\",\"value\":\"" +
                       value + "\"}]}",
                   auth(who));
  };
  EXPECT_EQ(act(huyen, "approve").status, 409);            // nothing submitted yet
  EXPECT_EQ(act(huyen, "submit").status, 403);             // a reviewer does not submit
  EXPECT_EQ(act(xa, "submit").status, 200);
  EXPECT_EQ(act(xa, "approve").status, 403);               // nor does a commune approve
  EXPECT_EQ(act(huyen, "return").status, 400);             // a return needs a comment
  EXPECT_EQ(act(huyen, "approve").status, 200);
  const Reply refused = write(xa, "9");
  EXPECT_EQ(refused.status, 409);                          // the form is closed, not the entry wrong
  EXPECT_EQ(refused.json().at("error").at("code"), "form_closed");
  EXPECT_NE(refused.body.find("dataValues[0].period"), std::string::npos) << refused.body;
  EXPECT_EQ(act(tinh, "lock").status, 200);
  EXPECT_EQ(write(tinh, "9").status, 409);                 // locked: not even the province writes
  EXPECT_EQ(act(tinh, "unlock").status, 200);
  EXPECT_EQ(act(huyen, "return", "Số vụ tháng 1 chưa khớp sổ theo dõi").status, 200);
  EXPECT_EQ(write(xa, "9").status, 200);                   // returned: the commune fixes it
  const Reply state = request("GET", "/api/approvals?ds=ds.antt.commune.monthly&ou=03400&pe=201601", "", auth(huyen));
  const json::value doc = state.json();
  EXPECT_EQ(doc.at("state"), "returned");
  const json::array& history = doc.at("history").as_array();
  ASSERT_EQ(history.size(), 5u);
  EXPECT_EQ(history[0].at("actor"), "canbo.xa");
  EXPECT_EQ(history[4].at("comment"), "Số vụ tháng 1 chưa khớp sổ theo dõi");
  const Reply done = request("GET", "/api/completeness?ds=ds.antt.commune.monthly&ou=106&pe=201601", "", auth(huyen));
  const json::value c = done.json();
  EXPECT_EQ(done.status, 200) << done.body;
  EXPECT_GT(c.at("units").as_array().size(), 1u);
}

// Where a figure comes from: its values with their history and form state for those who may
// read the audit trail, the parts alone for the others; scope and parameters as analytics.
TEST_P(ApiTest, ExplainBreaksAFigureDownToItsValuesAndTheirHistory) {
  const Login xa = login("canbo.xa"), huyen = login("huyen"), xem = login("xem");
  ASSERT_EQ(request("POST", "/api/dataValueSets",
                    "{\"dataValues\":[{\"dataElement\":\"crime.ttxh.cases\",\"period\":\"201601\",\"orgUnit\":\"03400\",\"value\":\"6\"}]}",
                    auth(xa))
                .status,
            200);
  const Reply r = request("GET", "/api/analytics/explain?dx=crime.ttxh.cases&ou=106&pe=2016Q1", "", auth(huyen));
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value doc = r.json();
  EXPECT_EQ(doc.at("value").as_double(), 6);
  EXPECT_EQ(doc.at("historyIncluded"), true);
  const json::value& part = doc.at("series").at(0).at("parts").at(0);
  EXPECT_EQ(part.at("unit"), kInside);
  EXPECT_EQ(part.at("period"), "201601");
  EXPECT_EQ(part.at("basis"), "direct");
  const json::array& history = part.at("history").as_array();
  ASSERT_EQ(history.size(), 2u) << part;
  EXPECT_EQ(history[0].at("changedBy"), "setup");
  EXPECT_EQ(history[1].at("oldValue"), "4");
  EXPECT_EQ(history[1].at("newValue"), "6");
  EXPECT_EQ(history[1].at("changedBy"), "canbo.xa");
  EXPECT_EQ(part.at("forms").at(0).at("dataSet"), "ds.antt.commune.monthly");
  EXPECT_EQ(part.at("forms").at(0).at("state"), "draft");

  // An indicator: its formula and the elements it reads.
  const json::value rate =
      request("GET", "/api/analytics/explain?dx=crime.ttxh.solve_rate&ou=03400&pe=201601", "", auth(huyen)).json();
  EXPECT_EQ(rate.at("indicator"), true);
  EXPECT_FALSE(rate.at("formula").as_string().empty());
  EXPECT_GE(rate.at("series").as_array().size(), 2u);

  // A viewer reads the parts, not who changed them.
  const json::value viewed = request("GET", "/api/analytics/explain?dx=crime.ttxh.cases&ou=106&pe=2016Q1", "", auth(xem)).json();
  EXPECT_EQ(viewed.at("historyIncluded"), false);
  EXPECT_FALSE(viewed.at("series").at(0).at("parts").at(0).as_object().contains("history"));

  EXPECT_EQ(request("GET", "/api/analytics/explain?dx=crime.ttxh.cases&ou=12&pe=2016", "", auth(xa)).status, 403);
  EXPECT_EQ(request("GET", std::string("/api/analytics/explain?dx=crime.ttxh.cases&pe=2016&ou=") + kOutside, "", auth(huyen)).status, 403);
  const Reply bad = request("GET", "/api/analytics/explain?dx=x&ou=106&pe=2016", "", auth(huyen));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("dx: no element or indicator \\\"x\\\""), std::string::npos) << bad.body;
  EXPECT_EQ(request("GET", "/api/analytics/explain?dx=crime.ttxh.cases&ou=106&pe=2016,2017", "", auth(huyen)).status, 400);
  EXPECT_EQ(request("GET", "/api/analytics/explain?dx=crime.ttxh.cases&ou=106", "", auth(huyen)).status, 400);
}

TEST_P(ApiTest, WithoutLoginEverythingButThePublicRoutesIs401) {
  EXPECT_EQ(request("GET", "/healthz").status, 200);
  EXPECT_EQ(request("GET", "/api/openapi.json").status, 200);
  EXPECT_EQ(request("GET", "/metrics").status, 200);
  const Reply r = request("GET", "/api/analytics?dx=crime.ttxh.cases&ou=12&pe=2016");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.json().at("error").at("code"), "unauthenticated");
  EXPECT_EQ(request("GET", "/api/me", "", {{"Cookie", "qpan_session=forged"}}).status, 401);
}

// The header alone decides: a large upload without credentials is answered 401 before a
// byte of it is read or stored (value_writer_test pins the role checked before entries).
TEST_P(ApiTest, AuthenticationComesBeforeAnyBodyIsReadOrStored) {
  auto files_in_dir = [&] {
    size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_)) ++n;
    return n;
  };
  const size_t files_before = files_in_dir();
  auto head_only = [&](const std::string& head) {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    asio::write(socket, asio::buffer(head));
    std::string in;
    char buf[4096];
    boost::system::error_code ec;
    while (!ec) in.append(buf, socket.read_some(asio::buffer(buf), ec));
    return in;
  };
  // 200 MB declared, none sent: the answer cannot wait for the body.
  const std::string upload = head_only(
      "POST /api/imports/dataValues HTTP/1.1\r\nHost: t\r\nContent-Length: 200000000\r\n\r\n");
  EXPECT_TRUE(upload.starts_with("HTTP/1.1 401")) << upload.substr(0, 200);
  EXPECT_NE(upload.find("unauthenticated"), std::string::npos);
  EXPECT_EQ(files_in_dir(), files_before);  // nothing spooled to disk

  // A client cannot name itself in the access log.
  const Reply forged = request("GET", "/api/me", "", {{"X-Qpan-User", "tinh"}});
  EXPECT_EQ(forged.status, 401);
}

// Scopes across the July 2025 merger: Xã Tả Lèng (03400) and Xã Giang Ma (03405) became the
// new Xã Tả Lèng under the code 03405. A scope is a unit version (qpan/accounts.h): the new
// commune's officer reads its predecessors' past, directly or rolled up in the new
// structure; the old commune's officer reads neither the new commune nor, through the reused
// code, the old Giang Ma.
TEST_P(ApiTest, AScopeAcrossTheMergerCoversPredecessorsNeverSuccessors) {
  const Date merger{std::chrono::year{2025}, std::chrono::July, std::chrono::day{1}};
  ASSERT_TRUE(accounts_->add_user({"xa.moi", "", Role::kCommuneEntry, "03405", merger}, kPassword,
                                  *engine_->units(), 1760000000).is_ok());
  const Login old_officer = login("canbo.xa"), new_officer = login("xa.moi"), district = login("huyen");
  auto read = [&](const Login& who, const std::string& query) {
    return request("GET", "/api/analytics?dx=crime.ttxh.cases&format=csv&" + query, "", auth(who));
  };
  // The new commune's officer: the old Tả Lèng's January 2016, directly and rolled up.
  const Reply direct = read(new_officer, "ou=03400&pe=201601");
  EXPECT_EQ(direct.status, 200) << direct.body;
  EXPECT_NE(direct.body.find("crime.ttxh.cases,03400,201601,4"), std::string::npos) << direct.body;
  const Reply rolled_up = read(new_officer, "ou=03405&pe=201601&structureAt=2025-07-01");
  EXPECT_EQ(rolled_up.status, 200) << rolled_up.body;
  EXPECT_NE(rolled_up.body.find("crime.ttxh.cases,03405,201601,4"), std::string::npos) << rolled_up.body;
  EXPECT_EQ(read(new_officer, "ou=03406&pe=201601").status, 200);  // Xã Hồ Thầu, merged into it too
  EXPECT_EQ(read(new_officer, "ou=02635&pe=201601").status, 403);  // never merged into it
  EXPECT_EQ(read(new_officer, "ou=03400&pe=202508").status, 403);  // 03400 is no more after the merger

  // The old commune's officer: its own past, not the successor, not the reused code's past.
  EXPECT_EQ(read(old_officer, "ou=03400&pe=201601").status, 200);
  const Reply successor = read(old_officer, "ou=03405&pe=201601&structureAt=2025-07-01");
  EXPECT_EQ(successor.status, 403) << successor.body;
  EXPECT_EQ(read(old_officer, "ou=03405&pe=201601").status, 403);
  // The district (abolished by the merger) reads 03405 up to the merger, not after it: a year
  // across it is refused as a whole.
  EXPECT_EQ(read(district, "ou=03405&pe=2024").status, 200);
  EXPECT_EQ(read(district, "ou=03405&pe=2025").status, 403);
  // What the account is, as the API shows it.
  const Reply me = request("GET", "/api/me", "", auth(new_officer));
  EXPECT_EQ(me.json().at("user").at("scopeAt"), "2025-07-01");
}

// What a hostile test found: a viewer's batch of 250.000 empty entries got a 100 MB error
// and 1 GB of memory; a number was taken for a period. The role is checked before the
// entries, the problems listed are capped, and codes and periods must be strings.
TEST_P(ApiTest, HostileWriteBodiesGetShortRefusals) {
  const Login viewer = login("xem"), admin = login("tinh");
  std::string empties = "{\"dataValues\":[";
  for (int i = 0; i < 250000; ++i) empties += i == 0 ? "{}" : ",{}";
  empties += "]}";
  ASSERT_LT(empties.size(), 1u << 20);
  const std::string before = fingerprint();

  const Reply refused = request("POST", "/api/dataValueSets", empties, auth(viewer));
  EXPECT_EQ(refused.status, 403);
  EXPECT_LT(refused.body.size(), 2000u) << refused.body.substr(0, 300);

  const Reply invalid = request("POST", "/api/dataValueSets", empties, auth(admin));
  EXPECT_EQ(invalid.status, 400);
  const json::value details = invalid.json().at("error").at("details");
  EXPECT_EQ(details.at("problems").as_array().size(), 100u);
  EXPECT_GE(details.at("total").to_number<int64_t>(), 250000);
  EXPECT_LT(invalid.body.size(), 64u << 10);

  const Reply number = request("PUT", "/api/dataValues",
                               "{\"dataElement\":\"crime.ttxh.cases\",\"period\":201601,\"orgUnit\":\"03400\",\"value\":\"5\"}",
                               auth(admin));
  EXPECT_EQ(number.status, 400);
  EXPECT_NE(number.body.find("\"field\":\"period\""), std::string::npos) << number.body;
  EXPECT_EQ(fingerprint(), before);
}

// A form opens with one request: its cells with values and the ETags their next writes
// carry, the months beside, the state, and what the caller may do; approved, it says why
// it is closed and no one may write it.
TEST_P(ApiTest, AFormOpensWithOneRequest) {
  const Login xa = login("canbo.xa"), huyen = login("huyen");
  auto put = [&](const std::string& period, const std::string& value) {
    auto headers = auth(xa);
    headers.emplace_back("If-Match", "*");  // whatever the fixture stored
    return request("PUT", "/api/dataValues",
                   json::serialize(json::object{{"dataElement", "crime.ttxh.cases"}, {"period", period}, {"orgUnit", "03400"}, {"value", value}}),
                   headers);
  };
  ASSERT_EQ(put("201512", "3").status, 200);
  const Reply written = put("201601", "7");
  ASSERT_EQ(written.status, 200) << written.body;
  auto open = [&](const Login& who) { return request("GET", "/api/forms/ds.antt.commune.monthly?ou=03400&pe=201601", "", auth(who)); };

  const Reply form = open(xa);
  ASSERT_EQ(form.status, 200) << form.body;
  const json::value f = form.json();
  EXPECT_EQ(f.at("orgUnit").at("name"), "Xã Tả Lèng");
  EXPECT_EQ(f.at("period").at("name"), "tháng 1/2016");
  EXPECT_EQ(f.at("previousPeriod").at("code"), "201512");
  EXPECT_EQ(f.at("approval").at("state"), "draft");
  EXPECT_TRUE(f.at("closed").is_null());
  EXPECT_EQ(f.at("may").at("write"), true);
  EXPECT_EQ(f.at("may").at("submit"), true);
  EXPECT_EQ(f.at("may").at("approve"), false);
  const json::array& cells = f.at("cells").as_array();
  auto cases = std::find_if(cells.begin(), cells.end(), [](const json::value& c) { return c.at("dataElement") == "crime.ttxh.cases"; });
  ASSERT_NE(cases, cells.end());
  EXPECT_EQ(cases->at("value"), "7");
  EXPECT_EQ(cases->at("previous"), "3");
  EXPECT_TRUE(cases->at("lastYear").is_null());
  EXPECT_EQ(cases->at("etag").as_string(), written.headers.at("etag"));
  // The pack lists the data set with its elements.
  const json::value pack = request("GET", "/api/pack", "", auth(xa)).json();
  const json::array& sets = pack.at("dataSets").as_array();
  auto monthly = std::find_if(sets.begin(), sets.end(), [](const json::value& d) { return d.at("code") == "ds.antt.commune.monthly"; });
  ASSERT_NE(monthly, sets.end());
  EXPECT_EQ(monthly->at("dataElements").as_array().size(), cells.size());  // no disaggregated element in it

  EXPECT_EQ(open(huyen).json().at("may").at("approve"), true);
  for (const auto& [who, action] : {std::pair{&xa, "submit"}, std::pair{&huyen, "approve"}}) {
    const Reply moved = request("POST", std::string("/api/approvals/") + action,
                                json::serialize(json::object{{"dataSet", "ds.antt.commune.monthly"}, {"orgUnit", "03400"}, {"period", "201601"}}),
                                auth(*who));
    ASSERT_EQ(moved.status, 200) << moved.body;
  }
  const json::value approved = open(xa).json();
  EXPECT_EQ(approved.at("approval").at("state"), "approved");
  EXPECT_NE(approved.at("closed").as_string().find("đã được duyệt"), std::string::npos);
  EXPECT_EQ(approved.at("may").at("write"), false);
  EXPECT_EQ(request("GET", "/api/forms/ds.unknown?ou=03400&pe=201601", "", auth(xa)).status, 404);
  EXPECT_EQ(request("GET", "/api/forms/ds.antt.commune.monthly?ou=03400&pe=2016", "", auth(xa)).status, 400);
}

TEST_P(ApiTest, TheSecondOfTwoEditorsGets412WithTheCurrentValue) {
  const Login a = login("tinh"), b = login("canbo.xa");
  const std::string target = "/api/dataValues?de=crime.ttxh.cases&pe=201601&ou=03400";
  const Reply read_a = request("GET", target, "", auth(a));
  const Reply read_b = request("GET", target, "", auth(b));
  ASSERT_EQ(read_a.status, 200);
  const std::string etag = read_a.headers.at("etag");
  EXPECT_EQ(read_b.headers.at("etag"), etag);
  auto put = [&](const Login& who, const std::string& value, const std::string& if_match) {
    auto headers = auth(who);
    headers.emplace_back("If-Match", if_match);
    return request("PUT", "/api/dataValues",
                   json::serialize(json::object{{"dataElement", "crime.ttxh.cases"}, {"period", "201601"}, {"orgUnit", "03400"}, {"value", value}}),
                   headers);
  };
  const Reply first = put(a, "5", etag);
  EXPECT_EQ(first.status, 200) << first.body;
  const std::string before = fingerprint();
  const Reply second = put(b, "6", etag);
  EXPECT_EQ(second.status, 412) << second.body;
  const json::value conflict = second.json().at("error").at("details").at("conflicts").at(0);
  EXPECT_EQ(conflict.at("current").at("value"), "5");
  EXPECT_EQ(conflict.at("etag").as_string(), first.headers.at("etag"));
  EXPECT_EQ(fingerprint(), before);
  // Written values are in the next answer.
  const Reply cell = request("GET", "/api/analytics?dx=crime.ttxh.cases&ou=106&pe=201601&format=csv", "", auth(a));
  EXPECT_NE(cell.body.find("crime.ttxh.cases,106,201601,5"), std::string::npos) << cell.body;
  // The same question as a workbook to download, the written value in it.
  const Reply workbook = request("GET", "/api/analytics?dx=crime.ttxh.cases&ou=106&pe=201601&format=xlsx", "", auth(a));
  EXPECT_EQ(workbook.status, 200);
  EXPECT_EQ(workbook.headers.at("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(workbook.headers.at("content-disposition"), "attachment; filename=\"qpan-analytics.xlsx\"");
  EXPECT_NE(qpan::testing::read_xlsx_cells(workbook.body).find("Số liệu\tE4\t5\t#,##0\n"), std::string::npos);
  // Without If-Match a write only creates: an existing value is not overwritten blindly.
  EXPECT_EQ(put(b, "6", "").status, 412);
}

TEST_P(ApiTest, ConcurrentBatchesShareCommitsAndEachIsAllOrNothing) {
  const Login tinh = login("tinh");
  auto item = [](const std::string& element, int period, int value, const std::string& if_match = "") {
    json::object o{{"dataElement", element}, {"period", std::to_string(period)}, {"orgUnit", kInside},
                   {"value", std::to_string(value)}};
    if (!if_match.empty()) o["ifMatch"] = if_match;
    return o;
  };
  // Twelve clients at once, one month of 2017 each, and a thirteenth whose second value says
  // it read a version that was never stored: the writer takes them as they come, into shared
  // commits; the stale one alone is refused, with nothing of it written.
  std::vector<Reply> replies(13);
  std::vector<std::thread> clients;
  for (int m = 1; m <= 12; ++m) {
    clients.emplace_back([&, m] {
      json::array values{item("crime.ttxh.cases", 201700 + m, 10 + m), item("crime.ttxh.solved", 201700 + m, m)};
      replies[static_cast<size_t>(m - 1)] =
          request("POST", "/api/dataValueSets", json::serialize(json::object{{"dataValues", values}}), auth(tinh));
    });
  }
  clients.emplace_back([&] {
    json::array values{item("crime.ttxh.cases", 201801, 5), item("crime.ttxh.solved", 201801, 1, "\"v7\"")};
    replies[12] = request("POST", "/api/dataValueSets", json::serialize(json::object{{"dataValues", values}}), auth(tinh));
  });
  for (std::thread& c : clients) c.join();
  for (int m = 0; m < 12; ++m) EXPECT_EQ(replies[static_cast<size_t>(m)].status, 200) << replies[static_cast<size_t>(m)].body;
  EXPECT_EQ(replies[12].status, 412) << replies[12].body;
  EXPECT_EQ(replies[12].json().at("error").at("details").at("conflicts").at(0).at("index").as_int64(), 1);
  for (int m = 1; m <= 12; ++m) {
    const Reply v = request("GET", "/api/dataValues?de=crime.ttxh.cases&pe=" + std::to_string(201700 + m) + "&ou=" + kInside,
                            "", auth(tinh));
    ASSERT_EQ(v.status, 200) << v.body;
    EXPECT_EQ(v.json().at("value").as_string(), std::to_string(10 + m));
  }
  EXPECT_EQ(request("GET", std::string("/api/dataValues?de=crime.ttxh.cases&pe=201801&ou=") + kInside, "", auth(tinh)).status,
            404);
  // All of it in the next answer: 11 + 12 + … + 22 cases over the year.
  const Reply year = request("GET", std::string("/api/analytics?dx=crime.ttxh.cases&pe=2017&format=csv&ou=") + kInside, "",
                             auth(tinh));
  EXPECT_NE(year.body.find(std::string("crime.ttxh.cases,") + kInside + ",2017,198"), std::string::npos) << year.body;
}

TEST_P(ApiTest, StateChangesNeedTheCsrfTokenUnlessABearerToken) {
  const Login l = login("tinh");
  const std::string body = json::serialize(json::object{{"dataElement", "crime.ttxh.cases"}, {"period", "201605"}, {"orgUnit", "03400"}, {"value", "1"}});
  const std::string before = fingerprint();
  Reply r = request("PUT", "/api/dataValues", body, {{"Cookie", l.cookie}});
  EXPECT_EQ(r.status, 403);
  r = request("PUT", "/api/dataValues", body, {{"Cookie", l.cookie}, {"X-CSRF-Token", "wrong"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(fingerprint(), before);
  Result<IssuedApiToken> token = accounts_->issue_api_token("tinh", "script", 1700000000);
  ASSERT_TRUE(token.is_ok());
  r = request("PUT", "/api/dataValues", body, {{"Authorization", "Bearer " + token->token}});
  EXPECT_EQ(r.status, 200) << r.body;
}

// What DHIS2's clients send: a personal access token as "ApiToken …", the API addressed with
// its version (/api/41/…) and a representation suffix (.json, .csv). Each answers what the
// plain address answers; versions DHIS2 never had and unknown tokens are refused.
TEST_P(ApiTest, Dhis2AddressesAndApiTokensAnswerAsThePlainOnes) {
  Result<IssuedApiToken> token = accounts_->issue_api_token("tinh", "dhis2-client", 1700000000);
  ASSERT_TRUE(token.is_ok());
  const std::vector<std::pair<std::string, std::string>> api_token{{"Authorization", "ApiToken " + token->token}};
  const std::string question = "dx=crime.ttxh.cases&ou=106&pe=2016";
  const Reply plain = request("GET", "/api/analytics?" + question, "", api_token);
  ASSERT_EQ(plain.status, 200) << plain.body;
  const Reply plain_csv = request("GET", "/api/analytics?format=csv&" + question, "", api_token);
  ASSERT_EQ(plain_csv.status, 200);
  for (std::string path : {"/api/41/analytics", "/api/analytics.json", "/api/29/analytics.json", "/api/42/analytics"}) {
    const Reply r = request("GET", path + "?" + question, "", api_token);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, plain.body) << path;
  }
  for (std::string path : {"/api/analytics.csv", "/api/40/analytics.csv"}) {
    const Reply r = request("GET", path + "?" + question, "", api_token);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, plain_csv.body) << path;
    EXPECT_EQ(r.headers.at("content-type"), "text/csv; charset=utf-8") << path;
  }
  // The query's own format wins over the suffix.
  EXPECT_EQ(request("GET", "/api/analytics.csv?format=json&" + question, "", api_token).body, plain.body);
  EXPECT_EQ(request("GET", "/api/41/me.json", "", api_token).status, 200);
  for (std::string path : {"/api/28/analytics", "/api/43/analytics", "/api/41", "/api/.json", "/api/4/analytics"}) {
    EXPECT_EQ(request("GET", path + "?" + question, "", api_token).status, 404) << path;
  }
  EXPECT_EQ(request("GET", "/api/41/analytics?" + question, "", {{"Authorization", "ApiToken qpan_not_a_token"}}).status, 401);
  // A state change with an ApiToken needs no CSRF token, as with Bearer.
  const std::string body = json::serialize(json::object{{"dataElement", "crime.ttxh.cases"}, {"period", "201605"}, {"orgUnit", "03400"}, {"value", "2"}});
  EXPECT_EQ(request("PUT", "/api/41/dataValues", body, api_token).status, 200);
}

// HTTP Basic, as DHIS2's clients may send it: the password checked as a login is, on every
// request, throttled with the logins; no CSRF token (nothing a browser sends by itself).
TEST_P(ApiTest, BasicCredentialsAreCheckedAsALoginIs) {
  const Reply me = request("GET", "/api/41/me", "", basic("canbo.xa:" + std::string(kPassword)));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("user").at("username"), "canbo.xa");
  EXPECT_FALSE(me.json().as_object().contains("csrfToken")) << "no session, no CSRF token";
  EXPECT_EQ(request("GET", "/api/me", "", {{"Authorization", "Basic !!!"}}).status, 401);
  EXPECT_EQ(request("GET", "/api/me", "", basic("canbo.xa")).status, 401) << "no colon";
  for (int i = 0; i < 5; ++i) EXPECT_EQ(request("GET", "/api/me", "", basic("canbo.xa:not-the-password")).status, 401);
  const Reply throttled = request("GET", "/api/me", "", basic("canbo.xa:" + std::string(kPassword)));
  EXPECT_EQ(throttled.status, 429);
  EXPECT_TRUE(throttled.headers.count("retry-after"));
  EXPECT_EQ(throttled.body.find(kPassword), std::string::npos);
}

// Analytics asked as DHIS2's clients ask: dimension and filter parameters (comma-joined as
// @dhis2/data-engine sends them), `;` items, a relative period, USER_ORGUNIT and LEVEL-n give
// the figures qpan's own form gives, laid out in the order asked; what cannot be answered
// is refused in DHIS2's error shape, naming the parameter.
TEST_P(ApiTest, Dhis2AnalyticsParametersAskTheSameQuestion) {
  Result<IssuedApiToken> token = accounts_->issue_api_token("tinh", "dhis2-client", 1700000000);
  ASSERT_TRUE(token.is_ok());
  const std::vector<std::pair<std::string, std::string>> auth{{"Authorization", "ApiToken " + token->token}};
  const json::value own = request("GET", "/api/analytics?dx=crime.ttxh.cases,crime.ttxh.solved&ou=03400&pe=201601", "", auth).json();
  ASSERT_EQ(own.at("rows").as_array().size(), 2u);

  // pe first, then dx; the unit as a filter; 201601 as "the month before" 2016-02-10.
  const Reply asked = request("GET",
                              "/api/41/analytics?dimension=pe%3ALAST_MONTH,dx%3Acrime.ttxh.cases%3Bcrime.ttxh.solved"
                              "&filter=ou%3A03400&relativePeriodDate=2016-02-10",
                              "", auth);
  ASSERT_EQ(asked.status, 200) << asked.body;
  const json::value a = asked.json();
  ASSERT_EQ(a.at("headers").as_array().size(), 3u);
  EXPECT_EQ(a.at("headers").at(0).at("name"), "pe");
  EXPECT_EQ(a.at("headers").at(1).at("name"), "dx");
  for (size_t i = 0; i < 2; ++i) {
    const json::array& mine = own.at("rows").at(i).as_array();  // dx, ou, pe, value
    const json::array& theirs = a.at("rows").at(i).as_array();  // pe, dx, value
    EXPECT_EQ(theirs.at(0), mine.at(2));
    EXPECT_EQ(theirs.at(1), mine.at(0));
    EXPECT_EQ(theirs.at(2), mine.at(3));
  }
  EXPECT_EQ(a.at("metaData").at("dimensions").at("ou"), json::array{"03400"});

  // The account's unit, and the communes of district 106 by level.
  const json::value mine = request("GET", "/api/analytics?dimension=dx:crime.ttxh.cases&dimension=ou:USER_ORGUNIT&filter=pe:2016", "", auth).json();
  EXPECT_EQ(mine.at("metaData").at("dimensions").at("ou"), json::array{"12"});
  EXPECT_EQ(mine.at("rows").at(0).at(1), "12");
  const json::value communes =
      request("GET", "/api/analytics?dimension=dx:crime.ttxh.cases,ou:106;LEVEL-3&filter=pe:201601&skipMeta=true", "", auth).json();
  ASSERT_FALSE(communes.as_object().contains("metaData")) << communes;
  ASSERT_EQ(communes.at("rows").as_array().size(), 1u) << communes;  // only Tả Lèng has a value
  EXPECT_EQ(communes.at("rows").at(0).at(1), "03400");

  // Refusals: DHIS2's WebMessage fields, the parameter named.
  const Reply weekly = request("GET", "/api/41/analytics?dimension=dx:crime.ttxh.cases&dimension=pe:2016W1", "", auth);
  EXPECT_EQ(weekly.status, 400);
  const json::value w = weekly.json();
  EXPECT_EQ(w.at("httpStatus"), "Bad Request");
  EXPECT_EQ(w.at("httpStatusCode"), 400);
  EXPECT_EQ(w.at("status"), "ERROR");
  EXPECT_NE(std::string(w.at("message").as_string()).find("2016W1"), std::string::npos) << weekly.body;
  EXPECT_EQ(request("GET", "/api/analytics?dx=crime.ttxh.cases&dimension=pe:2016", "", auth).status, 400);
  // Out of scope stays out of scope, however it is asked.
  EXPECT_EQ(request("GET", "/api/analytics?dimension=dx:crime.ttxh.cases,pe:2016&filter=ou:10", "", auth).status, 403);
}

// ADX through the API: a document posted as application/adx+xml goes through the write
// path (a dry run writes nothing; a bad value is named by its line), and a form's values come
// back as a document that posts again unchanged.
TEST_P(ApiTest, AdxDocumentsInAndOut) {
  Result<IssuedApiToken> token = accounts_->issue_api_token("tinh", "adx", 1700000000);
  ASSERT_TRUE(token.is_ok());
  const std::vector<std::pair<std::string, std::string>> auth{{"Authorization", "ApiToken " + token->token},
                                                              {"Content-Type", "application/adx+xml"}};
  const std::string document =
      "<adx xmlns=\"urn:ihe:qrph:adx:2015\" exported=\"2026-12-04T10:00:00Z\">\n"
      "<group orgUnit=\"03400\" period=\"2016-02-01/P1M\" dataSet=\"ds.antt.commune.monthly\">\n"
      "<dataValue dataElement=\"crime.ttxh.cases\" value=\"6\"/>\n"
      "<dataValue dataElement=\"crime.ttxh.solved\" value=\"5\"><annotation>đã xử lý</annotation></dataValue>\n"
      "</group>\n</adx>\n";
  const Reply dry = request("POST", "/api/41/dataValueSets?dryRun=true", document, auth);
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(dry.json().at("response").at("importCount").at("imported"), 2);
  EXPECT_EQ(request("GET", "/api/dataValues?de=crime.ttxh.cases&pe=201602&ou=03400", "", auth).status, 404);

  const Reply posted = request("POST", "/api/dataValueSets", document, auth);
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(posted.json().at("response").at("status"), "SUCCESS");
  const Reply read = request("GET", "/api/dataValueSets?dataSet=ds.antt.commune.monthly&period=201602&orgUnit=03400", "",
                             {{"Authorization", "ApiToken " + token->token}, {"Accept", "application/adx+xml"}});
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.headers.at("content-type"), "application/adx+xml; charset=utf-8");
  EXPECT_NE(read.body.find("period=\"2016-02-01/P1M\""), std::string::npos) << read.body;
  EXPECT_NE(read.body.find("<annotation>đã xử lý</annotation>"), std::string::npos) << read.body;
  const Reply again = request("POST", "/api/dataValueSets", read.body, auth);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("unchanged"), 2);

  const std::string bad = "<adx xmlns=\"urn:ihe:qrph:adx:2015\">\n<group orgUnit=\"03400\" period=\"2016-02-01/P1M\">\n"
                          "<dataValue dataElement=\"crime.ttxh.cases\" value=\"nhiều\"/>\n</group>\n</adx>\n";
  const Reply refused = request("POST", "/api/dataValueSets", bad, auth);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("adx:3: value"), std::string::npos) << refused.body;
}

TEST_P(ApiTest, AnExcelFormDownloadedAndUploadedGoesThroughTheWritePath) {
  const Login officer = login("canbo.xa");
  std::vector<std::pair<std::string, std::string>> headers = auth(officer);
  const std::string value = "/api/dataValues?de=crime.ttxh.cases&pe=201603&ou=03400";
  const Reply put = request("PUT", "/api/dataValues",
                            json::serialize(json::object{{"dataElement", "crime.ttxh.cases"}, {"period", "201603"},
                                                         {"orgUnit", "03400"}, {"value", "6"}}),
                            headers);
  ASSERT_EQ(put.status, 200) << put.body;

  const Reply workbook = request("GET", "/api/forms/ds.antt.commune.monthly?ou=03400&pe=201603&format=xlsx", "", headers);
  ASSERT_EQ(workbook.status, 200) << workbook.body;
  EXPECT_EQ(workbook.headers.at("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(workbook.headers.at("content-disposition"),
            "attachment; filename=\"bieu-ds.antt.commune.monthly-03400-201603.xlsx\"");
  const std::string cells = qpan::testing::read_xlsx_cells(workbook.body);
  EXPECT_NE(cells.find("Biểu mẫu\tA2\tĐơn vị báo cáo: Xã Tả Lèng (mã 03400)"), std::string::npos) << cells;
  EXPECT_NE(cells.find("Biểu mẫu\tD8\t6\t#,##0"), std::string::npos) << cells;
  // Another commune's form is out of the officer's scope, in either format.
  EXPECT_EQ(request("GET", "/api/forms/ds.antt.commune.monthly?ou=03397&pe=201603&format=xlsx", "", headers).status, 403);

  // The value changes on the screen; the workbook uploaded afterwards puts its own back.
  const Reply changed = request("PUT", "/api/dataValues",
                                json::serialize(json::object{{"dataElement", "crime.ttxh.cases"}, {"period", "201603"},
                                                             {"orgUnit", "03400"}, {"value", "9"}}),
                                [&] {
                                  auto h = headers;
                                  h.emplace_back("If-Match", put.headers.at("etag"));
                                  return h;
                                }());
  ASSERT_EQ(changed.status, 200) << changed.body;
  const auto as_workbook = [](std::vector<std::pair<std::string, std::string>> h) {
    for (auto& [name, v] : h) {
      if (name == "Content-Type") v = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    }
    return h;
  };
  headers = as_workbook(headers);
  const Reply uploaded = request("POST", "/api/dataValueSets", workbook.body, headers);
  ASSERT_EQ(uploaded.status, 200) << uploaded.body;
  EXPECT_EQ(uploaded.json().at("updated"), 1);
  EXPECT_EQ(uploaded.json().at("response").at("status"), "SUCCESS");
  EXPECT_EQ(request("GET", value, "", auth(officer)).json().at("value"), "6");

  // A viewer's upload is refused before the workbook is read; a workbook that is no form says so.
  EXPECT_EQ(request("POST", "/api/dataValueSets", workbook.body, as_workbook(auth(login("xem")))).status, 403);
  const Reply garbage = request("POST", "/api/dataValueSets", "PK not a workbook", headers);
  EXPECT_EQ(garbage.status, 400);
  EXPECT_NE(garbage.body.find("form.xlsx: not an XLSX workbook"), std::string::npos) << garbage.body;
}

TEST_P(ApiTest, RepeatedFailedLoginsAreThrottled) {
  const std::string wrong = json::serialize(json::object{{"username", "canbo.xa"}, {"password", "not-the-password"}});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(request("POST", "/api/login", wrong).status, 401);
  const Reply r = request("POST", "/api/login", json::serialize(json::object{{"username", "canbo.xa"}, {"password", kPassword}}));
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(r.headers.count("retry-after"));
  EXPECT_EQ(r.body.find(kPassword), std::string::npos);
}

TEST_P(ApiTest, ABadImportListsLinesAndWritesNothing) {
  const Login l = login("tinh");
  const std::string before = fingerprint();
  const Reply r = request("POST", "/api/imports/dataValues",
                          "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
                          "crime.ttxh.cases,201702,03400,,,3\n"
                          "crime.ttxh.cases,2017-13,03400,,,3\n"
                          "crime.ttxh.cases,201703,03400,,,many\n",
                          {{"Cookie", l.cookie}, {"X-CSRF-Token", l.csrf}});
  EXPECT_EQ(r.status, 400);
  const json::value doc = r.json();
  const json::array& problems = doc.at("error").at("details").at("problems").as_array();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].at("line"), 3);
  EXPECT_EQ(problems[0].at("field"), "period");
  EXPECT_EQ(problems[1].at("line"), 4);
  EXPECT_EQ(problems[1].at("field"), "value");
  EXPECT_EQ(fingerprint(), before);
  // Invalid JSON and invalid UTF-8 bodies are 400 too.
  EXPECT_EQ(request("PUT", "/api/dataValues", "{not json", auth(l)).status, 400);
  EXPECT_EQ(request("PUT", "/api/dataValues", "{\"value\":\"\xff\"}", auth(l)).status, 400);
}

// A delegation written through the API is in the next analytics answer; a second editor gets
// 412; a register uploaded with a wrong type in row 7 writes nothing and names row 7.
TEST_P(ApiTest, RegistryRecordsAreCountedIntoTheNextAnswer) {
  const Login province = login("tinh");
  const auto persons_2022 = [&] {
    const json::value a = request("GET", "/api/analytics?dx=foreign.in.persons&ou=12&pe=2022", "", auth(province)).json();
    const json::array& rows = a.at("rows").as_array();
    return rows.empty() ? std::string("none") : json::serialize(rows.at(0).at(3));
  };
  EXPECT_EQ(persons_2022(), "none");
  const json::object fields{{"partner", "van_nam"}, {"delegation", "Đoàn Sở Ngoại vụ tỉnh Vân Nam"},
                            {"head_title", "Phó Giám đốc Sở Ngoại vụ"}, {"date_from", "2022-03-08"},
                            {"date_to", "10/03/2022"}, {"purpose", "Trao đổi công tác biên giới"}, {"persons", 12},
                            {"worked_with", true}};
  const Reply created = request("POST", "/api/registries/reg.foreign.delegation_in/records",
                                json::serialize(json::object{{"orgUnit", "12"}, {"fields", fields}}), auth(province));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.headers.at("etag"), "\"v1\"");
  EXPECT_EQ(created.json().at("fields").at("date_to"), "2022-03-10");
  EXPECT_EQ(persons_2022(), "\"12\"");
  const std::string path = "/api/registries/reg.foreign.delegation_in/records/" +
                           std::to_string(created.json().at("id").as_int64());

  // Two editors read version 1; the second one's change is refused with the current record.
  json::object changed_fields = fields;
  changed_fields["persons"] = 14;
  auto with_if_match = [&](const std::string& etag) {
    auto h = auth(province);
    h.emplace_back("If-Match", etag);
    return h;
  };
  const std::string changed = json::serialize(json::object{{"orgUnit", "12"}, {"fields", changed_fields}});
  const Reply first = request("PUT", path, changed, with_if_match("\"v1\""));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(persons_2022(), "\"14\"");
  const Reply second = request("PUT", path, changed, with_if_match("\"v1\""));
  EXPECT_EQ(second.status, 412) << second.body;
  EXPECT_EQ(second.json().at("error").at("details").at("current").at("version"), 2);

  // A commune officer may neither write nor read the province's register.
  const Login commune = login("canbo.xa");
  EXPECT_EQ(request("POST", "/api/registries/reg.foreign.delegation_in/records",
                    json::serialize(json::object{{"orgUnit", "12"}, {"fields", fields}}), auth(commune))
                .status,
            403);
  EXPECT_EQ(request("GET", "/api/registries/reg.foreign.delegation_in/records?ou=12", "", auth(commune)).status, 403);

  // The list: one record, its sums, the total.
  const json::value listed = request("GET", "/api/registries/reg.foreign.delegation_in/records?ou=12&from=2022-01-01&to=2022-12-31",
                                     "", auth(province)).json();
  EXPECT_EQ(listed.at("total"), 1);
  EXPECT_EQ(listed.at("sums").at("persons"), 14.0);
  EXPECT_EQ(listed.at("records").at(0).at("orgUnitName"), "Tỉnh Lai Châu");

  // A register kept in Excel, with a whole number expected in row 7: nothing is written.
  XlsxSheet sheet;
  sheet.name = "Sổ";
  sheet.header = {"Mã đơn vị", "Đối tác", "Tên đoàn", "Chức vụ trưởng đoàn", "Ngày đến", "Ngày đi",
                  "Mục đích, nội dung làm việc", "Số thành viên", "Tỉnh đón tiếp, làm việc"};
  for (int row = 2; row <= 7; ++row) {
    sheet.rows.push_back({XlsxCell::of_text("12"), XlsxCell::of_text("bac_lao"), XlsxCell::of_text("Đoàn tỉnh Phông-sa-lỳ"),
                          XlsxCell::of_text("Phó Tỉnh trưởng"), XlsxCell::of_text("2022-04-0" + std::to_string(row)),
                          XlsxCell::of_text("2022-04-09"), XlsxCell::of_text("Hợp tác"),
                          row == 7 ? XlsxCell::of_text("mười") : XlsxCell::of_number(6, 0), XlsxCell::of_text("Có")});
  }
  const std::string workbook = write_xlsx_workbook({sheet}, "so").value();
  auto upload = auth(province);
  for (auto& [name, v] : upload) {
    if (name == "Content-Type") v = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }
  const std::string before = fingerprint();
  const Reply refused = request("POST", "/api/registries/reg.foreign.delegation_in/records", workbook, upload);
  ASSERT_EQ(refused.status, 400) << refused.body;
  const json::value problem = refused.json().at("problems").at(0);
  EXPECT_EQ(problem.at("line"), 7);
  EXPECT_EQ(problem.at("column"), 8);
  EXPECT_EQ(problem.at("field"), "persons");
  EXPECT_EQ(fingerprint(), before);
  // Corrected, it goes in whole: six more delegations, 36 more persons.
  sheet.rows.back()[7] = XlsxCell::of_number(6, 0);
  const Reply imported = request("POST", "/api/registries/reg.foreign.delegation_in/records",
                                 write_xlsx_workbook({sheet}, "so").value(), upload);
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(imported.json().at("created"), 6);
  EXPECT_EQ(persons_2022(), "\"50\"");

  // Exported as the register, it reads back in Excel as it went in.
  const Reply exported = request("GET", "/api/registries/reg.foreign.delegation_in/records?ou=12&format=xlsx", "", auth(province));
  ASSERT_EQ(exported.status, 200);
  const std::string cells = qpan::testing::read_xlsx_cells(exported.body);
  EXPECT_NE(cells.find("Sổ\tA1\tMã bản ghi"), std::string::npos) << cells;
  EXPECT_NE(cells.find("Tỉnh Lai Châu"), std::string::npos);
  EXPECT_EQ(request("DELETE", path, "", with_if_match("\"v2\"")).status, 204);
  EXPECT_EQ(persons_2022(), "\"36\"");
}

TEST_P(ApiTest, AReportIsFilledInFromTheLiveEngineWithinTheCallersScope) {
  const Login province = login("tinh");
  const json::value listed = request("GET", "/api/reports", "", auth(province)).json();
  ASSERT_EQ(listed.at("reports").as_array().size(), 4u);
  EXPECT_EQ(listed.at("reports").at(3).at("code"), "rpt.quarterly_review");
  EXPECT_EQ(listed.at("reports").at(3).at("periodTypes"), (json::array{"quarter", "six_month"}));

  // The figure is the analytics answer, marked with its question; a value written is in the
  // next report.
  const std::string path = "/api/reports/rpt.quarterly_review?ou=12&pe=2016Q1";
  const std::string marked = "data-dx=\"crime.ttxh.cases\" data-ou=\"12\" data-pe=\"2016Q1\"";
  Reply html = request("GET", path, "", auth(province));
  ASSERT_EQ(html.status, 200) << html.body;
  EXPECT_EQ(html.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(html.body.find("Trong quý I/2016, xảy ra <"), std::string::npos) << html.body.substr(0, 4000);
  const size_t figure = html.body.find(marked);
  ASSERT_NE(figure, std::string::npos);
  EXPECT_NE(html.body.find(">4<", figure), std::string::npos);  // 4 crimes in Tả Lèng, January 2016
  const Reply written = request(
      "POST", "/api/dataValues?de=crime.ttxh.cases&pe=201602&ou=" + std::string(kInside) + "&value=5", "", auth(province));
  ASSERT_EQ(written.status, 201) << written.body;
  html = request("GET", path, "", auth(province));
  EXPECT_NE(html.body.find(">9<", html.body.find(marked)), std::string::npos);

  const Reply pdf = request("GET", path + "&format=pdf&date=2016-04-05", "", auth(province));
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.headers.at("content-type"), "application/pdf");
  EXPECT_EQ(pdf.headers.at("content-disposition"), "attachment; filename=\"rpt_quarterly_review-12-2016Q1.pdf\"");
  EXPECT_TRUE(pdf.body.starts_with("%PDF-"));
  const Reply docx = request("GET", path + "&format=docx", "", auth(province));
  ASSERT_EQ(docx.status, 200);
  EXPECT_TRUE(docx.body.starts_with("PK"));

  // Refusals: the reason named, nothing rendered.
  EXPECT_EQ(request("GET", path + "&format=odt", "", auth(province)).json().at("error").at("message"),
            "format: \"odt\" is not a report format (docx, pdf, xlsx, html)");
  EXPECT_EQ(request("GET", "/api/reports/rpt.nothing?ou=12&pe=2016Q1", "", auth(province)).status, 404);
  const Reply wrong_period = request("GET", "/api/reports/rpt.quarterly_review?ou=12&pe=2016", "", auth(province));
  EXPECT_EQ(wrong_period.status, 400);
  EXPECT_EQ(wrong_period.json().at("error").at("message"),
            "pe: report rpt.quarterly_review is written for periods of type quarter, six_month; 2016 is a year");
  EXPECT_EQ(request("GET", path, "", auth(login("canbo.xa"))).status, 403);  // the province is outside a commune's scope
}

// A server told its database is read-only (over a hot standby; `qpan serve` asks the store):
// sessions and tokens made through a writing server read; every other method of every
// route, the login included, is refused with 503 before anything is looked at; a password
// (Basic) is refused too, since checking one is recorded.
TEST_P(ApiTest, AReadOnlyServerAnswersReadsAndRefusesTheRest) {
  const Login primary = login("tinh");
  Result<IssuedApiToken> token = accounts_->issue_api_token("tinh", "dashboard", 1700000000);
  ASSERT_TRUE(token.is_ok());
  server_->stop();
  thread_.join();
  AccountsOptions options;
  options.password_opslimit = crypto_pwhash_OPSLIMIT_MIN;
  options.password_memlimit = crypto_pwhash_MEMLIMIT_MIN;
  options.read_only = true;
  Accounts standby_accounts(*accounts_store_, options);
  Api standby(*store_, *engine_, standby_accounts, *workflow_, metrics_, {false, {}, true});
  ASSERT_TRUE(standby.load().is_ok());
  Router router;
  standby.add_routes(router);
  serve(router);

  EXPECT_EQ(request("GET", "/api/me", "", auth(primary)).status, 200);
  const Reply figure = request("GET", "/api/analytics?dx=crime.ttxh.cases&ou=106&pe=201601&format=csv", "", auth(primary));
  EXPECT_NE(figure.body.find("crime.ttxh.cases,106,201601,4"), std::string::npos) << figure.body;
  EXPECT_EQ(request("GET", "/api/pack", "", {{"Authorization", "Bearer " + token->token}}).status, 200);
  const std::string before = fingerprint();
  int refused = 0;
  for (const Route& route : router.routes()) {
    if (route.method == "GET" || route.method == "HEAD") continue;
    std::string path = route.pattern;
    for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{')) {
      path.replace(open, path.find('}', open) - open + 1, "x");
    }
    const Reply r = request(route.method, path, "{}", auth(primary));
    EXPECT_EQ(r.status, 503) << route.method << " " << route.pattern << ": " << r.body;
    EXPECT_EQ(r.json().at("error").at("code"), "read_only") << route.method << " " << route.pattern;
    EXPECT_NE(r.body.find("máy chủ chỉ đọc"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("this server is read-only"), std::string::npos) << r.body;
    ++refused;
  }
  EXPECT_GE(refused, 10);  // login, logout, values, approvals, registries, imports…
  EXPECT_EQ(request("POST", "/api/login", json::serialize(json::object{{"username", "tinh"}, {"password", kPassword}})).status, 503);
  const Reply with_password = request("GET", "/api/me", "", basic("tinh:" + std::string(kPassword)));
  EXPECT_EQ(with_password.status, 503) << with_password.body;
  EXPECT_EQ(fingerprint(), before) << "nothing written";
  // The routes and their locals end before the fixture's members.
  server_->stop();
  thread_.join();
  server_.reset();
}

TEST_P(ApiTest, OpenApiListsExactlyTheRoutes) {
  const json::value doc = request("GET", "/api/openapi.json").json();
  std::set<std::string> documented, served;
  for (const auto& [path, ops] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : ops.as_object()) {
      std::string m(method);
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(m + " " + std::string(path));
    }
  }
  for (const Route& r : router_.routes()) served.insert(r.method + " " + r.pattern);
  EXPECT_EQ(documented, served);
  EXPECT_EQ(doc.at("openapi"), "3.0.3");
}

INSTANTIATE_TEST_SUITE_P(Stores, ApiTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres), backend_name);

}  // namespace
}  // namespace qpan::http
