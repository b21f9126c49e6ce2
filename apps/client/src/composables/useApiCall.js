// What every payments page does around a call: a busy flag, one message (errors in the
// customer's words), a 401 that ends the session on the login page, and leaving for a Stripe
// page the service returned.
import { onBeforeUnmount, onMounted, ref } from 'vue';
import { useRouter } from 'vue-router';
import { ApiError } from '../api/http.js';
import { goToPaymentPage } from '../api/payments.js';
import { describeError } from '../i18n/errors.js';
import { useCustomerStore } from '../stores/customer.js';
import { useLocaleStore } from '../stores/locale.js';

export function useApiCall() {
  const store = useCustomerStore();
  const locale = useLocaleStore();
  const router = useRouter();
  const busy = ref(false);
  const message = ref(null);

  /**
   * Runs `call`; resolves to `{ ok: true, value }`, or `{ ok: false, error }` once the
   * message says what failed. A 401 (revoked or expired session) clears the store first, then
   * shows the login page, so the guard cannot send the customer back here.
   * @param {() => Promise<any>} call
   * @param {{ codes?: Record<string, string> }} [options] problem codes this call words its own way
   */
  async function run(call, { codes } = {}) {
    busy.value = true;
    message.value = null;
    try {
      return { ok: true, value: await call() };
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        store.clear('flash.sessionExpired');
        await router.replace({ name: 'login' });
      } else {
        message.value = { kind: 'error', text: describeError(error, locale.t, codes) };
      }
      return { ok: false, error };
    } finally {
      busy.value = false;
    }
  }

  /** Runs `call`, which resolves to `{ url }`, and goes there; buttons stay disabled meanwhile. */
  async function leaveFor(call, options) {
    const result = await run(call, options);
    if (!result.ok) return result;
    try {
      goToPaymentPage(result.value.url);
    } catch (error) {
      message.value = { kind: 'error', text: describeError(error, locale.t) };
      return { ok: false, error };
    }
    busy.value = true;
    message.value = { kind: 'info', text: locale.t('redirecting') };
    return result;
  }

  function say(kind, text) {
    message.value = { kind, text };
  }

  // Back from Stripe may restore this page from the back/forward cache, still "leaving".
  function onPageShow(event) {
    if (!event.persisted || !busy.value) return;
    busy.value = false;
    message.value = null;
  }
  onMounted(() => window.addEventListener('pageshow', onPageShow));
  onBeforeUnmount(() => window.removeEventListener('pageshow', onPageShow));

  return { busy, message, run, leaveFor, say };
}
