// quotation-signing's customer routes (docs/quotation-signing.md), called with the session's
// Bearer token and the UI language, so a refusal's `detail` comes in the customer's words.
import { authFetch } from './auth.js';

/**
 * `{ quotes: [{ status, quote_type, signing_url, sales_order, quote }] }`: the quotes sent to the
 * customer, newest first; amounts in cents.
 * @param {'fr' | 'en'} lang
 */
export function fetchQuotes(lang) {
  return authFetch('GET', '/accept/quotes', { lang });
}

/**
 * Accepts a quote that needs no signature: `{ status: 'accepted', sales_order }` (or `signed`
 * with no Sales Order yet while ERPNext is slow).
 * @param {string} quotation
 * @param {'fr' | 'en'} lang
 */
export function confirmQuote(quotation, lang) {
  return authFetch('POST', '/accept/confirm', { body: { quotation }, lang });
}

/** Statuses still waiting for the customer. */
export const OPEN_STATUSES = Object.freeze(['sent', 'viewed']);

/**
 * The recurring lines' amount per month, in cents, as the service counts it (a quarter is a
 * third, a year a twelfth, rounded to the cent).
 * @param {Array<{ frequency: string, amount_cents: number }>} lines
 */
export function monthlyCents(lines) {
  const per = { Monthly: 1, Quarterly: 3, Yearly: 12 };
  return lines.reduce((sum, line) => sum + Math.round(line.amount_cents / (per[line.frequency] ?? 1)), 0);
}
