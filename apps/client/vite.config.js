import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const hub = process.env.HUB_URL || 'http://127.0.0.1:8080';

// The hub serves dist/ at `/`, on the same origin as the API, so asset paths stay
// absolute and the dev server proxies the API to a local hub. The build emits no inline
// script or style, which the hub's Content-Security-Policy relies on.
export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/portal': hub, '/payments': hub, '/notifications': hub },
  },
  test: {
    include: ['tests/unit/**/*.test.js'],
    environment: 'node',
    restoreMocks: true,
    unstubGlobals: true,
  },
});
