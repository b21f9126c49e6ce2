import { describe, expect, test } from 'vitest';
import { PAD_TERMS, autoPayState, describeAutoPay } from '../../src/i18n/autopay.js';
import { cardLabel } from '../../src/i18n/format.js';
import { messages } from '../../src/i18n/messages.js';

const inLang = (lang) => (key, params = {}) => messages[lang][key].replace(/\{(\w+)\}/g, (_, name) => String(params[name]));
const cards = [
  { id: 'pm_visa4242', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030, default: true },
  { id: 'pm_mc4444', brand: 'mastercard', last4: '4444', exp_month: 8, exp_year: 2027, default: false },
];
const never = { enrolled: false, method: null, payment_method: null, status: null };
const byCard = (id) => ({ enrolled: true, method: 'card', payment_method: id, status: 'active' });

describe('auto-pay state labels', () => {
  test('never enrolled, or left, is off', () => {
    expect(autoPayState(never, cards)).toEqual({ key: 'autopay.off', params: {}, on: false });
    expect(autoPayState({ ...byCard('pm_visa4242'), enrolled: false, status: 'cancelled' }, cards).on).toBe(false);
    expect(autoPayState(null, null).key).toBe('autopay.off');
    expect(describeAutoPay(never, cards, inLang('fr'))).toBe('Le paiement automatique n’est pas activé.');
    expect(describeAutoPay(never, cards, inLang('en'))).toBe('Automatic payments are off.');
  });

  test('by card names the card from the saved cards list', () => {
    expect(autoPayState(byCard('pm_mc4444'), cards)).toEqual({ key: 'autopay.onCard', params: { card: 'Mastercard •••• 4444' }, on: true });
    expect(describeAutoPay(byCard('pm_visa4242'), cards, inLang('fr'))).toBe('Le paiement automatique est activé avec la carte Visa •••• 4242.');
    expect(describeAutoPay(byCard('pm_visa4242'), cards, inLang('en'))).toBe('Automatic payments are on with the card Visa •••• 4242.');
  });

  test('a card no longer saved (or the list not loaded yet) is still on, without a number', () => {
    expect(autoPayState(byCard('pm_gone'), cards)).toEqual({ key: 'autopay.onCardGone', params: {}, on: true });
    expect(autoPayState(byCard('pm_visa4242'), null).key).toBe('autopay.onCardGone');
  });

  test('by bank debit, and a mandate waiting for the bank', () => {
    const bank = { enrolled: true, method: 'acss_debit', payment_method: null, status: 'active' };
    expect(autoPayState(bank, cards)).toEqual({ key: 'autopay.onBank', params: {}, on: true });
    expect(describeAutoPay(bank, cards, inLang('fr'))).toBe('Le paiement automatique est activé par prélèvement bancaire.');
    expect(autoPayState({ ...bank, enrolled: false, status: 'pending' }, cards)).toEqual({ key: 'autopay.pending', params: {}, on: false });
  });

  test('the card label', () => {
    expect(cardLabel({ brand: 'amex', last4: '0005' })).toBe('American Express •••• 0005');
    expect(cardLabel({ brand: 'unionpay', last4: '0001' })).toBe('unionpay •••• 0001');
  });

  test('the debit agreement exists in both languages, and differs', () => {
    for (const key of ['autopay.padTitle', ...PAD_TERMS]) {
      expect(messages.fr[key], key).toBeTruthy();
      expect(messages.en[key], key).toBeTruthy();
      expect(messages.fr[key]).not.toBe(messages.en[key]);
    }
  });
});
