// Hash history: the hub serves one index.html at `/`, and magic-link tokens travel in the
// fragment, which browsers never send to a server.
import { nextTick } from 'vue';
import { createRouter, createWebHashHistory } from 'vue-router';
import AccountPage from '../pages/AccountPage.vue';
import CardAdded from '../pages/CardAdded.vue';
import DashboardPage from '../pages/DashboardPage.vue';
import InvoicesPage from '../pages/InvoicesPage.vue';
import LoginPage from '../pages/LoginPage.vue';
import PaymentCancel from '../pages/PaymentCancel.vue';
import PaymentSuccess from '../pages/PaymentSuccess.vue';
import QuotesPage from '../pages/QuotesPage.vue';
import { useCustomerStore } from '../stores/customer.js';

/** Routes anyone may see; every other route needs a valid token. */
export const PUBLIC_ROUTES = Object.freeze(['login', 'payment-success', 'payment-cancel', 'card-added']);

/** The portal's routes. `standalone` pages are drawn without the portal chrome. */
export const routes = [
  { path: '/', name: 'dashboard', component: DashboardPage },
  { path: '/factures', name: 'invoices', component: InvoicesPage },
  { path: '/compte', name: 'account', component: AccountPage },
  // quotation-signing's links and DocuSeal's return after signing land here.
  { path: '/soumissions', name: 'quotes', component: QuotesPage },
  { path: '/login', name: 'login', component: LoginPage, meta: { standalone: true } },
  // Where the payments service sends customers back from Stripe Checkout.
  { path: '/paiement/reussi', name: 'payment-success', component: PaymentSuccess },
  { path: '/paiement/annule', name: 'payment-cancel', component: PaymentCancel },
  { path: '/carte-ajoutee', name: 'card-added', component: CardAdded },
  { path: '/:unknown(.*)*', redirect: '/' },
];

/**
 * Decides every navigation. A token in the URL is taken out (address bar and history
 * entry) and offered to the store BEFORE anything else is decided, so a magic link lands
 * on the dashboard instead of bouncing through the login page; the store adopts it only
 * once the hub has confirmed whose it is. Then private routes without a valid token go to
 * the login page. Redirects replace the history entry, so Back never returns to a URL
 * that held a token.
 * @param {import('vue-router').RouteLocationNormalized} to
 */
export async function authGuard(to) {
  const customer = useCustomerStore();
  const fromUrl = typeof window === 'undefined' ? null : customer.stripTokenFromUrl();
  const fromRoute = typeof to.query.token === 'string' ? to.query.token : null;
  await customer.init(fromUrl ?? fromRoute);
  if ('token' in to.query) {
    const { token: _dropped, ...query } = to.query;
    return { path: to.path, query, hash: to.hash, replace: true };
  }
  const loggedIn = customer.hasValidSession();
  if (PUBLIC_ROUTES.includes(to.name)) {
    return to.name === 'login' && loggedIn ? { name: 'dashboard', replace: true } : true;
  }
  return loggedIn ? true : { name: 'login', replace: true };
}

let current = null;

/** The router of the running app (the one `createAppRouter` made last). */
export function appRouter() {
  if (!current) throw new Error('the router is not created yet');
  return current;
}

/**
 * Builds the router with its guard; tests pass `createMemoryHistory()`.
 * @param {import('vue-router').RouterHistory} [history]
 */
export function createAppRouter(history = createWebHashHistory()) {
  const router = createRouter({ history, routes });
  router.beforeEach(authGuard);
  // Move focus to the new page's heading so keyboard and screen-reader users land on the
  // change; the first page load keeps the browser's default focus.
  router.afterEach(async (_to, from) => {
    if (from.matched.length === 0 || typeof document === 'undefined') return;
    await nextTick();
    document.querySelector('main h1')?.focus();
  });
  current = router;
  return router;
}
