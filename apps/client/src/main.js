import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { buildRouter } from './router.js';
import { useSessionStore } from './stores/session.js';
import { takeTokenFromLocation } from './token.js';
import './style.css';

// First thing on load: get the magic-link token out of the URL (and history entry)
// before anything else can read, log or share it.
const linkToken = takeTokenFromLocation();

const app = createApp(App);
app.use(createPinia());
const session = useSessionStore();
if (linkToken !== null) session.offer(linkToken);

// A link opened in this already-running tab changes only the fragment. This listener
// is registered before the router's own, so the token is gone before it navigates.
window.addEventListener('popstate', () => {
  const token = takeTokenFromLocation();
  if (token !== null) session.offer(token);
});

app.use(buildRouter());
app.mount('#app');
