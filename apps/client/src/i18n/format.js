// Amounts and dates as Canadians read them: 114,98 $ and 1 déc. 2026 in French, $114.98 and
// Dec 1, 2026 in English. Amounts travel in integer cents (docs/payments.md).

const LOCALES = { fr: 'fr-CA', en: 'en-CA' };

/**
 * `11498` → `114,98 $` (fr) or `$114.98` (en).
 * @param {number} cents
 * @param {'fr' | 'en'} lang
 * @param {string} [currency]
 */
export function formatCents(cents, lang, currency = 'CAD') {
  return new Intl.NumberFormat(LOCALES[lang], { style: 'currency', currency }).format(cents / 100);
}

/**
 * `2026-12-01` → `1 déc. 2026` (fr) or `Dec 1, 2026` (en); the day as written, whatever the
 * browser's time zone.
 * @param {string} isoDate
 * @param {'fr' | 'en'} lang
 */
export function formatDate(isoDate, lang) {
  const date = new Date(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return isoDate;
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

/**
 * A tax rate as printed on Quebec invoices: `5` and `9,975` (fr) or `9.975` (en).
 * @param {number} rate percent
 * @param {'fr' | 'en'} lang
 */
export function formatRate(rate, lang) {
  return new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 3 }).format(rate);
}

const BRANDS = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover', interac: 'Interac' };

/**
 * A saved card as the customer reads it: `Visa •••• 4242`.
 * @param {{ brand: string, last4: string }} card an item of GET /payments/methods
 */
export function cardLabel(card) {
  return `${BRANDS[card.brand] ?? card.brand} •••• ${card.last4}`;
}
