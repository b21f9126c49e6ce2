import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHistory } from 'vue-router';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { PUBLIC_ROUTES, createAppRouter } from '../../src/router/index.js';
import { TOKEN_KEY, useCustomerStore } from '../../src/stores/customer.js';
import { expiredToken, fakeBrowser, fakeStorage, makeToken } from './fixtures.js';

const MARIE = { sub: 'CUST-2024-00001', name: 'Marie Tremblay' };
const JEAN = { sub: 'CUST-2024-00002', name: 'Jean Gagnon' };

let storage;
let router;

beforeEach(() => {
  setActivePinia(createPinia());
  storage = fakeStorage();
  vi.stubGlobal('sessionStorage', storage);
  router = createAppRouter(createMemoryHistory());
});

const at = () => router.currentRoute.value;

describe('the router guard', () => {
  test('a private route without a token goes to the login page', async () => {
    await router.push('/');
    expect(at().name).toBe('login');
    expect(at().fullPath).toBe('/login');
  });

  test('an unknown path ends on the login page too', async () => {
    await router.push('/factures/2024');
    expect(at().name).toBe('login');
  });

  test.each(PUBLIC_ROUTES)('the public route %s opens without a token', async (name) => {
    await router.push({ name });
    expect(at().name).toBe(name);
  });

  test('a magic-link token is adopted before deciding, and dropped from the route', async () => {
    const token = makeToken(MARIE);
    await router.push(`/?token=${token}`);
    expect(at().name).toBe('dashboard');
    expect(at().fullPath).toBe('/');
    expect(useCustomerStore().customer).toEqual(MARIE);
    expect(storage.getItem(TOKEN_KEY)).toBe(token);
  });

  test('other parameters survive the token removal', async () => {
    await router.push(`/paiement/reussi?token=${makeToken(MARIE)}&session_id=cs_1`);
    expect(at().fullPath).toBe('/paiement/reussi?session_id=cs_1');
  });

  test('the token is taken out of the address bar by the guard itself', async () => {
    const token = makeToken(MARIE);
    const { loc, hist, calls } = fakeBrowser(`https://portail.example/#/?token=${token}`);
    vi.stubGlobal('window', { location: loc, history: hist });
    await router.push(`/?token=${token}`);
    expect(calls.map((c) => c.to)).toEqual(['/#/']);
    expect(useCustomerStore().token).toBe(token);
  });

  test('an expired link lands on the login page with a message', async () => {
    await router.push(`/?token=${expiredToken(MARIE)}`);
    expect(at().name).toBe('login');
    expect(useCustomerStore().token).toBeNull();
    expect(useCustomerStore().flash).toBe('flash.linkExpired');
  });

  test('a malformed link lands on the login page with a message', async () => {
    await router.push('/?token=garbage');
    expect(at().name).toBe('login');
    expect(useCustomerStore().flash).toBe('flash.badLink');
  });

  test('the session stored in the tab is restored (a reload keeps it)', async () => {
    storage.setItem(TOKEN_KEY, makeToken(MARIE));
    await router.push('/');
    expect(at().name).toBe('dashboard');
    expect(useCustomerStore().customer).toEqual(MARIE);
  });

  test('an expired stored session is dropped with a message', async () => {
    storage.setItem(TOKEN_KEY, expiredToken(MARIE));
    await router.push('/');
    expect(at().name).toBe('login');
    expect(storage.getItem(TOKEN_KEY)).toBeNull();
    expect(useCustomerStore().flash).toBe('flash.sessionExpired');
  });

  test('a session that expires while the tab is open is refused at the next navigation', async () => {
    const customer = useCustomerStore();
    await router.push(`/?token=${makeToken(MARIE)}`);
    customer.token = expiredToken(MARIE);
    await router.push('/paiement/annule');
    await router.push('/');
    expect(at().name).toBe('login');
    expect(customer.flash).toBe('flash.sessionExpired');
  });

  test('the login page sends a logged-in customer to the dashboard', async () => {
    storage.setItem(TOKEN_KEY, makeToken(MARIE));
    await router.push('/login');
    expect(at().name).toBe('dashboard');
  });

  test('a link for another customer waits for consent and keeps the first session', async () => {
    const marie = makeToken(MARIE);
    storage.setItem(TOKEN_KEY, marie);
    await router.push(`/?token=${makeToken(JEAN)}`);
    const customer = useCustomerStore();
    expect(at().fullPath).toBe('/');
    expect(customer.token).toBe(marie);
    expect(customer.pendingCustomer).toEqual(JEAN);
    customer.confirmPending();
    expect(customer.customer).toEqual(JEAN);
  });

  test('a link for the same customer replaces the token without asking', async () => {
    storage.setItem(TOKEN_KEY, makeToken(MARIE));
    const fresh = makeToken({ ...MARIE, jti: 'new' });
    await router.push(`/?token=${fresh}`);
    expect(useCustomerStore().token).toBe(fresh);
    expect(useCustomerStore().pendingCustomer).toBeNull();
  });

  test('a staff impersonation token is adopted silently over another session', async () => {
    storage.setItem(TOKEN_KEY, makeToken(MARIE));
    const support = makeToken({ ...JEAN, act: { sub: 'agent.lavoie' } });
    await router.push(`/?token=${support}`);
    const customer = useCustomerStore();
    expect(customer.pendingCustomer).toBeNull();
    expect(customer.customer).toEqual(JEAN);
    expect(customer.impersonatedBy).toBe('agent.lavoie');
  });
});
