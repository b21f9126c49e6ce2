import { cardLabel } from './format.js';

// Auto-pay's state as the account page words it (GET /payments/ppa, docs/payments.md "Auto-pay"),
// the card named from the saved cards list (the enrolment only knows its `pm_…` id).

/**
 * `{ key, params, on }`: the message key saying the state, its parameters, and whether
 * auto-pay charges the customer.
 * @param {{ enrolled: boolean, method: string | null, payment_method: string | null, status: string | null } | null} enrolment
 * @param {Array<{ id: string, brand: string, last4: string }> | null} cards
 */
export function autoPayState(enrolment, cards) {
  if (!enrolment?.enrolled) {
    return { key: enrolment?.status === 'pending' ? 'autopay.pending' : 'autopay.off', params: {}, on: false };
  }
  if (enrolment.method === 'acss_debit') return { key: 'autopay.onBank', params: {}, on: true };
  const card = cards?.find((c) => c.id === enrolment.payment_method);
  if (!card) return { key: 'autopay.onCardGone', params: {}, on: true };
  return { key: 'autopay.onCard', params: { card: cardLabel(card) }, on: true };
}

/** The state in one sentence. */
export function describeAutoPay(enrolment, cards, t) {
  const { key, params } = autoPayState(enrolment, cards);
  return t(key, params);
}

/** The pre-authorised debit agreement's summary, point by point (message keys). */
export const PAD_TERMS = ['autopay.pad1', 'autopay.pad2', 'autopay.pad3', 'autopay.pad4', 'autopay.pad5'];
