// Calls made as the logged-in customer, and logout.
import { appRouter } from '../router/index.js';
import { useCustomerStore } from '../stores/customer.js';
import { ApiError, request } from './http.js';

/**
 * Calls the hub with the session's Bearer token. A 401 only warns and rejects: the page
 * that made the call decides what to do. Redirecting from here is how SPAs loop between
 * a login page that believes the stored token and a page whose API refuses it.
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, blob?: boolean, lang?: string }} [options]
 */
export async function authFetch(method, path, options = {}) {
  const { token } = useCustomerStore();
  try {
    return await request(method, path, { ...options, token });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      console.warn(`${method} ${path} answered 401: the session is no longer valid`);
    }
    throw err;
  }
}

/**
 * Signs out: revokes the token on the hub (every token of the customer when `everywhere`),
 * forgets it here whatever the hub said, and goes to `/#/login`, where a message says
 * how it went (`flash`, for "not me"). Resolves once the login page is shown.
 * @param {{ everywhere?: boolean, flash?: string }} [options]
 */
export async function logout({ everywhere = false, flash: done = null } = {}) {
  const customer = useCustomerStore();
  let flash = done ?? (everywhere ? 'flash.loggedOutEverywhere' : 'flash.loggedOut');
  if (customer.token) {
    try {
      await authFetch('POST', everywhere ? '/portal/logout?everywhere=true' : '/portal/logout');
    } catch (err) {
      // An already revoked token is as good as a confirmed logout.
      if (!(err instanceof ApiError && err.status === 401)) flash = 'flash.logoutUnconfirmed';
    }
  }
  customer.clear(flash);
  await appRouter().replace({ name: 'login' });
}
