import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';

// Writes .br and .gz beside each built asset so the server can send them precompressed
// instead of compressing on every request. Runs after the files are written: earlier hooks
// still see placeholders (module preload) that Vite replaces at the very end.
function precompress() {
  let outDir = 'dist';
  return {
    name: 'otsensor-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const walk = (dir) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const file = path.join(dir, entry.name);
          if (entry.isDirectory()) walk(file);
          else if (/\.(js|css|html|svg|json)$/.test(entry.name)) {
            const source = fs.readFileSync(file);
            if (source.length < 1024) continue;
            fs.writeFileSync(`${file}.br`, brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
            fs.writeFileSync(`${file}.gz`, gzipSync(source, { level: 9 }));
          }
        }
      };
      walk(outDir);
    },
  };
}

// The console is served by `otsensor serve` under a strict CSP (script-src 'self',
// style-src 'self'): no inline scripts or styles may end up in index.html.
export default defineConfig({
  plugins: [preact(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npm run dev` proxies the API to a running `otsensor serve --http`.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
