import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { ApiError } from '../../src/api/http.js';
import {
  addCard, enrolBankDebit, enrolCard, fetchAutoPay, fetchBalance, fetchInvoicePdf, fetchInvoices, goToPaymentPage, leaveAutoPay,
  makeDefaultCard, payInvoice, removeCard,
} from '../../src/api/payments.js';
import { BANK_DEBIT_CODES, describeError } from '../../src/i18n/errors.js';
import { messages } from '../../src/i18n/messages.js';
import { useCustomerStore } from '../../src/stores/customer.js';
import { answer, fakeStorage, makeToken } from './fixtures.js';

let token;
let fetch;

beforeEach(() => {
  setActivePinia(createPinia());
  vi.stubGlobal('sessionStorage', fakeStorage());
  token = makeToken();
  useCustomerStore().adopt(token);
  fetch = vi.fn(async () => answer(200, { ok: true }));
  vi.stubGlobal('fetch', fetch);
});

const lastCall = () => {
  const [path, init] = fetch.mock.calls.at(-1);
  return { path, method: init.method, auth: init.headers.Authorization, body: init.body && JSON.parse(init.body) };
};

const inLang = (lang) => (key) => messages[lang][key];

describe('the payments API', () => {
  test('every call carries the session token as a Bearer header, never in the URL', async () => {
    await fetchBalance();
    expect(lastCall()).toMatchObject({ path: '/payments/balance', method: 'GET', auth: `Bearer ${token}` });
    await fetchInvoices(2);
    expect(lastCall().path).toBe('/payments/invoices?page=2');
    for (const [path] of fetch.mock.calls) expect(path).not.toContain(token);
  });

  test('paying an invoice posts the method; names and card ids are escaped into the path', async () => {
    await payInvoice('ACC-SINV-2026-00012', 'klarna');
    expect(lastCall()).toMatchObject({ path: '/payments/pay-invoice/ACC-SINV-2026-00012', method: 'POST', body: { method: 'klarna' } });
    await makeDefaultCard('pm_1/x');
    expect(lastCall()).toMatchObject({ path: '/payments/methods/pm_1%2Fx/default', method: 'POST' });
    fetch.mockResolvedValueOnce(answer(204));
    await expect(removeCard('pm_1')).resolves.toBeNull();
    expect(lastCall()).toMatchObject({ path: '/payments/methods/pm_1', method: 'DELETE' });
    fetch.mockResolvedValueOnce(answer(200, { url: 'https://checkout.example/cs_1' }));
    await expect(addCard()).resolves.toEqual({ url: 'https://checkout.example/cs_1' });
    expect(lastCall()).toMatchObject({ path: '/payments/save-card', method: 'POST', body: {} });
  });

  test('the PDF comes back as a Blob fetched with the Bearer header', async () => {
    fetch.mockResolvedValueOnce(new Response('%PDF-1.4', { status: 200, headers: { 'Content-Type': 'application/pdf' } }));
    const pdf = await fetchInvoicePdf('ACC-SINV-2026-00012');
    expect(pdf).toBeInstanceOf(Blob);
    expect(pdf.type).toBe('application/pdf');
    expect(lastCall()).toMatchObject({ path: '/payments/invoices/ACC-SINV-2026-00012/pdf', auth: `Bearer ${token}` });
  });

  test('a PDF that is not there is a problem like any other (404 PAY_14)', async () => {
    fetch.mockResolvedValueOnce(answer(404, { status: 404, code: 'PAY_14', detail: 'No such invoice or card.' }));
    const err = await fetchInvoicePdf('ACC-SINV-2026-99999').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(describeError(err, inLang('fr'))).toBe(messages.fr['error.notFound']);
  });

  test('a refused Klarna payment (422 PAY_12) reads in the customer\'s language', async () => {
    fetch.mockResolvedValueOnce(answer(422, { status: 422, code: 'PAY_12', detail: 'Klarna is not offered for this payment.' }));
    const err = await payInvoice('ACC-SINV-2026-00012', 'klarna').catch((e) => e);
    expect(err.code).toBe('PAY_12');
    expect(describeError(err, inLang('fr'))).toBe('Klarna n’est pas offert pour ce paiement. Vous pouvez payer par carte.');
    expect(describeError(err, inLang('en'))).toBe('Klarna is not offered for this payment. You can pay by card.');
  });
});

