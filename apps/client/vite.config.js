import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The hub serves dist/ at `/`, on the same origin as the API, so asset paths stay
// absolute and the dev server proxies the API to a local hub.
export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/portal': process.env.HUB_URL || 'http://127.0.0.1:8080',
    },
  },
});
