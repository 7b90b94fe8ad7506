// Speed of the web application (issue 12) in real Chromium against a release `qpan serve`
// on the demo database. Run by bench/web.sh, which builds what it needs; see there.
//
//   first screen: a browser with an empty cache opens the address of a commune's form over
//     a link of 1 Mbit/s with 300 ms latency (Chromium's network emulation, both ways).
//     Measured: until the login screen is interactive (its inputs can be typed into), and
//     from pressing Enter on the login until the form's grid is there with every cell. Served
//     by `qpan serve --static` and, side by side in the same run, by nginx (gzip on; /api
//     proxied to the same qpan), alternating which goes first.
//   form open: a form of at least 100 cells (a bench data set added to the pack: elements in
//     pack order, with their disaggregation columns) opened inside the running application
//     (a change of address, as from the worklist), unthrottled on this machine: from the
//     change of address until every cell's input is in the page and painted. Each open is a
//     different month, so no answer is reused.
// Service workers are blocked in the bench's browsers: a page's network emulation does not
// apply to a worker's fetches, and a warm worker cache would flatter the cold start.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(join(repo, 'web', 'package.json'))('playwright-core');

const options = { qpan: '', work: '/tmp/qpan-bench-web', runs: 5, opens: 20, nginx: '/usr/sbin/nginx' };
for (let i = 2; i < process.argv.length; i += 2) {
  const [name, value] = [process.argv[i], process.argv[i + 1]];
  const key = { '--qpan': 'qpan', '--work-dir': 'work', '--runs': 'runs', '--opens': 'opens', '--nginx': 'nginx' }[name];
  if (!key || value === undefined) throw new Error(`web_speed.mjs: unknown option ${name}`);
  options[key] = key === 'runs' || key === 'opens' ? Number(value) : value;
}
if (!options.qpan) throw new Error('web_speed.mjs: --qpan BINARY is required');

const link = { latency: 300, bytesPerSecond: 1_000_000 / 8 };
const dataSet = 'ds.bench.hundred';
const commune = '03400'; // Xã Tả Lèng, Lai Châu
const formPeriod = '201805';
const username = 'bench.web';
const password = 'mat-khau-do-tai-bench-web';
const say = (text) => process.stderr.write(`== ${text}\n`);
const qpan = (args, input) => execFileSync(options.qpan, args, { input, encoding: 'utf8', maxBuffer: 64 << 20 });

// ---- The database: the demo and a pack with a data set of at least 100 cells ------------
function benchPack(folder) {
  cpSync(join(repo, 'packs', 'qpan-vn'), folder, { recursive: true });
  const optionCount = Object.fromEntries(
    JSON.parse(readFileSync(join(folder, 'disaggregations.json'), 'utf8')).disaggregations.map((d) => [d.code, d.options.length]));
  const elements = [];
  let cells = 0;
  for (const file of ['crime', 'drugs', 'traffic', 'fire', 'weapons', 'border', 'inspection', 'legal_education', 'foreign', 'awards']) {
    for (const e of JSON.parse(readFileSync(join(folder, 'elements', `${file}.json`), 'utf8')).elements) {
      if (cells >= 100) break;
      elements.push(e.code);
      cells += e.disaggregation ? optionCount[e.disaggregation] : 1;
    }
  }
  const path = join(folder, 'data_sets.json');
  const sets = JSON.parse(readFileSync(path, 'utf8'));
  sets.data_sets.push({
    code: dataSet, name_vi: 'Biểu đo tốc độ (100 ô)', name_en: 'Speed bench form (100 cells)', period_type: 'month',
    calendar: 'cutoff', level: 'commune', deadline_days: 2, approval: ['district'], elements,
  });
  writeFileSync(path, JSON.stringify(sets, null, 2));
  return cells;
}

function startServer(db, staticDir) {
  const server = spawn(options.qpan, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--static', staticDir],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((found, failed) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m) found({ server, url: m[1], port: Number(m[2]) });
    });
    server.on('exit', (code) => failed(new Error(`qpan serve exited ${code}`)));
  });
}

