import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppRouter } from './router/index.js';
import './style.css';

// The router's guard takes a magic-link token out of the URL on the first navigation,
// before any page renders or any request is made.
const app = createApp(App);
app.use(createPinia());
const router = createAppRouter();
app.use(router);
router.isReady().then(() => {
  app.mount('#app');
  // Read by the browser test: when the first page is drawn and listening.
  performance.mark('portal-interactive');
});
