// The payments service's customer routes (docs/payments.md), called with the session's Bearer
// token. Checkout and Stripe pages come back as `{ url }`, which the page then goes to; the
// token never goes into a URL, not even the PDF's (fetched as a Blob).
import { authFetch } from './auth.js';

/** `{ balance_cents, currency, invoices, overdue }`: what the customer owes. */
export function fetchBalance() {
  return authFetch('GET', '/payments/balance');
}

/** `{ invoices, page, per_page, has_more }`: one page of the customer's invoices, newest first. */
export function fetchInvoices(page = 1) {
  return authFetch('GET', `/payments/invoices?page=${encodeURIComponent(page)}`);
}

/** The invoice's PDF as a Blob. */
export function fetchInvoicePdf(name) {
  return authFetch('GET', `/payments/invoices/${encodeURIComponent(name)}/pdf`, { blob: true });
}

/** `{ url }` of a card Checkout Session for the whole balance (409 PAY_10: nothing to pay). */
export function payBalance() {
  return authFetch('POST', '/payments/pay-balance', { body: {} });
}

/**
 * `{ url }` of a Checkout Session for one invoice (409 PAY_11: paid or cancelled; 422 PAY_12:
 * Klarna not offered).
 * @param {string} name
 * @param {'card' | 'klarna'} method
 */
export function payInvoice(name, method) {
  return authFetch('POST', `/payments/pay-invoice/${encodeURIComponent(name)}`, { body: { method } });
}

/** `{ methods: [{ id, brand, last4, exp_month, exp_year, default }] }`: the saved cards. */
export function fetchCards() {
  return authFetch('GET', '/payments/methods');
}

export function makeDefaultCard(id) {
  return authFetch('POST', `/payments/methods/${encodeURIComponent(id)}/default`);
}

export function removeCard(id) {
  return authFetch('DELETE', `/payments/methods/${encodeURIComponent(id)}`);
}

/** `{ url }` of a setup-mode session where the customer adds a card. */
export function addCard() {
  return authFetch('POST', '/payments/save-card', { body: {} });
}

/** `{ url }` of Stripe's Billing Portal. */
export function openBillingPortal() {
  return authFetch('POST', '/payments/billing-portal', { body: {} });
}

/** `{ enrolled, method, payment_method, status }`: the customer's auto-pay (PPA) enrolment. */
export function fetchAutoPay() {
  return authFetch('GET', '/payments/ppa');
}

/** Auto-pay by one of the saved cards; resolves to the enrolment now (404 PAY_14: not their card). */
export function enrolCard(paymentMethod) {
  return authFetch('PUT', '/payments/ppa', { body: { method: 'card', payment_method: paymentMethod } });
}

/**
 * `{ url }` of Stripe's page where the customer accepts the pre-authorised debit mandate, once
 * they agreed to its summary here (422 PAY_04 while the service does not offer bank debit).
 */
export function enrolBankDebit() {
  return authFetch('PUT', '/payments/ppa', { body: { method: 'acss_debit' } });
}

/** No more auto-pay; resolves to the enrolment now. */
export function leaveAutoPay() {
  return authFetch('PUT', '/payments/ppa', { body: { enabled: false } });
}

/**
 * Leaves the portal for the Stripe page the service returned. Only http(s) addresses: a
 * `javascript:` URL in an answer must never run here.
 * @param {string} url
 */
export function goToPaymentPage(url) {
  const target = new URL(url, window.location.href);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error(`refusing to go to ${target.protocol}`);
  window.location.assign(target.href);
}