function startNginx(folder, port, apiPort) {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'nginx.conf'), `worker_processes 2;
pid ${folder}/nginx.pid;
error_log ${folder}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  include /etc/nginx/mime.types;
  gzip on;
  gzip_types text/css application/javascript text/javascript application/json;
  server {
    listen 127.0.0.1:${port};
    root ${join(repo, 'web', 'dist')};
    location /api/ {
      proxy_pass http://127.0.0.1:${apiPort};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
    }
  }
}
`);
  execFileSync(options.nginx, ['-c', join(folder, 'nginx.conf'), '-p', folder]);
  return () => execFileSync('kill', [readFileSync(join(folder, 'nginx.pid'), 'utf8').trim()]);
}

// "nginx/1.22.1": nginx prints its version on stderr.
const nginxVersion = () => spawnSync(options.nginx, ['-v'], { encoding: 'utf8' }).stderr.trim().replace('nginx version: ', '');

// ---- Measurements -------------------------------------------------------------------------
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

async function throttledPage(browser) {
  const context = await browser.newContext({ locale: 'vi-VN', serviceWorkers: 'block' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: link.latency, downloadThroughput: link.bytesPerSecond, uploadThroughput: link.bytesPerSecond,
  });
  // Bytes as they crossed the link (compressed, with headers), from Chromium itself.
  const wire = { bytes: 0 };
  cdp.on('Network.loadingFinished', (e) => { wire.bytes += e.encodedDataLength; });
  return { context, page, wire };
}

// One cold start: the form's address in an empty browser, the login, the grid.
async function firstScreen(browser, base, cells) {
  const { context, page, wire } = await throttledPage(browser);
  const started = Date.now();
  await page.goto(`${base}/#/forms/${dataSet}/${commune}/${formPeriod}`, { waitUntil: 'commit' });
  const user = page.getByLabel('Tên đăng nhập');
  // The login form is drawn by the application's code: once it shows, it takes input.
  await user.waitFor({ state: 'visible' });
  const loginInteractive = Date.now() - started;
  await user.fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  const submitted = Date.now();
  await page.getByLabel('Mật khẩu').press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="cell-"] input.value').length >= n, cells,
    { polling: 'raf', timeout: 60_000 });
  const formInteractive = Date.now() - submitted;
  await context.close();
  return { loginInteractive, formInteractive, total: loginInteractive + formInteractive, bytes: wire.bytes };
}

