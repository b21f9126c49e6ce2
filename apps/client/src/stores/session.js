import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { TOKEN_KEY, tokenCustomer } from '../token.js';

function readStoredToken() {
  try {
    const token = sessionStorage.getItem(TOKEN_KEY);
    return tokenCustomer(token) ? token : null;
  } catch {
    return null;
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
 * The customer's session: the token (mirrored in sessionStorage), a magic-link token
 * waiting for confirmation when it belongs to ANOTHER customer (login-CSRF defence),
 * and a one-shot flash message for the login page.
 */
export const useSessionStore = defineStore('session', () => {
  const token = ref(readStoredToken());
  const pendingToken = ref(null);
  const flash = ref(null);

  const customer = computed(() => tokenCustomer(token.value));
  const pendingCustomer = computed(() => tokenCustomer(pendingToken.value));

  function adopt(newToken) {
    token.value = newToken;
    pendingToken.value = null;
    writeStoredToken(newToken);
  }

  /**
   * Handles a token from a magic link. Returns 'adopted', 'confirm' (another customer
   * is logged in: the UI must ask) or 'invalid'.
   */
  function offer(linkToken) {
    const incoming = tokenCustomer(linkToken);
    if (!incoming) {
      flash.value = 'flash.badLink';
      return 'invalid';
    }
    if (!customer.value || customer.value.sub === incoming.sub) {
      adopt(linkToken);
      return 'adopted';
    }
    pendingToken.value = linkToken;
    return 'confirm';
  }

  function confirmPending() {
    if (pendingToken.value) adopt(pendingToken.value);
  }

  function cancelPending() {
    pendingToken.value = null;
  }

  function clear(flashKey = null) {
    token.value = null;
    pendingToken.value = null;
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
    pendingToken,
    customer,
    pendingCustomer,
    flash,
    adopt,
    offer,
    confirmPending,
    cancelPending,
    clear,
    takeFlash,
  };
});
