# The two commands of the README: `make run` and `make test`. Everything else is a helper.
# Builds go to build/release (optimised, what `run` and the benchmarks use) and build/test
# (AddressSanitizer + UndefinedBehaviorSanitizer, what `test` uses).

JOBS ?= $(shell nproc)
DB ?= var/qpan.db
CMAKE_FLAGS ?=

.PHONY: run test test-postgres deps build build-test web bench bench-engine bench-http bench-stores bench-web clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DQPAN_BUILD_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build build/release -j $(JOBS)

# -g1 (line tables) is what the sanitizers' stack traces need; full -g costs a quarter more
# compile time on a 2-core CI. CMAKE_FLAGS='-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g' for a debugger.
build-test: deps
	@cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=Debug -DQPAN_SANITIZE=ON \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DQPAN_CLI_PG_ALL=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build build/test -j $(JOBS)

# The web application into web/dist (npm ci only when node_modules is missing or the
# lockfile changed).
web: deps
	@bash scripts/build-web.sh

# CTest also builds the web application and runs its unit and browser tests (label browser).
test: build-test
	@cd build/test && ctest --output-on-failure -j $(JOBS)

# Every end-to-end case that is not about SQLite files, on PostgreSQL (cli.pg.*; `make test`
# runs the set chosen for CI's time). The same build; `make test` sets the option back.
test-postgres: build-test
	@cmake -S . -B build/test -DQPAN_CLI_PG_ALL=ON >/dev/null
	@cd build/test && ctest --output-on-failure -j $(JOBS) -R '^cli\.pg\.'

run: build web
	@bash scripts/run-demo.sh build/release/qpan $(DB)

bench: build
	@bash bench/import.sh --build-dir build/release

# The aggregation engine against SQLite and PostgreSQL 15 on ~100 million values (long).
bench-engine: build
	@bash bench/engine.sh --build-dir build/release

# qpan serve against nginx with wrk (reads and batch writes).
bench-http: build
	@bash bench/http.sh --build-dir build/release --no-build

# qpan serve over PostgreSQL 15 against SQLite: queries, start-up without a snapshot, batch
# writes through three servers (24 months of bench/engine.sh's values; --from/--to for more).
bench-stores: build
	@bash bench/stores.sh --build-dir build/release

# The web application in Chromium: first screen at 1 Mbit/s + 300 ms, a 100-cell form's opening.
bench-web: build
	@bash bench/web.sh --build-dir build/release --no-build

clean:
	rm -rf build var web/dist
