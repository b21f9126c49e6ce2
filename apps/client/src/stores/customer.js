// The logged-in customer, as far as this browser tab knows: the token (mirrored in
// sessionStorage, so a reload keeps the session and closing the tab ends it), its decoded
// claims, and the profile the hub gave for it. The claims are decoded for expiry only: the
// signature is not checked here, so who the customer is (and whether support opened the
// session) comes from the hub's `GET /portal/me`, never from the claims.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { ApiError, request } from '../api/http.js';

/** sessionStorage key of the customer's token. */
export const TOKEN_KEY = 'gf.token';

/**
 * Decodes a JWT payload synchronously (base64url → UTF-8 → JSON, no library) and checks
 * it is usable: three segments, a JSON object with a `sub` and a numeric `exp` in the future.
 * @param {unknown} token
 * @param {number} [nowMs] current time, for tests
 * @returns {{ claims: Record<string, any> } | { error: 'malformed' | 'expired' }}
 */
export function decodeToken(token, nowMs = Date.now()) {
  const claims = decodePayload(token);
  if (!claims || typeof claims.sub !== 'string' || !claims.sub || typeof claims.exp !== 'number') {
    return { error: 'malformed' };
  }
  return claims.exp * 1000 > nowMs ? { claims } : { error: 'expired' };
}

function decodePayload(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1] || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload : null;
  } catch {
    return null;
  }
}

/**
 * Takes a `token` parameter out of the address bar (fragment `#/?token=…`, or a misbuilt
 * link's query string) with `history.replaceState`, which rewrites the current history
 * entry; `location.hash = …` would leave the token reachable with Back. Other parameters
 * survive. Returns the token, or null when the URL holds none (and then touches nothing).
 * @param {Pick<Location, 'pathname' | 'search' | 'hash'>} [loc]
 * @param {Pick<History, 'state' | 'replaceState'>} [hist]
 * @returns {string | null}
 */
export function stripTokenFromUrl(loc = window.location, hist = window.history) {
  const hash = splitParams(loc.hash || '');
  const search = splitParams(loc.search || '');
  if (!hash.params.has('token') && !search.params.has('token')) return null;
  const token = hash.params.get('token') || search.params.get('token');
  hash.params.delete('token');
  search.params.delete('token');
  const fragment = (hash.head || '#/') + joinParams(hash.params);
  hist.replaceState(hist.state, '', loc.pathname + joinParams(search.params) + fragment);
  return token || null;
}

function splitParams(part) {
  const at = part.indexOf('?');
  if (at < 0) return { head: part, params: new URLSearchParams() };
  return { head: part.slice(0, at), params: new URLSearchParams(part.slice(at + 1)) };
}

function joinParams(params) {
  const text = params.toString();
  return text ? `?${text}` : '';
}

function readStoredToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // Storage blocked (privacy settings, or no DOM in tests).
  }
}

function writeStoredToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage blocked: the session lives in memory until the page closes.
  }
}

/**
 * The customer's account as the hub names it in `GET /portal/me`: the only identity this app
 * shows or decides on (a token's claims are unverified here). `impersonatedBy` is the support
 * agent the hub says opened the session, whatever the token claims.
 * @param {Record<string, any>} profile
 */
export function accountOf(profile) {
  const id = typeof profile?.customer === 'string' ? profile.customer : null;
  if (!id) return null;
  const name = typeof profile.customer_name === 'string' && profile.customer_name ? profile.customer_name : id;
  const staff = typeof profile.impersonated_by === 'string' && profile.impersonated_by ? profile.impersonated_by : null;
  return { id, name, impersonatedBy: staff };
}

/**
 * Asks the hub who `token` belongs to. Resolves to the profile; rejects with an ApiError.
 * `fromLink`: the page was opened with it, which the hub counts as a sign-in by link.
 */
async function confirmWithHub(token, fromLink = false) {
  const profile = await request('GET', fromLink ? '/portal/me?via=link' : '/portal/me', { token });
  if (!accountOf(profile)) throw new ApiError(502, null);
  return profile;
}

/**
 * The customer's session, a magic-link token waiting for consent when it names ANOTHER
 * customer (login-CSRF defence: "Continue as B?"), and a one-shot message for the login page.
 * No token is adopted before the hub has said, in `GET /portal/me`, whose it is.
 */
