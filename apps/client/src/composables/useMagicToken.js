// Read-through access to the session for components: everything comes from the customer
// store, which alone decodes tokens, so two views can never disagree about who is logged in.
import { computed } from 'vue';
import { useCustomerStore } from '../stores/customer.js';

/** The session's token and what the store decoded from it, as read-only computed refs. */
export function useMagicToken() {
  const store = useCustomerStore();
  return {
    token: computed(() => store.token),
    customer: computed(() => store.customer),
    pendingCustomer: computed(() => store.pendingCustomer),
    isLoggedIn: computed(() => store.token !== null),
  };
}
