// The browser tests' world: a fresh demo database made by the real `qpan` binary (or a copy
// of the one CTest made for this run), accounts with known passwords added the way
// scripts/run-demo.sh adds them, `qpan serve` on a free port serving web/dist, and headless
// Chromium (Debian's) driven by playwright-core; and the checks every screen passes (labels,
// no sideways scrolling, contrast, keyboard and focus).
//
// Environment: QPAN_BIN (the qpan binary, required; CTest passes the test build's),
// QPAN_SOURCE (the source folder, default the one holding web/), QPAN_DEMO_DB (optional, the
// demo database to copy instead of building one: CTest's fixture), QPAN_ARTIFACTS (where
// screenshots go, default a temporary folder), CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { makeDemoDatabase, qpan, startServer } from '../../../tests/support/qpan_process.mjs';

export { qpan };

const here = dirname(fileURLToPath(import.meta.url));

export const source = resolve(process.env.QPAN_SOURCE ?? join(here, '..', '..', '..'));
export const artifacts = resolve(process.env.QPAN_ARTIFACTS ?? mkdtempSync(join(tmpdir(), 'qpan-web-artifacts-')));

// One account per role, as in scripts/run-demo.sh (scopes resolved on 1 Jan 2020).
export const accounts = {
  province: { username: 'tinh.laichau', role: 'province_admin', scope: '12', name: 'Quản trị Công an tỉnh Lai Châu' },
  district: { username: 'huyen.tamduong', role: 'district_reviewer', scope: '106', name: 'Cán bộ duyệt huyện Tam Đường' },
  commune: { username: 'xa.taleng', role: 'commune_entry', scope: '03400', name: 'Công an xã Tả Lèng' },
  viewer: { username: 'xem.laocai', role: 'viewer', scope: '10', name: 'Lãnh đạo xem số liệu Lào Cai' },
};

// Builds the demo database and its accounts, starts the server on a free port and a
// browser. `stop()` ends both and fails if the server reported a sanitizer error. With
// `{ demo: false }` the database holds the real units and the pack only, no figures or
// records: a test that writes its own data starts from nothing of the demo's.
export async function startWorld({ demo = true } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'qpan-web-'));
  const db = join(work, 'qpan.db');
  mkdirSync(artifacts, { recursive: true });
  if (demo) {
    await makeDemoDatabase(db, join(source, 'demo', 'demo.json'));
  } else {
    await qpan(['init', '--db', db]);
    await qpan(['units', 'import', '--db', db, join(source, 'data', 'vn-admin')]);
    await qpan(['pack', 'load', '--db', db, join(source, 'packs', 'qpan-vn')]);
  }
  const passwords = {};
  for (const [key, a] of Object.entries(accounts)) {
    const password = randomBytes(18).toString('base64url');
    passwords[key] = password;
    await qpan(['users', 'add', '--db', db, a.username, '--role', a.role, '--scope', a.scope,
      '--scope-at', '2020-01-01', '--name', a.name], `${password}\n${password}\n`);
  }

  const server = await startServer(db, ['--static', join(source, 'web', 'dist')]);
  const { url } = server;

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });

  return {
    db,
    url,
    passwords,
    browser,
    // A fresh browser context (its own cookies and storage) at the given width.
    async page(width = 1280, height = 900) {
      const context = await browser.newContext({ viewport: { width, height }, locale: 'vi-VN', acceptDownloads: true });
      return context.newPage();
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
    },
    async stop() {
      await browser.close();
      try {
        await server.stop();
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}

// Logs in through the login screen with the keyboard only: username, Tab, password, Enter.
export async function logIn(page, world, key) {
  await page.goto(`${world.url}/#/`);
  const username = page.getByLabel('Tên đăng nhập');
  await username.fill('');
  await page.getByLabel('Mật khẩu').fill('');
  await username.focus();
  await page.keyboard.type(accounts[key].username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(world.passwords[key]);
  await page.keyboard.press('Enter');
  await page.getByTestId('role').waitFor();
}

// A form as the API answers it to the page's session (GET /api/forms/{ds}?ou=&pe=).
export function readForm(page, ds, ou, pe) {
  return page.evaluate(async ([d, o, p]) => (await fetch(`/api/forms/${d}?ou=${o}&pe=${p}`)).json(), [ds, ou, pe]);
}

// A data entry cell's value input and its saved/saving/waiting state, by data element.
export function cellInput(page, element) {
  return page.getByTestId(`cell-${element}`).locator('input.value');
}

export function cellState(page, element) {
  return page.getByTestId(`cell-${element}`).getByTestId('cell-state');
}

// Every input and select of the page has a label (a <label for>, aria-label or
// aria-labelledby), the page does not scroll sideways, and every visible text has WCAG AA
// contrast against the background it is drawn on (4.5:1; 3:1 for large text).
export async function checkScreen(page, width) {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML));
  assert.deepEqual(unlabelled, [], 'every input is labelled');
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= width, `no sideways scrolling at ${width} px (page is ${scrollWidth} px wide)`);
  const lowContrast = await page.evaluate(() => {
    const rgb = (text) => (text.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]) => {
      const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || c[3] === 1) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const failures = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || !el || el.closest('[disabled], noscript')) continue;
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden' || box.right < 0) continue;
      const [a, b] = [luminance(rgb(style.color).slice(0, 3)), luminance(background(el))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) failures.push(`${ratio.toFixed(2)}: ${node.textContent.trim().slice(0, 40)}`);
    }
    return failures;
  });
  assert.deepEqual(lowContrast, [], 'AA contrast');
}

// Tab goes through every link, button and field of the page in turn, and each shows a
// focus outline at least 2 px wide (on itself or, for a date field's inner parts, around it).
export async function checkKeyboard(page) {
  // A screen focuses its heading in an effect that Preact runs after the next frame (a
  // requestAnimationFrame, then a timeout). Let that happen first: on a loaded machine it
  // could otherwise land in the middle of the Tab walk and be taken for a Tab stop.
  await page.evaluate(() => new Promise((settled) =>
    requestAnimationFrame(() => setTimeout(() => requestAnimationFrame(() => setTimeout(settled, 0)), 0))));
  const controls = await page.evaluate(() =>
    [...document.querySelectorAll('a[href], button:not([disabled]), input, select, [tabindex="0"]')]
      // What a closed <details> holds is out of the Tab order until it is opened.
      .filter((el) => el.getBoundingClientRect().width > 0 && !el.classList.contains('skip')
        && !el.closest('details:not([open]) > :not(summary)'))
      .map((el, i) => {
        el.dataset.control = String(i);
        return el.outerHTML.slice(0, 100);
      }));
  // Start where a keyboard user starts, at the top (the skip link): after a blur Chromium
  // would go on from the focused heading and need to wrap round through its own UI to reach
  // the header on a long page like the data entry grid.
  await page.evaluate(() => document.querySelector('.skip')?.focus());
  const seen = new Set();
  for (let i = 0; i < controls.length + 8 && seen.size < controls.length; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      return { control: el.dataset.control, html: el.outerHTML.slice(0, 100), outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth) };
    });
    if (!focused) continue;
    assert.ok(focused.outline >= 2, `visible focus on ${focused.html}`);
    if (focused.control !== undefined) seen.add(Number(focused.control));
  }
  const missed = controls.filter((_, i) => !seen.has(i));
  assert.deepEqual(missed, [], 'Tab reaches every control');
}
