// The real `qpan` binary as the end-to-end JavaScript tests run it (the browser tests in
// web/tests/browser, the DHIS2 client tests in tests/dhis2): commands with their output, and
// `qpan serve` on a free port, each failing on a sanitizer report. No dependencies.
//
// Environment: QPAN_BIN (the qpan binary, required); QPAN_DEMO_DB (optional, a demo database
// to copy instead of building one: CTest's fixture demo_db, tests/cli/fixtures.sh).
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';

const qpanBinary = process.env.QPAN_BIN;

// A sanitizer report must fail the test, not pass for a user error.
const childEnv = {
  ...process.env,
  ASAN_OPTIONS: `${process.env.ASAN_OPTIONS ? `${process.env.ASAN_OPTIONS}:` : ''}exitcode=86`,
  UBSAN_OPTIONS: `${process.env.UBSAN_OPTIONS ? `${process.env.UBSAN_OPTIONS}:` : ''}exitcode=86:print_stacktrace=1`,
  LC_ALL: 'C.UTF-8',
};
const sanitizerReport = /ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:/;

// Runs qpan with ARGS (and `input` on stdin); its stdout, or a failure naming the command.
export async function qpan(args, input) {
  if (!qpanBinary) throw new Error('QPAN_BIN must name the qpan binary');
  const child = execFile(qpanBinary, args, { env: childEnv, maxBuffer: 64 << 20 });
  child.stdin.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((done) => child.on('close', done));
  if (code !== 0 || sanitizerReport.test(stderr)) {
    throw new Error(`qpan ${args.join(' ')} exited ${code}:\n${stderr.slice(0, 4000)}`);
  }
  return stdout;
}

// Makes DB a fresh demo database of the manifest MANIFEST: a copy of QPAN_DEMO_DB (built once
// per CTest run from demo/demo.json, the manifest every caller passes) when it names a file,
// else `qpan demo` here (some 20 s under the sanitizers).
export async function makeDemoDatabase(db, manifest) {
  const shared = process.env.QPAN_DEMO_DB;
  if (shared && existsSync(shared)) {
    copyFileSync(shared, db);
    if (existsSync(`${shared}-wal`)) copyFileSync(`${shared}-wal`, `${db}-wal`);
    return;
  }
  await qpan(['demo', '--db', db, '--manifest', manifest]);
}

// Starts `qpan serve --db DB --listen 127.0.0.1:0 --threads 2` with `more` arguments; its
// URL once it listens, and `stop()`, which fails when the server reported a sanitizer error
// or exited other than cleanly.
export async function startServer(db, more = []) {
  if (!qpanBinary) throw new Error('QPAN_BIN must name the qpan binary');
  const server = spawn(qpanBinary, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--threads', '2', ...more],
    { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let serverErr = '';
  server.stderr.on('data', (d) => (serverErr += d));
  const url = await new Promise((found, failed) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) found(m[1]);
    });
    server.on('exit', (code) => failed(new Error(`qpan serve exited ${code} before listening:\n${serverErr.slice(-4000)}`)));
  });
  return {
    url,
    async stop() {
      const exited = new Promise((done) => server.on('exit', (code) => done(code)));
      server.kill('SIGTERM');
      const code = await exited;
      if (sanitizerReport.test(serverErr)) throw new Error(`qpan serve: sanitizer report:\n${serverErr.slice(-4000)}`);
      if (code !== 0) throw new Error(`qpan serve exited ${code}`);
    },
  };
}
