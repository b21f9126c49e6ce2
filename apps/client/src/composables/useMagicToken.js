// Read-through access to the session for components: everything comes from the customer
// store, which alone decodes tokens and asks the hub whose they are, so two views can never
// disagree about who is logged in.
import { computed } from 'vue';
import { useCustomerStore } from '../stores/customer.js';

/**
 * The session's token and whose account it opens (as the hub confirmed it), as read-only
 * computed refs.
 */
export function useMagicToken() {
  const store = useCustomerStore();
  return {
    token: computed(() => store.token),
    account: computed(() => store.account),
    pendingAccount: computed(() => store.pendingAccount),
    isLoggedIn: computed(() => store.token !== null),
  };
}
