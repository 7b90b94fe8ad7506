// Build of the web application: one small entry (login and home) and a chunk per other
// screen; the manifest lets the budget test tell the first screen from the rest. The
// service worker is a second entry, dist/sw.js, under a fixed name (its address must not
// change between builds) with this build's files and id written into it. Every text file
// gets a gzip copy beside it (FILE.gz) that `qpan serve --static` sends to browsers that
// take gzip, so no request pays for compression.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const serviceWorker = 'sw.js';
const compressible = /\.(js|css|html|svg|json|webmanifest)$/;

// Written after the files (and after the worker got its precache list), so each copy is of
// the bytes the server sends.
function gzipCopies(): Plugin {
  return {
    name: 'qpan-gzip-copies',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      for (const name of Object.keys(bundle)) {
        if (!compressible.test(name) || name.startsWith('.')) continue;
        const path = join(dir, name);
        writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
      }
    },
  };
}

// Replaces `self.__QPAN_PRECACHE__` (every file of the build but the worker and the hidden
// manifest) and `self.__QPAN_BUILD__` (a hash of those files) in the worker's code; a
// build whose worker lacks them fails rather than shipping a worker that caches nothing.
function precacheList(): Plugin {
  return {
    name: 'qpan-precache-list',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const worker = bundle[serviceWorker];
      if (!worker || worker.type !== 'chunk') this.error(`${serviceWorker} is missing from the build`);
      const files = Object.keys(bundle).filter((f) => f !== serviceWorker && !f.startsWith('.')).sort();
      const hash = createHash('sha256');
      for (const f of files) {
        const item = bundle[f];
        hash.update(f).update(item.type === 'chunk' ? item.code : item.source);
      }
      const build = hash.digest('hex').slice(0, 16);
      let code = worker.code;
      for (const [name, value] of [['__QPAN_PRECACHE__', files], ['__QPAN_BUILD__', build]] as const) {
        const token = `self.${name}`;
        if (!code.includes(token)) this.error(`${serviceWorker} does not read ${token}`);
        code = code.split(token).join(JSON.stringify(value));
      }
      worker.code = code;
    },
  };
}

export default defineConfig({
  // Preact's JSX runtime through esbuild's own transform: no plugin needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  base: './',
  plugins: [precacheList(), gzipCopies()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2020',
    // The server sends files as they are; sourcemaps would only add to what it serves.
    sourcemap: false,
    rollupOptions: {
      input: { index: 'index.html', sw: 'src/sw.ts' },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? serviceWorker : 'assets/[name]-[hash].js'),
      },
    },
    // The dashboard's chunk holds ECharts (about 550 kB, 190 kB gzipped), loaded with that
    // screen only; tests/budget.test.mjs guards the sizes that matter.
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev` next to `make run`: the API on the server started by run-demo.sh.
    proxy: { '/api': process.env.QPAN_API ?? 'http://127.0.0.1:8080' },
  },
  test: {
    include: ['src/**/*.test.ts'],
  },
});
