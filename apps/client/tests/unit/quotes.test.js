import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { ApiError } from '../../src/api/http.js';
import { confirmQuote, fetchQuotes, monthlyCents } from '../../src/api/quotes.js';
import { describeError } from '../../src/i18n/errors.js';
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
  fetch = vi.fn(async () => answer(200, { quotes: [] }));
  vi.stubGlobal('fetch', fetch);
});

describe('quotation-signing calls', () => {
  test('the quotes are read with the token and the UI language', async () => {
    await fetchQuotes('en');
    const [path, init] = fetch.mock.calls.at(-1);
    expect(path).toBe('/accept/quotes');
    expect(init.method).toBe('GET');
    expect(init.headers.Authorization).toBe(`Bearer ${token}`);
    expect(init.headers['Accept-Language']).toBe('en');
  });

  test('accepting posts the quotation, in French by default', async () => {
    await confirmQuote('SAL-QTN-2026-00002', 'fr');
    const [path, init] = fetch.mock.calls.at(-1);
    expect(path).toBe('/accept/confirm');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body)).toEqual({ quotation: 'SAL-QTN-2026-00002' });
    expect(init.headers['Accept-Language']).toBe('fr');
  });

  test('a refusal shows the service\'s detail, already in the customer\'s language', async () => {
    fetch.mockImplementation(async () => answer(409, { code: 'QUO_12', detail: 'Cette soumission est déjà acceptée.' }));
    const error = await confirmQuote('SAL-QTN-2026-00002', 'fr').catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(describeError(error, (k) => messages.fr[k])).toBe('Cette soumission est déjà acceptée.');
  });
});

describe('the monthly total', () => {
  test('a quarter is a third and a year a twelfth, rounded to the cent', () => {
    const lines = [
      { frequency: 'Monthly', amount_cents: 9500 },
      { frequency: 'Quarterly', amount_cents: 2997 },
      { frequency: 'Yearly', amount_cents: 6000 },
    ];
    expect(monthlyCents(lines)).toBe(9500 + 999 + 500);
    expect(monthlyCents([])).toBe(0);
  });

  test('every quote string exists in both languages', () => {
    const keys = Object.keys(messages.fr).filter((k) => k.startsWith('quote'));
    expect(keys.length).toBeGreaterThan(30);
    for (const key of keys) expect(messages.en[key], key).toBeTruthy();
  });
});