// Opens of the form inside a running, logged-in application, timed in the page itself.
async function formOpens(browser, base, cells) {
  const context = await browser.newContext({ locale: 'vi-VN', serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.goto(`${base}/#/`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByLabel('Mật khẩu').press('Enter');
  await page.getByTestId('role').waitFor();
  const times = [];
  // Months of 2016–2018 that the demo holds, one per open, never the same twice.
  const months = [];
  for (let y = 2016; y <= 2018; ++y) for (let m = 1; m <= 12; ++m) months.push(`${y}${String(m).padStart(2, '0')}`);
  // The first open loads the form screen's code: timed apart, as the first of a session.
  let first = 0;
  for (let i = 0; i <= options.opens; ++i) {
    const ms = await page.evaluate(([ds, ou, pe, n]) => new Promise((done) => {
      const start = performance.now();
      const check = () => {
        if (document.querySelectorAll('[data-testid^="cell-"] input.value').length >= n &&
            document.querySelector('h1')?.textContent?.includes(pe.slice(0, 4))) {
          requestAnimationFrame(() => done(performance.now() - start));
        } else requestAnimationFrame(check);
      };
      window.location.hash = `#/forms/${ds}/${ou}/${pe}`;
      requestAnimationFrame(check);
    }), [dataSet, commune, months[i % months.length], cells]);
    if (i === 0) first = ms;
    else times.push(ms);
    // Leave the form so that the next open builds the grid anew.
    await page.evaluate(() => { window.location.hash = '#/'; });
    await page.getByTestId('role').waitFor();
  }
  await context.close();
  return { first, times };
}

// ---- The run ------------------------------------------------------------------------------
const git = (args) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
const commit = `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain']) ? ' (with uncommitted changes)' : ''}`;
const loadBefore = loadavg().map((x) => x.toFixed(2)).join(' ');
rmSync(options.work, { recursive: true, force: true });
mkdirSync(options.work, { recursive: true });
const db = join(options.work, 'demo.db');
say('demo database');
qpan(['demo', '--db', db]);
const cells = benchPack(join(options.work, 'pack'));
qpan(['pack', 'load', '--db', db, join(options.work, 'pack')]);
qpan(['users', 'add', '--db', db, username, '--role', 'province_admin', '--scope', '12', '--scope-at', '2020-01-01',
  '--name', 'Đo tốc độ'], `${password}\n${password}\n`);

const { server, url, port } = await startServer(db, join(repo, 'web', 'dist'));
const nginxPort = port + 1;
const stopNginx = startNginx(join(options.work, 'nginx'), nginxPort, port);
const nginxUrl = `http://127.0.0.1:${nginxPort}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
try {
  const formCells = await (async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}/#/`);
    const answer = await page.evaluate(async ([u, p, ds, ou, pe]) => {
      await fetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) });
      return (await fetch(`/api/forms/${ds}?ou=${ou}&pe=${pe}`)).json();
    }, [username, password, dataSet, commune, formPeriod]);
    await context.close();
    return answer.cells.length;
  })();
  if (formCells !== cells || cells < 100) throw new Error(`the bench form has ${formCells} cells, expected ${cells} ≥ 100`);
  say(`first screen at 1 Mbit/s and ${link.latency} ms latency, ${options.runs} runs per server`);
  const first = { qpan: [], nginx: [] };
  for (let run = 0; run < options.runs; ++run) {
    const order = run % 2 === 0 ? ['qpan', 'nginx'] : ['nginx', 'qpan'];
    for (const side of order) {
      const r = await firstScreen(browser, side === 'qpan' ? url : nginxUrl, cells);
      first[side].push(r);
      say(`run ${run + 1} ${side}: login interactive ${r.loginInteractive} ms, login → grid ${r.formInteractive} ms, total ${r.total} ms, ${r.bytes} bytes`);
    }
  }
  say(`form of ${cells} cells opened ${options.opens} times in the running application`);
  const opens = await formOpens(browser, url, cells);

  const m = (side, key) => median(first[side].map((r) => r[key]));
  const lines = [
    `### Web application (issue 12) — ${new Date().toUTCString()}`,
    '',
    `Command: \`bench/web.sh --runs ${options.runs} --opens ${options.opens}\` (qpan ${commit}, release build; ` +
      `Chromium ${browser.version()}; ${nginxVersion()}; loopback).`,
    '',
    `Machine: nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}, ${cpus()[0]?.model.trim()}, ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB memory; shared with other work, so noisy: compare medians and the ratios ` +
      `of sides measured alternately in the same run. Load average (1, 5, 15 min) before: ${loadBefore}; after: ` +
      `${loadavg().map((x) => x.toFixed(2)).join(' ')}.`,
    '',
    `First screen, empty browser cache, 1 Mbit/s both ways and ${link.latency} ms latency (Chromium network emulation); ` +
      `median of ${options.runs} runs per server, alternating which goes first (goal: first screen interactive ≤ 3 s):`,
    '',
    '| served by | login screen interactive | login → form grid (' + cells + ' cells) | total | bytes on the wire |',
    '|---|---:|---:|---:|---:|',
    ...['qpan', 'nginx'].map((side) =>
      `| ${side === 'qpan' ? '`qpan serve --static`' : 'nginx (gzip on, /api proxied to qpan)'} | ${m(side, 'loginInteractive')} ms | ` +
      `${m(side, 'formInteractive')} ms | ${m(side, 'total')} ms | ${m(side, 'bytes')} |`),
    '',
    `Ratio qpan / nginx, login screen interactive: ${(m('qpan', 'loginInteractive') / m('nginx', 'loginInteractive')).toFixed(2)}; ` +
      `total: ${(m('qpan', 'total') / m('nginx', 'total')).toFixed(2)}.`,
    '',
    `Form of ${cells} cells opened inside the running application, unthrottled (goal ≤ 300 ms): median ` +
      `${median(opens.times).toFixed(0)} ms, p90 ${percentile(opens.times, 90).toFixed(0)} ms, max ` +
      `${Math.max(...opens.times).toFixed(0)} ms over ${opens.times.length} opens; the session's first open (loading the ` +
      `form screen's code) ${opens.first.toFixed(0)} ms.`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
} finally {
  await browser.close();
  stopNginx();
  server.kill('SIGTERM');
}