export const useCustomerStore = defineStore('customer', () => {
  const token = ref(null);
  const claims = ref(null);
  const profile = ref(null);
  const pendingToken = ref(null);
  const pendingProfile = ref(null);
  const flash = ref(null);
  let restored = false;

  /** Whose account is open, as the hub confirmed it (null until it has). */
  const account = computed(() => accountOf(profile.value));
  const pendingAccount = computed(() => accountOf(pendingProfile.value));
  /** The support agent who opened this session, as the hub says (never the token's `act`). */
  const impersonatedBy = computed(() => account.value?.impersonatedBy ?? null);

  /**
   * Makes `newToken` the session (store and sessionStorage) with the profile the hub gave for
   * it. Returns false, changing nothing, for a malformed or expired token.
   */
  function adopt(newToken, confirmedProfile = null) {
    const decoded = decodeToken(newToken);
    if (!decoded.claims) return false;
    token.value = newToken;
    claims.value = decoded.claims;
    profile.value = confirmedProfile;
    cancelPending();
    writeStoredToken(newToken);
    return true;
  }

  /**
   * A token the hub just gave this tab (the 6-digit code's answer): confirmed with
   * `/portal/me`, then adopted. Rejects with an ApiError when the hub does not confirm it.
   */
  async function signIn(newToken) {
    const confirmed = await confirmWithHub(newToken);
    if (!adopt(newToken, confirmed)) throw new ApiError(401, null);
  }

  /** The tab's stored session, checked with the hub (a revoked one is dropped). */
  async function restore(stored) {
    if (!adopt(stored)) return clear('flash.sessionExpired');
    try {
      const confirmed = await confirmWithHub(stored);
      // A link adopted meanwhile has its own profile.
      if (token.value === stored) profile.value = confirmed;
    } catch (err) {
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) clear('flash.sessionExpired');
      // Otherwise the hub is unreachable: keep the session; the dashboard says what failed.
    }
  }

  /**
   * Called by the router guard before every decision. The first call restores the tab's
   * session. A token from a link is then checked with the hub (`GET /portal/me`), never
   * trusted for its claims: refused or unverifiable, it is dropped with a message. Confirmed,
   * it is adopted when nobody or the same customer is logged in, or when the hub says support
   * staff opened it (agents open customer after customer; only they can mint such a token);
   * a link for another customer waits for consent. Whatever is adopted, the portal shows whose
   * account it is, with a "not me" way out.
   * @param {string | null} linkToken
   * @returns {Promise<'none' | 'adopted' | 'confirm' | 'invalid' | 'expired' | 'unverified'>}
   */
  async function init(linkToken = null) {
    if (!restored) {
      restored = true;
      const stored = readStoredToken();
      if (stored) await restore(stored);
    }
    if (!linkToken) return 'none';
    const decoded = decodeToken(linkToken);
    if (!decoded.claims) {
      flash.value = decoded.error === 'expired' ? 'flash.linkExpired' : 'flash.badLink';
      return decoded.error === 'expired' ? 'expired' : 'invalid';
    }
    let confirmed;
    try {
      confirmed = await confirmWithHub(linkToken, true);
    } catch (err) {
      const refused = err instanceof ApiError && err.status >= 400 && err.status < 500;
      flash.value = refused ? 'flash.badLink' : 'flash.linkUnverified';
      return refused ? 'invalid' : 'unverified';
    }
    const linked = accountOf(confirmed);
    const current = hasValidSession() ? (account.value?.id ?? claims.value.sub) : null;
    if (!current || current === linked.id || linked.impersonatedBy) {
      adopt(linkToken, confirmed);
      return 'adopted';
    }
    pendingToken.value = linkToken;
    pendingProfile.value = confirmed;
    return 'confirm';
  }

  /** True while a token is held and not expired; an expired one is dropped with a message. */
  function hasValidSession() {
    if (!token.value) return false;
    if (decodeToken(token.value).claims) return true;
    clear('flash.sessionExpired');
    return false;
  }

  function confirmPending() {
    if (pendingToken.value && !adopt(pendingToken.value, pendingProfile.value)) cancelPending();
  }

  function cancelPending() {
    pendingToken.value = null;
    pendingProfile.value = null;
  }

  /** The profile of the open session, fetched again (the dashboard's "reload"). */
  async function refreshProfile() {
    const current = token.value;
    const fresh = await confirmWithHub(current);
    // A newer token may have been adopted while this one was in flight.
    if (current === token.value) profile.value = fresh;
  }

  /** Forgets the session (store and sessionStorage), leaving `flashKey` for the login page. */
  function clear(flashKey = null) {
    token.value = null;
    claims.value = null;
    profile.value = null;
    cancelPending();
    writeStoredToken(null);
    flash.value = flashKey;
  }

  function takeFlash() {
    const key = flash.value;
    flash.value = null;
    return key;
  }

  return {
    token,
    claims,
    profile,
    pendingToken,
    flash,
    account,
    pendingAccount,
    impersonatedBy,
    adopt,
    signIn,
    stripTokenFromUrl: () => stripTokenFromUrl(),
    init,
    hasValidSession,
    confirmPending,
    cancelPending,
    refreshProfile,
    clear,
    takeFlash,
  };
});
