// Build of the web application: one small entry (login and home) and a chunk per other
// screen; the manifest lets the budget test tell the first screen from the rest. Every
// text asset gets a gzip copy beside it (FILE.gz) that `qpan serve --static` sends to
// browsers that take gzip, so no request pays for compression.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const compressible = /\.(js|css|html|svg|json|webmanifest)$/;

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

export default defineConfig({
  // Preact's JSX runtime through esbuild's own transform: no plugin needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  plugins: [gzipCopies()],
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2020',
    // The server sends files as they are; sourcemaps would only add to what it serves.
    sourcemap: false,
  },
  server: {
    // `npm run dev` next to `make run`: the API on the server started by run-demo.sh.
    proxy: { '/api': process.env.QPAN_API ?? 'http://127.0.0.1:8080' },
  },
  test: {
    include: ['src/**/*.test.ts'],
  },
});
