import { defineConfig } from 'vite';

// Relative asset paths, so `aidtrace serve --web web/dist` can serve the build from any
// prefix; no network at run time (everything, map data included, is bundled).
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/v1': process.env.AIDTRACE_API ?? 'http://127.0.0.1:8080',
      '/healthz': process.env.AIDTRACE_API ?? 'http://127.0.0.1:8080',
    },
  },
});
