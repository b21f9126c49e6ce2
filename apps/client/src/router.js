import { nextTick } from 'vue';
import { createRouter, createWebHashHistory } from 'vue-router';
import { useSessionStore } from './stores/session.js';
import AccountView from './views/AccountView.vue';
import LoginView from './views/LoginView.vue';

/** Hash-history router: the hub serves one index.html at `/`, and magic-link tokens live in the fragment. */
export function buildRouter() {
  const router = createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: '/', redirect: () => ({ name: useSessionStore().token ? 'account' : 'login' }) },
      { path: '/login', name: 'login', component: LoginView, meta: { guestOnly: true } },
      { path: '/compte', name: 'account', component: AccountView, meta: { requiresAuth: true } },
      { path: '/:unknown(.*)*', redirect: '/' },
    ],
  });

  router.beforeEach((to) => {
    const session = useSessionStore();
    if (to.meta.requiresAuth && !session.token) return { name: 'login' };
    if (to.meta.guestOnly && session.token) return { name: 'account' };
    return true;
  });

  // Move focus to the new page's heading so keyboard and screen-reader users land
  // on the change; the first page load keeps the browser's default focus.
  router.afterEach(async (_to, from) => {
    if (from.matched.length === 0) return;
    await nextTick();
    document.querySelector('main h1')?.focus();
  });

  return router;
}