describe('the auto-pay API', () => {
  const off = { enrolled: false, method: null, payment_method: null, status: null };
  const onCard = { enrolled: true, method: 'card', payment_method: 'pm_visa4242', status: 'active' };

  test('GET /payments/ppa reads the enrolment with the Bearer header', async () => {
    fetch.mockResolvedValueOnce(answer(200, off));
    await expect(fetchAutoPay()).resolves.toEqual(off);
    expect(lastCall()).toMatchObject({ path: '/payments/ppa', method: 'GET', auth: `Bearer ${token}` });
  });

  test('enrolling with a card, leaving, and bank debit are PUTs of the documented bodies', async () => {
    fetch.mockResolvedValueOnce(answer(200, onCard));
    await expect(enrolCard('pm_visa4242')).resolves.toEqual(onCard);
    expect(lastCall()).toMatchObject({ path: '/payments/ppa', method: 'PUT', body: { method: 'card', payment_method: 'pm_visa4242' } });
    fetch.mockResolvedValueOnce(answer(200, { ...onCard, enrolled: false, status: 'cancelled' }));
    await leaveAutoPay();
    expect(lastCall()).toMatchObject({ path: '/payments/ppa', method: 'PUT', body: { enabled: false } });
    fetch.mockResolvedValueOnce(answer(200, { url: 'https://checkout.example/cs_mandate' }));
    await expect(enrolBankDebit()).resolves.toEqual({ url: 'https://checkout.example/cs_mandate' });
    expect(lastCall()).toMatchObject({ path: '/payments/ppa', method: 'PUT', body: { method: 'acss_debit' } });
    for (const [path, init] of fetch.mock.calls) {
      expect(path).not.toContain(token);
      expect(init.headers.Authorization).toBe(`Bearer ${token}`);
    }
  });

  test('bank debit refused while the service does not offer it (422 PAY_04) says so, in French and in English', async () => {
    const problem = { status: 422, code: 'PAY_04', detail: 'Bank debit is not offered yet; enrol with a saved card.' };
    fetch.mockResolvedValueOnce(answer(422, problem));
    const err = await enrolBankDebit().catch((e) => e);
    expect(err.code).toBe('PAY_04');
    expect(describeError(err, inLang('fr'), BANK_DEBIT_CODES)).toBe('Le prélèvement bancaire n’est pas encore offert. Vous pouvez activer le paiement automatique avec une carte.');
    expect(describeError(err, inLang('en'), BANK_DEBIT_CODES)).toBe('Bank debit is not offered yet. You can turn on automatic payments with a card.');
    // PAY_04 is any malformed request: elsewhere it is not about bank debit.
    expect(describeError(err, inLang('fr'))).toBe(problem.detail);
  });

  test('another customer\'s card (404 PAY_14) is "not found"', async () => {
    fetch.mockResolvedValueOnce(answer(404, { status: 404, code: 'PAY_14', detail: 'No such invoice or card.' }));
    const err = await enrolCard('pm_someone_else').catch((e) => e);
    expect(describeError(err, inLang('fr'))).toBe(messages.fr['error.notFound']);
  });
});

describe('payment problem codes', () => {
  test.each([
    ['PAY_10', 409, 'error.nothingOwed'],
    ['PAY_11', 409, 'error.notPayable'],
    ['PAY_12', 422, 'error.klarnaRefused'],
    ['PAY_13', 503, 'error.paymentsDown'],
    ['PAY_14', 404, 'error.notFound'],
  ])('%s (%i) is translated, in French and in English', (code, status, key) => {
    const err = new ApiError(status, { status, code, detail: 'English detail' });
    expect(describeError(err, inLang('fr'))).toBe(messages.fr[key]);
    expect(describeError(err, inLang('en'))).toBe(messages.en[key]);
    expect(messages.fr[key]).not.toBe(messages.en[key]);
  });

  test('another 5xx stays generic, whatever its detail', () => {
    expect(describeError(new ApiError(503, { code: 'PAY_99', detail: 'stripe: timeout' }), inLang('fr'))).toBe(messages.fr['error.generic']);
  });
});

describe('leaving for a Stripe page', () => {
  test('goes to an https address the service returned', () => {
    const assign = vi.fn();
    vi.stubGlobal('window', { location: { href: 'http://127.0.0.1/#/factures', assign } });
    goToPaymentPage('https://checkout.stripe.com/c/pay/cs_test_1');
    expect(assign).toHaveBeenCalledWith('https://checkout.stripe.com/c/pay/cs_test_1');
  });

  test('refuses a javascript: address', () => {
    const assign = vi.fn();
    vi.stubGlobal('window', { location: { href: 'http://127.0.0.1/#/factures', assign } });
    expect(() => goToPaymentPage('javascript:alert(1)')).toThrow();
    expect(assign).not.toHaveBeenCalled();
  });
});
