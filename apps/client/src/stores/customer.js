// The logged-in customer, as far as this browser tab knows: the token (mirrored in
// sessionStorage, so a reload keeps the session and closing the tab ends it) and its
// decoded claims. The claims are decoded for DISPLAY and routing only: the signature is
// not checked here, the hub verifies every token it receives.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

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

/** Who a set of claims names: `{ sub, name }` (the name falls back to the customer number). */
function customerOf(claims) {
  if (!claims) return null;
  const name = typeof claims.name === 'string' && claims.name ? claims.name : claims.sub;
  return { sub: claims.sub, name };
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
 * The customer's session, a magic-link token waiting for consent when it names ANOTHER
 * customer (login-CSRF defence: "Continue as B?"), and a one-shot message for the login page.
 */
export const useCustomerStore = defineStore('customer', () => {
  const token = ref(null);
  const claims = ref(null);
  const pendingToken = ref(null);
  const pendingClaims = ref(null);
  const flash = ref(null);
  let restored = false;

  const customer = computed(() => customerOf(claims.value));
  const pendingCustomer = computed(() => customerOf(pendingClaims.value));
  /** The support agent who opened this session (`act.sub` of an impersonation token). */
  const impersonatedBy = computed(() => staffOf(claims.value));

  /**
   * Decodes `newToken` and, when it is well formed and unexpired, makes it the session
   * (store and sessionStorage). Returns false, changing nothing, for anything else.
   */
  function hydrateFromToken(newToken) {
    const decoded = decodeToken(newToken);
    if (!decoded.claims) return false;
    token.value = newToken;
    claims.value = decoded.claims;
    pendingToken.value = null;
    pendingClaims.value = null;
    writeStoredToken(newToken);
    return true;
  }

  /**
   * Called by the router guard before every decision. The first call restores the tab's
   * session from sessionStorage (an expired one is dropped with a message). A token taken
   * from the URL is then adopted when nobody or the same customer is logged in, or when
   * support staff minted it (`/portal/impersonate`, recognisable by its `act` claim): that
   * silent fallback spares agents a "Continue as" question at every customer they open,
   * and only staff can mint such a token. A link for another customer waits for consent.
   * @param {string | null} linkToken
   * @returns {'none' | 'adopted' | 'confirm' | 'invalid' | 'expired'}
   */
  function init(linkToken = null) {
    if (!restored) {
      restored = true;
      const stored = readStoredToken();
      if (stored && !hydrateFromToken(stored)) clear('flash.sessionExpired');
    }
    if (!linkToken) return 'none';
    const decoded = decodeToken(linkToken);
    if (!decoded.claims) {
      flash.value = decoded.error === 'expired' ? 'flash.linkExpired' : 'flash.badLink';
      return decoded.error === 'expired' ? 'expired' : 'invalid';
    }
    const current = hasValidSession() ? customer.value : null;
    if (!current || current.sub === decoded.claims.sub || staffOf(decoded.claims)) {
      hydrateFromToken(linkToken);
      return 'adopted';
    }
    pendingToken.value = linkToken;
    pendingClaims.value = decoded.claims;
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
    if (pendingToken.value && !hydrateFromToken(pendingToken.value)) cancelPending();
  }

  function cancelPending() {
    pendingToken.value = null;
    pendingClaims.value = null;
  }

  /** Forgets the session (store and sessionStorage), leaving `flashKey` for the login page. */
  function clear(flashKey = null) {
    token.value = null;
    claims.value = null;
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
    pendingToken,
    flash,
    customer,
    pendingCustomer,
    impersonatedBy,
    hydrateFromToken,
    stripTokenFromUrl: () => stripTokenFromUrl(),
    init,
    hasValidSession,
    confirmPending,
    cancelPending,
    clear,
    takeFlash,
  };
});

function staffOf(claims) {
  const who = claims?.act?.sub;
  return typeof who === 'string' && who ? who : null;
}
