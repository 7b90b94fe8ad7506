// The bundle budget of issue 12, on the built web/dist: the first screen (index.html, the
// entry chunk, what it imports statically, their CSS) ≤ 150 KB gzipped, every asset
// together ≤ 600 KB gzipped, and the other screens outside the first screen (loaded on
// demand). Sizes are gzip at level 9, as a server or proxy would send them; printed so the
// build log records them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const firstScreenBudget = 150 * 1024;
const totalBudget = 600 * 1024;

const gzipped = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

// Every file the server would serve: all of dist but hidden folders (Vite's manifest) and
// the gzip copies (the same assets in another encoding, checked below).
function servedFiles(folder = dist) {
  return readdirSync(folder).flatMap((name) => {
    if (name.startsWith('.') || name.endsWith('.gz')) return [];
    const path = join(folder, name);
    return statSync(path).isDirectory() ? servedFiles(path) : [relative(dist, path)];
  });
}

// The first screen: the entry and its static imports, with their CSS, plus the page.
function firstScreenFiles(manifest) {
  // The page's entry (the service worker, sw.js, is the other entry: it runs apart).
  const entry = Object.keys(manifest).find((k) => manifest[k].isEntry && k.endsWith('index.html'));
  assert.ok(entry, 'the manifest names the page as an entry');
  const files = new Set(['index.html']);
  const visit = (key) => {
    const chunk = manifest[key];
    if (files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entry);
  return { entry, files: [...files] };
}

test('bundle budget: first screen ≤ 150 KB and all assets ≤ 600 KB gzipped; other screens on demand', () => {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));
  const { entry, files } = firstScreenFiles(manifest);
  const first = files.reduce((sum, f) => sum + gzipped(f), 0);
  const all = servedFiles();
  const total = all.reduce((sum, f) => sum + gzipped(f), 0);
  for (const f of all.sort()) console.log(`  ${files.includes(f) ? 'first screen' : 'on demand   '}  ${kb(gzipped(f)).padStart(9)}  ${f}`);
  console.log(`first screen: ${kb(first)} gzipped in ${files.length} files (budget ${kb(firstScreenBudget)})`);
  console.log(`all assets:   ${kb(total)} gzipped in ${all.length} files (budget ${kb(totalBudget)})`);
  assert.ok(first <= firstScreenBudget, `first screen ${kb(first)} > ${kb(firstScreenBudget)}`);
  assert.ok(total <= totalBudget, `all assets ${kb(total)} > ${kb(totalBudget)}`);

  // The screens beyond login and home are separate chunks the entry imports dynamically.
  const lazy = manifest[entry].dynamicImports ?? [];
  for (const screen of ['units', 'analytics', 'audit', 'form', 'review', 'dashboard', 'evaluation', 'registries']) {
    const key = lazy.find((k) => k.endsWith(`screens/${screen}.tsx`));
    assert.ok(key, `${screen} is loaded on demand`);
    assert.ok(!files.includes(manifest[key].file), `${screen} is not part of the first screen`);
  }
});

test('every text asset has a gzip copy beside it that unpacks to the same bytes', () => {
  const text = servedFiles().filter((f) => /\.(js|css|html|svg|json)$/.test(f));
  assert.ok(text.length > 0);
  for (const f of text) {
    const copy = readFileSync(join(dist, `${f}.gz`));
    assert.ok(gunzipSync(copy).equals(readFileSync(join(dist, f))), `${f}.gz unpacks to ${f}`);
  }
});
