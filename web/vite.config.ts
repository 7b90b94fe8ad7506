// Build of the web application: one small entry (login and home) and a chunk per other
// screen; the manifest lets the budget test tell the first screen from the rest.
import { defineConfig } from 'vite';

export default defineConfig({
  // Preact's JSX runtime through esbuild's own transform: no plugin needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2020',
    // The server sends files as they are; sourcemaps would only add to what it serves.
    sourcemap: false,
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
